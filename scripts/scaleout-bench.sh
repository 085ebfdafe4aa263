#!/usr/bin/env bash
# Scale-out figures of issue 13, side by side in one run on this machine:
#   - V2 new renders/s and dedup hits/s: 1 host on SQLite against 2 hosts on
#     one PostgreSQL (host/cmd/ogmint BenchmarkScaleOut: child processes,
#     4 clients per core spread round robin);
#   - webhook deliveries/s through the queue, store.CreateRender to the
#     receiver's first arrival over HTTP on 127.0.0.1 (scripts/webhook-bench
#     -mode create): PostgreSQL against SQLite, with p99 latency, lost and
#     doubled deliveries.
# Starts a throwaway PostgreSQL with durable settings (fsync on) in a temp
# dir, as the postgres user when run as root, on a free port; removes it at
# the end. Needs Debian's postgresql server binaries. ROUNDS (3), RATE
# (2500/s), DURATION (10s).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
RATE=${RATE:-2500}
DURATION=${DURATION:-10s}
BIN=$(dirname "$(readlink -f "$(command -v initdb 2>/dev/null || ls /usr/lib/postgresql/*/bin/initdb | tail -1)")")
PGDIR=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() { as_pg "$BIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$PGDIR"; }
trap cleanup EXIT
[ "$(id -u)" = 0 ] && chown postgres "$PGDIR"
as_pg "$BIN/initdb" -D "$PGDIR/data" -A trust -U postgres >/dev/null
as_pg "$BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories='' -c max_connections=200" start >/dev/null
URL="postgres://postgres@127.0.0.1:$PORT"
newdb() { local name="bench_$1_$RANDOM"; as_pg "$BIN/psql" -q -h 127.0.0.1 -p "$PORT" -U postgres -c "CREATE DATABASE $name" >/dev/null; echo "$URL/$name"; }

echo "## Scale-out, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores ($(git rev-parse --short HEAD)); PostgreSQL $("$BIN/postgres" --version | awk '{print $3}'), fsync on"
echo
echo '### V2 over HTTP (BenchmarkScaleOut, -benchtime 600x)'
echo '```'
[ -n "${QUEUE_ONLY:-}" ] || OGMINT_TEST_POSTGRES_URL="$URL/postgres" go test -run XXX -bench ScaleOut -benchtime 600x -count "$ROUNDS" ./host/cmd/ogmint/ | grep -E '^Benchmark'
echo '```'
echo
echo "### Webhook deliveries through the queue (webhook-bench -mode create, $RATE/s for $DURATION)"
echo
go build -o "$PGDIR/webhook-bench" ./scripts/webhook-bench
for round in $(seq 1 "$ROUNDS"); do
  for backend in sqlite postgres; do
    echo "#### round $round, $backend"
    echo '```'
    if [ "$backend" = postgres ]; then
      "$PGDIR/webhook-bench" -mode create -producers "${PRODUCERS:-48}" -rate "$RATE" -duration "$DURATION" -database-url "$(newdb r$round)" | tail -n +2
    else
      "$PGDIR/webhook-bench" -mode create -rate "$RATE" -duration "$DURATION" | tail -n +2
    fi
    echo '```'
  done
done
