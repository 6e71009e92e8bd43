#!/usr/bin/env bash
# cortado's nodemon: builds and runs the demo, then rebuilds and restarts it whenever a source
# file under examples/, include/ or src/ (or a CMakeLists.txt) changes. Ctrl-C stops both.
#   bash scripts/dev-demo.sh [demo flags, e.g. --port 3000 --store memory]
# Environment: CORTADO_DEV_BUILD (build folder, default build-dev, a Debug build: quick to
# compile), CORTADO_DEV_JOBS (parallel compile jobs, default all cores).
# Sessions stay in ./demo-sessions.db by default, so a restart keeps you logged in.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${CORTADO_DEV_BUILD:-build-dev}
jobs=${CORTADO_DEV_JOBS:-$(nproc)}
if ! command -v inotifywait >/dev/null 2>&1; then
  echo "dev-demo: inotifywait is missing (apt-get install -y inotify-tools, or bash scripts/setup.sh)" >&2
  exit 1
fi
if [[ ! -f "$build_dir/build.ninja" ]]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCORTADO_TESTS=OFF -DCORTADO_BENCH=OFF >/dev/null
fi

demo_pid=
watch_pid=
stop_demo() {
  if [[ -n "$demo_pid" ]] && kill -0 "$demo_pid" 2>/dev/null; then
    kill -TERM "$demo_pid"  # graceful: requests in flight finish first
    wait "$demo_pid" 2>/dev/null || true
  fi
  demo_pid=
}
# The watcher runs in the background and the loop waits for it, so that Ctrl-C or a TERM ends
# the script at once (bash runs a trap only after a foreground child returns).
trap '[[ -n "$watch_pid" ]] && kill "$watch_pid" 2>/dev/null; stop_demo; exit 0' INT TERM

while true; do
  if cmake --build "$build_dir" --target demo -j "$jobs"; then
    "$build_dir/examples/demo" "$@" &
    demo_pid=$!
  else
    echo "dev-demo: the build failed; fix the file and save it again" >&2
  fi
  # Block until something changes; editors' swap, backup and hidden files do not count.
  inotifywait -qq -r -e close_write,create,delete,move \
    --exclude '(/\.[^/]*$|~$|\.swp$|/[0-9]+$)' examples include src CMakeLists.txt &
  watch_pid=$!
  if ! wait "$watch_pid"; then
    echo "dev-demo: inotifywait failed (too many watches? see /proc/sys/fs/inotify/max_user_watches)" >&2
    stop_demo
    exit 1
  fi
  watch_pid=
  sleep 0.3  # an editor saves in several writes: let them land before building
  echo "dev-demo: change seen, rebuilding" >&2
  stop_demo
done
