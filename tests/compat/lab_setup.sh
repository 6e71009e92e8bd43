# Sourced by the suites that run cortado's session-lab beside tests/compat/session_lab.js
# (session_run.sh, logger_run.sh, ws_run.sh). The caller sets `here` (this folder) first.

# Says why the suite cannot run, with the "N passed, M failed" line the suites end with.
lab_fail() {
  echo "$1" >&2
  echo "0 passed, 1 failed"
  exit 2
}

# lab_setup USAGE BUILD_DIR: sets `lab` to BUILD_DIR's session-lab, checks node, and brings
# node_modules up to package-lock.json; exits through lab_fail when something is missing.
lab_setup() {
  local usage="$1"
  shift
  [ $# -ge 1 ] || lab_fail "usage: $usage"
  local build
  build="$(cd "$1" 2>/dev/null && pwd)" || lab_fail "no build directory $1"
  lab="$build/examples/session-lab"
  [ -x "$lab" ] || lab_fail "no $lab: build it with ninja -C $build session-lab"
  command -v node >/dev/null || lab_fail "node is not installed"
  # npm ci when node_modules is missing or older than the lock file: a package added since
  # (session_lab.js needs every package of every suite) must be there before the first suite.
  if [ ! -f "$here/node_modules/.package-lock.json" ] || [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
    (cd "$here" && npm ci --no-audit --no-fund) >&2 || lab_fail "npm ci failed"
  fi
}
