#!/usr/bin/env bash
# Cards at build time (issue 14), side by side in one run: a batch of N
# blog cards (the peers' card texts, scripts/peers/card.mjs) rendered to
# PNG files by `ogmint render -batch` (one instance per core) and by
# satori + resvg-js in two worker threads (scripts/peers/batch.mjs), ROUNDS
# rounds alternating; cards/s for each, the whole command timed (start-up
# included). Target: ogmint >= 300 cards/s on 2 cores. Needs bin/ogmint
# (make build) and the peers' npm packages (make bench installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000}
ROUNDS=${ROUNDS:-3}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
[ -d scripts/peers/node_modules ] || (cd scripts/peers && npm ci --ignore-scripts --no-audit --no-fund >/dev/null)
echo "## Batch of $N cards, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores ($(git rev-parse --short HEAD))"
echo
echo "| round | ogmint cards/s | satori + resvg cards/s | ogmint / satori |"
echo "|---|---|---|---|"
for round in $(seq 1 "$ROUNDS"); do
  first=$((round * 100000))
  node scripts/peers/batch.mjs jsonl "$first" "$N" > "$TMP/cards.jsonl"
  t0=$(date +%s.%N)
  bin/ogmint render -batch "$TMP/cards.jsonl" -out "$TMP/ogmint-$round" > "$TMP/ogmint.log"
  t1=$(date +%s.%N)
  S=$(node scripts/peers/batch.mjs satori "$first" "$N" "$TMP/satori-$round" | python3 -c 'import json,sys; print(json.load(sys.stdin)["seconds"])')
  python3 - "$round" "$t0" "$t1" "$S" "$N" <<'PY'
import sys
r, t0, t1, s, n = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
o = n / (t1 - t0); p = n / s
print(f"| {r} | {o:.0f} | {p:.0f} | {o/p:.1f}x |")
PY
done
