#!/usr/bin/env bash
# Sourced by the fault tests with their name and the build folder: checks session-lab is built,
# makes a throw-away work folder ($work) whose *.stop scripts (left by tests/stores/services) run
# at exit, and gives run_test, which runs a Python test and shows the logs when it fails.

test_name=$1
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
give_up() {
  echo "$test_name: FAIL: $1"
  exit 1
}
[ -n "${2:-}" ] || give_up "usage: bash tests/faults/$test_name.sh BUILD_DIR"
lab="$(cd "$2" 2>/dev/null && pwd)/examples/session-lab"
[ -x "$lab" ] || give_up "no $lab: build session-lab first"
command -v python3 >/dev/null || give_up "python3 is missing"

work="$(mktemp -d)" || give_up "mktemp failed"
stop_all() {
  for stop in "$work"/*.stop; do [ -f "$stop" ] && bash "$stop" >/dev/null 2>&1; done
  rm -rf "$work"
}
trap stop_all EXIT

# run_test SCRIPT.py ARGS...: in the background, so that a signal reaches this shell at once; it
# stops the test (whose session-lab dies with it), then the EXIT trap stops the servers.
run_test() {
  python3 -B "$here/$1" "${@:2}" --lab "$lab" --log "$work/session-lab.log" &
  local pid=$!
  trap 'kill -TERM $pid 2>/dev/null; wait $pid; exit 130' INT
  trap 'kill -TERM $pid 2>/dev/null; wait $pid; exit 143' TERM
  wait $pid
  local status=$?
  if [ $status -ne 0 ]; then
    for log in "$work/session-lab.log" "$work"/redis/server.log "$work"/postgres/server.log; do
      [ -f "$log" ] && { echo "--- last lines of ${log#"$work"/}"; tail -n 15 "$log"; }
    done
  fi
  return $status
}
