#!/usr/bin/env bash
# Express side by side: runs compare.mjs against BUILD_DIR/tests/express_twin.
#   bash tests/compat/run.sh BUILD_DIR [compare.mjs options, e.g. --only redirect --verbose]
# CTest runs it as the `compat` test (tests/CMakeLists.txt).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ $# -lt 1 ]]; then
  echo "usage: $0 BUILD_DIR [compare.mjs options]" >&2
  exit 2
fi
build_dir="$(cd "$1" && pwd)"
shift

if ! command -v node >/dev/null 2>&1; then
  echo "compat: node is not installed (scripts/setup installs it)" >&2
  exit 1
fi
if [[ ! -d "$here/node_modules" ]]; then
  echo "compat: $here/node_modules is missing; running npm ci" >&2
  npm ci --prefix "$here" --no-audit --no-fund >&2
fi

# add_executable in tests/CMakeLists.txt puts the compat programs in the tests/ subfolder.
twin="$build_dir/tests/express_twin"
if [[ ! -x "$twin" ]]; then
  echo "compat: $twin is not built (ninja -C $build_dir express_twin)" >&2
  exit 1
fi

exec node "$here/compare.mjs" --twin "$twin" "$@"
