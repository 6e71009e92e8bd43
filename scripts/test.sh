#!/usr/bin/env bash
# Sets everything up, builds (release, and ASan+UBSan in its own folder) and runs the whole
# test suite: unit, integration, stores against real servers, Node side by side, load, faults,
# and a short run of every fuzz target.
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
echo "test: sanitizer tests done at $((SECONDS - started)) s"

# libFuzzer targets (clang, ASan + UBSan, build-fuzz/): regressions replayed, then 20 s each.
bash scripts/fuzz.sh --seconds 20
echo "test: all done in $((SECONDS - started)) s"
