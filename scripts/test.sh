#!/usr/bin/env bash
# Sets everything up, builds (release, and ASan+UBSan in its own folder) and runs the whole
# test suite: unit, integration, stores against real servers, and Node side by side.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
jobs=$(nproc)

started=$SECONDS
cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs"
echo "test: release build took $((SECONDS - started)) s"
ctest --preset release -j 1
echo "test: release tests done at $((SECONDS - started)) s"

cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs"
echo "test: sanitizer build done at $((SECONDS - started)) s"
ctest --preset asan -j 1
echo "test: all done in $((SECONDS - started)) s"
