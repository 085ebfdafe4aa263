#!/usr/bin/env bash
# Runs every benchmark of the render core side by side in one run and prints
# a markdown report (paste it into docs/benchmarks.md). Needs bin/ogmint
# (make build); wrk (apt-get install wrk) for the cached-hit runs, which are
# skipped without it. The peers (Takumi, satori + resvg) are compared in
# scripts/peers/run.sh, which `make bench` runs first.
# All traffic goes to 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18080}
BASE="http://127.0.0.1:$PORT"
DATA=$(mktemp -d)
OUT=$(mktemp -d)
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$DATA"; }
trap cleanup EXIT

# wrkrun runs wrk with its arguments, or says it is missing.
wrkrun() {
  if command -v wrk >/dev/null; then wrk "$@"; else echo "Requests/sec: skipped (wrk missing: apt-get install wrk)"; fi
}
go build -o "$OUT/loadgen" ./scripts/loadgen

start_server() {
  OGMINT_ADDR="127.0.0.1:$PORT" OGMINT_DATA_DIR="$DATA" bin/ogmint serve 2>"$OUT/server.log" &
  SERVER_PID=$!
  for _ in $(seq 1 300); do curl -sf "$BASE/healthz" >/dev/null && return; sleep 0.05; done
  echo "server did not start"; cat "$OUT/server.log"; exit 1
}
stop_server() { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""; }

echo "## Run of $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores ($(git rev-parse --short HEAD))"
echo
echo '### Go benchmarks'
echo '```'
go test -run XXX -bench 'RenderBlog|Fresh|WazeroVsNative' -benchtime 300x -count 3 ./wasm/module/ ./host/renderpool/ | grep -E '^Benchmark' || true
go test -run XXX -bench 'Encode' -benchtime 100x ./host/pngfast/ | grep -E '^Benchmark' || true
echo '```'

start_server   # first start compiles the module into the data dir's cache
LAT=$("$OUT/loadgen" -mode latency -url "$BASE" -n 300 -c 1)
THR=$("$OUT/loadgen" -mode throughput -url "$BASE" -d 15s -c 4 -pid "$SERVER_PID")
HEALTH=$(curl -s "$BASE/healthz")
HIT="$BASE/api/og?template=blog&title=Cached+card&author=Ada"
curl -sf -o /dev/null "$HIT"
WRK=$(wrkrun -t2 -c64 -d10s --latency "$HIT")

# V2: one stored render, then /i/{slug} hits and dedup hits (200 cached).
KEY=$(cat "$DATA/dev-api-key")
BODY='{"template":"blog","title":"Dedup benchmark card","author":"Ada Lovelace","tag":"Bench"}'
SLUG=$(curl -sf -H "x-api-key: $KEY" -d "$BODY" "$BASE/api/v2/render" | python3 -c 'import json,sys; print(json.load(sys.stdin)["slug"])')
WRK_SLUG=$(wrkrun -t2 -c64 -d10s --latency "$BASE/i/$SLUG")
cat > "$OUT/post.lua" <<LUA
wrk.method = "POST"
wrk.body   = '$BODY'
wrk.headers["x-api-key"] = "$KEY"
wrk.headers["Content-Type"] = "application/json"
LUA
WRK_DEDUP=$(wrkrun -t2 -c64 -d10s --latency -s "$OUT/post.lua" "$BASE/api/v2/render")
stop_server
START=$("$OUT/loadgen" -mode startup -url "$BASE" -cmd "env OGMINT_ADDR=127.0.0.1:$PORT OGMINT_DATA_DIR=$DATA bin/ogmint serve")

echo
echo '### HTTP'
echo "- cold V1 render, 1 client, distinct titles: \`$LAT\`"
echo "- throughput, 4 clients, distinct titles: \`$THR\`"
echo "- wrk cached hits, 64 connections:"
echo '```'
echo "$WRK" | grep -E 'Requests/sec|Latency|50%|99%'
echo '```'
echo "- V2 /i/{slug} hits, wrk 64 connections:"
echo '```'
echo "$WRK_SLUG" | grep -E 'Requests/sec|Latency|50%|99%|Non-2xx'
echo '```'
echo "- V2 dedup hits (200 cached), wrk 64 connections:"
echo '```'
echo "$WRK_DEDUP" | grep -E 'Requests/sec|Latency|50%|99%|Non-2xx'
echo '```'
echo "- start to first render, warm compile cache: \`$START\`"
echo "- /healthz after the load (per-instance linear memory): \`$HEALTH\`"
