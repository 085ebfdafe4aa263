#!/usr/bin/env bash
# Custom template against the blog card, side by side in one run (issue 12):
# the rich format-2 card (internal/golden/testdata/templates/v2-rich.json:
# gradient background, stroked circle, path, shadowed card, image asset,
# title and description) served from OGMINT_TEMPLATES_DIR as custom_v2-rich.
#   - first render: the first V1 request of each template on a fresh server
#     (the instance parses the template, decodes its asset, draws its static
#     layer), three fresh servers each;
#   - cold V1 p50 after the first render: loadgen latency (new titles, so
#     nothing is cached; its warm-up renders the template first), blog and
#     rich interleaved, three rounds; the ratio rich / blog (target <= 1.5).
# Needs bin/ogmint (make build). All traffic goes to 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18081}
BASE="http://127.0.0.1:$PORT"
N=${N:-200}
OUT=$(mktemp -d)
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$OUT"; }
trap cleanup EXIT
go build -o "$OUT/loadgen" ./scripts/loadgen

start_server() {
  rm -rf "$OUT/data"
  mkdir -p "$OUT/data"
  cp -r "${CACHE_DIR:-$OUT/cache}" "$OUT/data/wazero-cache" 2>/dev/null || true
  OGMINT_ADDR="127.0.0.1:$PORT" OGMINT_DATA_DIR="$OUT/data" OGMINT_TEMPLATES_DIR=internal/golden/testdata/templates \
    bin/ogmint serve 2>"$OUT/server.log" &
  SERVER_PID=$!
  for _ in $(seq 1 600); do curl -sf "$BASE/healthz" >/dev/null && return; sleep 0.05; done
  echo "server did not start"; cat "$OUT/server.log"; exit 1
}
stop_server() {
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
  [ -d "$OUT/cache" ] || cp -r "$OUT/data/wazero-cache" "$OUT/cache" 2>/dev/null || true
}
first_ms() { # the time of one V1 request, in ms
  curl -sf -o /dev/null -w '%{time_total}' "$BASE/api/og?template=$1&title=First+render+$RANDOM&description=Its+first+render" |
    python3 -c 'import sys; print(round(float(sys.stdin.read())*1000, 1))'
}
p50() { python3 -c 'import json,sys; print(json.load(sys.stdin)["p50_ms"])'; }

echo "## Custom template vs blog card, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores ($(git rev-parse --short HEAD))"
echo
echo "| round | first blog (ms) | first rich (ms) | p50 blog (ms) | p50 rich (ms) | rich / blog |"
echo "|---|---|---|---|---|---|"
for round in 1 2 3; do
  start_server
  FB=$(first_ms blog)
  FR=$(first_ms custom_v2-rich)
  B=$("$OUT/loadgen" -mode latency -url "$BASE" -template blog -n "$N" -c 1 | p50)
  R=$("$OUT/loadgen" -mode latency -url "$BASE" -template custom_v2-rich -n "$N" -c 1 | p50)
  stop_server
  echo "| $round | $FB | $FR | $B | $R | $(python3 -c "print(round($R/$B, 2))") |"
done
