#!/usr/bin/env bash
# ogmint against its peers, side by side in one run, on the same card
# (internal/benchcard's blog card; scripts/peers/card.mjs for the peers):
#
#   ogmint   bin/ogmint serve, cold V1 renders over HTTP (scripts/loadgen,
#            every request a title never rendered before, so nothing is cached)
#   takumi   @takumi-rs/core 2.16, in-process (bench.mjs)
#   satori   satori 0.63 + @resvg/resvg-js 2.6, in-process, as @vercel/og runs it
#
# Each round measures, for each renderer in turn (the order rotates so no
# renderer always runs first or last on a noisy machine):
#   latency     one card at a time, p50 of N renders (ogmint: 1 HTTP client)
#   throughput  renders/s with both cores busy (ogmint: 4 HTTP clients;
#               Takumi: 8 renders in flight; satori: 2 worker threads), with
#               CPU per render and peak RSS, in SLICES slices of SLICE
#               seconds per renderer taken in turn, so that other jobs on the
#               machine land on all three alike; a round adds its slices up
# then prints a markdown table (per-round figures, per-round ratios, their
# medians) for docs/benchmarks.md. The three PNGs of one card and a side by
# side of them are kept in OUT_DIR.
#
# Env: ROUNDS (3), N (300), SLICES (4, at most 9), SLICE (2.5), PORT (18090),
# OUT_DIR (a temp dir).
# Needs bin/ogmint (make build), Go, Node 20 + npm. Traffic: 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROUNDS=${ROUNDS:-3}
N=${N:-300}
SLICES=${SLICES:-4}
SLICE=${SLICE:-2.5}
PORT=${PORT:-18090}
BASE="http://127.0.0.1:$PORT"
OUT_DIR=${OUT_DIR:-$(mktemp -d -t ogmint-peers.XXXXXX)}
mkdir -p "$OUT_DIR"
OUT_DIR=$(cd "$OUT_DIR" && pwd)
DATA=$(mktemp -d)
SERVER_PID=""
PIDS=()
cleanup() {
  for pid in $SERVER_PID "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$DATA"
}
trap cleanup EXIT

# Peer dependencies, pinned by package-lock.json (reinstalled when it changes).
if [ ! -f scripts/peers/node_modules/.package-lock.json ] ||
  [ scripts/peers/package-lock.json -nt scripts/peers/node_modules/.package-lock.json ]; then
  (cd scripts/peers && npm ci --no-audit --no-fund >&2)
fi
go build -o "$OUT_DIR/loadgen" ./scripts/loadgen
go build -o "$OUT_DIR/compare" ./scripts/peers/compare

OGMINT_ADDR="127.0.0.1:$PORT" OGMINT_DATA_DIR="$DATA" bin/ogmint serve 2>"$OUT_DIR/server.log" &
SERVER_PID=$!
for _ in $(seq 1 600); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.05; done
curl -sf "$BASE/healthz" >/dev/null || { echo "server did not start" >&2; cat "$OUT_DIR/server.log" >&2; exit 1; }

# One long-lived process per peer (bench.mjs: fonts loaded and every thread
# warmed up once), driven through a pair of FIFOs: a command line in, one
# JSON line out. Takumi on fds 3/4, satori on 5/6.
start_peer() { # name fd_in fd_out
  mkfifo "$DATA/$1.in" "$DATA/$1.out"
  (cd scripts/peers && exec node bench.mjs "$1" <"$DATA/$1.in" >"$DATA/$1.out") &
  PIDS+=($!)
  eval "exec $2>\"\$DATA/$1.in\" $3<\"\$DATA/$1.out\""
}
start_peer takumi 3 4
start_peer satori 5 6
ask() { # name command...: one measurement of a peer
  local peer=$1 line
  shift
  case $peer in takumi) echo "$@" >&3; read -r line <&4 ;; satori) echo "$@" >&5; read -r line <&6 ;; esac
  [ -n "$line" ] || { echo "peer $peer died" >&2; exit 1; }
  echo "$line"
}

ask takumi ready >/dev/null # warmed up, so nothing warms up while others are measured
ask satori ready >/dev/null
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
RESULTS="$OUT_DIR/results.jsonl"
: >"$RESULTS"
# record appends one measurement (a JSON object) with its round and renderer.
record() { python3 -c 'import json,sys; d=json.loads(sys.argv[3]); d.update(round=int(sys.argv[1]), who=sys.argv[2]); print(json.dumps(d))' "$1" "$2" "$3" >>"$RESULTS"; }

# Card numbers: every latency run and throughput slice gets its own block of
# 7-digit numbers (first+1, first+2, ...) that all three renderers draw, and
# no title repeats within the server's lifetime. At seven digits ogmint's template
# settles on the 58/27 px sizes card.mjs gives the peers.
latency() { # round who first
  case $2 in
    ogmint) "$OUT_DIR/loadgen" -mode latency -url "$BASE" -n "$N" -c 1 -first "$3" ;;
    *) ask "$2" latency "$3" "$N" ;;
  esac
}
throughput() { # round who first
  case $2 in
    ogmint) "$OUT_DIR/loadgen" -mode throughput -url "$BASE" -d "${SLICE}s" -c 4 -pid "$SERVER_PID" -first "$3" ;;
    *) ask "$2" throughput "$3" "$SLICE" ;;
  esac
}

# Warm the server (module compile cache, instances, glyph caches), as the
# peers warmed up in their own processes.
"$OUT_DIR/loadgen" -mode latency -url "$BASE" -n 40 -c 1 -first 9000000 >/dev/null

WHO=(ogmint takumi satori)
rotate() { local k=$(($1 % 3)); order=("${WHO[@]:$k}" "${WHO[@]:0:$k}"); }
for r in $(seq 1 "$ROUNDS"); do
  rotate $((r - 1))
  echo "round $r: ${order[*]} (load $(cut -d' ' -f1 /proc/loadavg))" >&2
  base=$((1000000 + r * 1000000))
  for who in "${order[@]}"; do record "$r" "$who" "$(latency "$r" "$who" "$base")"; done
  for s in $(seq 1 "$SLICES"); do
    rotate $((r - 1 + s))
    for who in "${order[@]}"; do record "$r" "$who" "$(throughput "$r" "$who" $((base + s * 100000)))"; done
  done
done

# The same card from each renderer, PNG as served/returned, and how far the
# peers' pixels are from ogmint's.
CARD=1234567
curl -sf -o "$OUT_DIR/ogmint.png" -G "$BASE/api/og" --data-urlencode template=blog \
  --data-urlencode "title=Benchmark card number $CARD: how we render social images at the edge without a headless browser" \
  --data-urlencode "description=A deep dive into WebAssembly, wazero and glyph caches that make Open Graph cards render in milliseconds on two cores, with room to spare." \
  --data-urlencode tag=Engineering --data-urlencode "author=Ada Lovelace"
record 0 ogmint "{\"bytes\": $(stat -c %s "$OUT_DIR/ogmint.png")}"
for who in takumi satori; do record 0 "$who" "$(ask "$who" png "$CARD" "$OUT_DIR/$who.png")"; done
"$OUT_DIR/compare" -o "$OUT_DIR/sidebyside.png" -font templates/fonts/Inter-Bold.otf \
  ogmint="$OUT_DIR/ogmint.png" takumi="$OUT_DIR/takumi.png" satori="$OUT_DIR/satori.png" |
  while read -r line; do record 0 "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["name"])' "$line")" "$line"; done

node scripts/peers/table.mjs "$RESULTS" "$LOAD" "$OUT_DIR"
