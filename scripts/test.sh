#!/usr/bin/env bash
# Sets everything up, builds (release, and ASan+UBSan in its own folder) and runs the whole
# test suite: unit, integration, stores against real servers, and Node side by side.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
jobs=$(nproc)

cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs"
ctest --preset release -j 1

cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs"
ctest --preset asan -j 1
