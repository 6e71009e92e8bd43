#!/usr/bin/env bash
# Express with multer side by side with cortado's multipart(): runs uploads_compare.mjs against
# BUILD_DIR/tests/uploads_twin.
#   bash tests/compat/uploads_run.sh BUILD_DIR [--only SUBSTRING] [--verbose]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ $# -lt 1 ]]; then
  echo "usage: $0 BUILD_DIR [uploads_compare.mjs options]" >&2
  exit 2
fi
build_dir="$(cd "$1" && pwd)"
shift
if ! command -v node >/dev/null 2>&1; then
  echo "uploads compat: node is not installed (scripts/setup.sh installs it)" >&2
  exit 1
fi
if [[ ! -d "$here/node_modules/multer" ]]; then
  echo "uploads compat: $here/node_modules is missing packages; running npm ci" >&2
  npm ci --prefix "$here" --no-audit --no-fund >&2
fi
twin="$build_dir/tests/uploads_twin"
if [[ ! -x "$twin" ]]; then
  echo "uploads compat: $twin is not built (cmake --build $build_dir --target uploads_twin)" >&2
  exit 1
fi
exec node "$here/uploads_compare.mjs" --twin "$twin" "$@"
