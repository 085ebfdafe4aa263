#!/usr/bin/env bash
# Peer benchmark: satori + @resvg/resvg-js. See bench.mjs for env vars
# (N, OUT_PNG, OGMINT_FONT_REGULAR, OGMINT_FONT_BOLD).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
if [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund >&2
fi
exec node bench.mjs
