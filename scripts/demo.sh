#!/usr/bin/env bash
# Sets everything up, builds the release tree and runs the demo site on http://127.0.0.1:3000.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)"
exec ./build/examples/hello 3000
