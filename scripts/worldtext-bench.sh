#!/usr/bin/env bash
# World-text benchmarks, side by side in one run, printed as markdown for
# docs/benchmarks.md: cold V1 p50 of the Latin, Japanese, Arabic and emoji
# cards (interleaved, two rounds) against satori + resvg on the Latin card;
# the wazero draw of the Latin card before and after the world-text engine
# (BASE=<commit>, alternating); the first card that needs a font an instance
# lacks; module and font sizes. Needs bin/ogmint (make build) and Node 20 +
# npm (satori). All traffic goes to 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18081}
BASE_COMMIT=${BASE:-}
ROUNDS=${ROUNDS:-2}
N=${N:-150}
URL="http://127.0.0.1:$PORT"
DATA=$(mktemp -d)
OUT=$(mktemp -d)
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
  wait 2>/dev/null || true
  [ -d "$OUT/base" ] && git worktree remove --force "$OUT/base" >/dev/null 2>&1
  rm -rf "$DATA" "$OUT"
}
trap cleanup EXIT
go build -o "$OUT/loadgen" ./scripts/loadgen
json() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }

echo "## World text: run of $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores ($(git rev-parse --short HEAD))"
echo
OGMINT_ADDR="127.0.0.1:$PORT" OGMINT_DATA_DIR="$DATA" bin/ogmint serve 2>"$OUT/server.log" &
SERVER_PID=$!
for _ in $(seq 1 300); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.05; done
declare -A P50
for round in $(seq 1 "$ROUNDS"); do
  for s in latin ja ar emoji; do
    R=$("$OUT/loadgen" -mode latency -url "$URL" -script "$s" -n "$N" -c 1)
    P50[$s]="${P50[$s]:-} $(json "$R" p50_ms)"
  done
  S=$(N=$N OGMINT_FONT_REGULAR=$PWD/templates/fonts/Inter-Regular.otf OGMINT_FONT_BOLD=$PWD/templates/fonts/Inter-Bold.otf scripts/satori/run.sh | tail -1)
  P50[satori]="${P50[satori]:-} $(json "$S" p50_ms)"
done
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
echo '### Cold V1 renders, 1 client, distinct titles (p50 ms per round)'
echo
echo '| card | p50 per round (ms) | ratio to Latin | ratio to satori (Latin) |'
echo '|---|---|---|---|'
med() { python3 -c "import sys,statistics; print(statistics.median(float(x) for x in sys.argv[1:]))" $1; }
L=$(med "${P50[latin]}"); SA=$(med "${P50[satori]}")
for s in latin ja ar emoji; do
  M=$(med "${P50[$s]}")
  echo "| $s |${P50[$s]} | $(python3 -c "print(round($M/$L,2))") | $(python3 -c "print(round($M/$SA,3))") |"
done
echo "| satori + resvg (Latin) |${P50[satori]} | | 1 |"
echo

echo '### Go benchmarks'
echo '```'
go test -run XXX -bench 'FreshInstance|RenderJapanese' -benchtime 20x ./host/renderpool/ | grep -E '^Benchmark' || true
go test -run XXX -bench 'FirstRenderNeedingCJK' -benchtime 20x ./wasm/module/ | grep -E '^Benchmark' || true
echo '```'
if [ -n "$BASE_COMMIT" ]; then
  git worktree add -q "$OUT/base" "$BASE_COMMIT"
  echo
  echo "### Latin blog card, wazero draw: $BASE_COMMIT (before) and HEAD, alternating"
  echo '```'
  for round in $(seq 1 "$ROUNDS"); do
    (cd "$OUT/base" && go test -run XXX -bench 'WazeroVsNative' -benchtime 300x ./host/renderpool/ | grep -E '^Benchmark' | sed 's/^/before /') || true
    go test -run XXX -bench 'WazeroVsNative' -benchtime 300x ./host/renderpool/ | grep -E '^Benchmark' | sed 's/^/after  /' || true
  done
  echo '```'
fi
echo
echo '### Sizes'
WASM=bin/ogmint.wasm
echo "- render module: $(stat -c %s $WASM) bytes raw, $(gzip -6 -c $WASM | wc -c) bytes gzip"
echo "- font files shipped: $(cat templates/fonts/*.otf templates/fontpack/*.ttf | wc -c) bytes (module: Inter only)"
