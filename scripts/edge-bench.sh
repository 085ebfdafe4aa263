#!/usr/bin/env bash
# Edge benchmark: per-render latency and CPU of the blog card in workerd and
# Deno (each PNG encoder), next to the Go host (wazero) and native Go, as a
# markdown section for docs/benchmarks.md ("Edge: workerd and Deno").
# Needs Go, Node 20 + npm; installs the runtimes into edge/node_modules.
# All traffic goes to 127.0.0.1.
#   scripts/edge-bench.sh [N]     N requests per server after 20 warm-up (200)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
make --no-print-directory edge build >&2
go build -o "$OUT/loadgen" ./scripts/loadgen
node edge/scripts/bench.mjs --loadgen "$OUT/loadgen" --host bin/ogmint --n "$N"
