#!/usr/bin/env bash
# Views, app.param / app.route / Router options and req/res extras side by side with Express 5 and
# mustache-express: compare.mjs with views_app.js and views_cases.mjs against BUILD_DIR/tests/views_twin.
#   bash tests/compat/views_run.sh BUILD_DIR [compare.mjs options, e.g. --only param --verbose]
# CTest runs it as the `views_compat` test (tests/CMakeLists.txt).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ $# -lt 1 ]]; then
  echo "usage: $0 BUILD_DIR [compare.mjs options]" >&2
  exit 2
fi
build_dir="$(cd "$1" && pwd)"
shift

if ! command -v node >/dev/null 2>&1; then
  echo "views_compat: node is not installed (scripts/setup installs it)" >&2
  exit 1
fi
if [[ ! -d "$here/node_modules/mustache-express" ]]; then
  echo "views_compat: $here/node_modules is missing or old; running npm ci" >&2
  npm ci --prefix "$here" --no-audit --no-fund >&2
fi
twin="$build_dir/tests/views_twin"
if [[ ! -x "$twin" ]]; then
  echo "views_compat: $twin is not built (cmake --build BUILD_DIR --target views_twin)" >&2
  exit 1
fi

exec node "$here/compare.mjs" --twin "$twin" --app views_app.js --cases views_cases.mjs "$@"
