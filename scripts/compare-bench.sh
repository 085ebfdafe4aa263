#!/usr/bin/env bash
# Before/after, side by side in one run: the server built at BASE=<commit>
# and at HEAD (the working tree), alternating ROUNDS times, on the figures a
# change must not regress: cold V1 p50 (1 client, distinct titles),
# throughput and peak RSS (4 clients, distinct titles), and sustained webhook
# deliveries/s (scripts/webhook-bench). Prints a markdown table for
# docs/benchmarks.md. All traffic goes to 127.0.0.1.
#
#   BASE=1c9fe96 scripts/compare-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
: "${BASE:?set BASE=<commit> to compare against}"
ROUNDS=${ROUNDS:-3}
N=${N:-200}
DUR=${DUR:-10s}
RATE=${RATE:-2500}
PORT=${PORT:-18082}
URL="http://127.0.0.1:$PORT"
OUT=$(mktemp -d)
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
  wait 2>/dev/null || true
  [ -d "$OUT/base" ] && git worktree remove --force "$OUT/base" >/dev/null 2>&1
  rm -rf "$OUT"
}
trap cleanup EXIT

git worktree add -q --detach "$OUT/base" "$BASE"
(cd "$OUT/base" && make -s build >/dev/null && go build -o "$OUT/webhook-bench-base" ./scripts/webhook-bench)
make -s build >/dev/null
cp bin/ogmint "$OUT/ogmint-head"
cp "$OUT/base/bin/ogmint" "$OUT/ogmint-base"
go build -o "$OUT/webhook-bench-head" ./scripts/webhook-bench
go build -o "$OUT/loadgen" ./scripts/loadgen
json() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }

declare -A P50 RPS RSS WH
for round in $(seq 1 "$ROUNDS"); do
  for side in base head; do
    DATA="$OUT/data-$side"
    mkdir -p "$DATA"
    OGMINT_ADDR="127.0.0.1:$PORT" OGMINT_DATA_DIR="$DATA" "$OUT/ogmint-$side" serve 2>"$OUT/server-$side.log" &
    SERVER_PID=$!
    for _ in $(seq 1 600); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.05; done
    L=$("$OUT/loadgen" -mode latency -url "$URL" -n "$N" -c 1)
    T=$("$OUT/loadgen" -mode throughput -url "$URL" -d "$DUR" -c 4 -pid "$SERVER_PID")
    kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
    W=$("$OUT/webhook-bench-$side" -rate "$RATE" -duration "$DUR" | sed -n 's/^sustained: *\([0-9]*\) deliveries.*/\1/p')
    P50[$side]="${P50[$side]:-} $(json "$L" p50_ms)"
    RPS[$side]="${RPS[$side]:-} $(python3 -c "print(round($(json "$T" per_sec)))")"
    RSS[$side]="${RSS[$side]:-} $(python3 -c "print(round($(json "$T" peak_rss_mib)))")"
    WH[$side]="${WH[$side]:-} $W"
  done
done

med() { python3 -c "import sys,statistics; print(statistics.median(float(x) for x in sys.argv[1:]))" $1; }
echo "## Before/after: $BASE and $(git rev-parse --short HEAD)$(git diff --quiet || echo '+changes'), $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $ROUNDS rounds alternating"
echo
echo "| figure | before (each round) | after (each round) | after / before (medians) |"
echo "|---|---|---|---|"
row() { echo "| $1 |${2} |${3} | $(python3 -c "print(round($(med "$3")/$(med "$2"),3))") |"; }
row "cold V1 p50 ms (1 client)" "${P50[base]}" "${P50[head]}"
row "renders/s (4 clients, distinct titles)" "${RPS[base]}" "${RPS[head]}"
row "peak RSS MiB under that load" "${RSS[base]}" "${RSS[head]}"
row "webhook deliveries/s sustained (rate $RATE/s)" "${WH[base]}" "${WH[head]}"
