#!/usr/bin/env bash
# session-lab's GET /ws driven by Python's websockets (Debian's python3-websockets). $1: the build folder.
set -euo pipefail
exec /usr/bin/python3 "$(dirname "$0")/session_lab_ws.py" "$1"
