#!/usr/bin/env bash
# Sets everything up, builds the release tree and runs the demo site on http://127.0.0.1:3000
# (sessions in ./demo-sessions.db, accounts in ./demo-users.db: a restart keeps both).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)"
exec ./build/examples/demo --port 3000
