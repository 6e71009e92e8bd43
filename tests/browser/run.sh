#!/usr/bin/env bash
# The demo site in a real browser: Debian's chromium, headless, driven by playwright-core; then
# uploads from a multipart form (uploads.spec.mjs).
#   bash tests/browser/run.sh BUILD_DIR [demo.spec.mjs options]
# Needs BUILD_DIR/examples/demo (ninja -C BUILD_DIR demo), node, and /usr/bin/chromium
# (scripts/setup.sh installs them). Screenshots go to BUILD_DIR/browser-screenshots.
# CTest runs it as the `browser` test; the last line says "N passed, M failed".
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ $# -lt 1 ]]; then
  echo "usage: $0 BUILD_DIR [demo.spec.mjs options]" >&2
  exit 2
fi
build_dir="$(cd "$1" && pwd)"
shift

demo="$build_dir/examples/demo"
if [[ ! -x "$demo" ]]; then
  echo "browser: $demo is not built (ninja -C $build_dir demo)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
for tool in node npm /usr/bin/chromium; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "browser: $tool is missing (bash scripts/setup.sh installs it)" >&2
    echo "0 passed, 1 failed"
    exit 1
  fi
done
if [[ ! -d "$here/node_modules/playwright-core" ]]; then
  echo "browser: installing playwright-core (npm ci); no browser is downloaded" >&2
  # playwright-core never downloads a browser; the variable makes sure of it.
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$here" --no-audit --no-fund --loglevel=error >&2
fi

# The summary line comes last even when node dies before printing it (a missing module, a crash).
# The walk runs twice: over HTTP, then over HTTPS (its screenshots in browser-screenshots/https).
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
passed=0
failed=0
for scheme in http https; do
  shots="$build_dir/browser-screenshots"
  extra=()
  if [[ $scheme == https ]]; then shots="$shots/https"; extra=(--tls); fi
  echo "--- over $scheme"
  node "$here/demo.spec.mjs" --demo "$demo" --screenshots "$shots" "${extra[@]}" "$@" 2>&1 | tee "$log" || status=1
  summary="$(tail -n 1 "$log")"
  if [[ $summary =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    passed=$((passed + BASH_REMATCH[1]))
    failed=$((failed + BASH_REMATCH[2]))
  else
    failed=$((failed + 1))
    status=1
  fi
done
# Uploads from the browser: a multipart form posted to the uploads twin (tests/compat/uploads_twin.cpp).
echo "--- uploads"
node "$here/uploads.spec.mjs" --twin "$build_dir/tests/uploads_twin" 2>&1 | tee "$log" || status=1
summary="$(tail -n 1 "$log")"
if [[ $summary =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
  passed=$((passed + BASH_REMATCH[1]))
  failed=$((failed + BASH_REMATCH[2]))
else
  failed=$((failed + 1))
  status=1
fi
echo "$passed passed, $failed failed"
exit "$status"
