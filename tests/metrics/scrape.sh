#!/usr/bin/env bash
# session-lab --metrics scraped by prometheus_client's text parser (scrape_test.py).
#
#   tests/metrics/scrape.sh BUILD_DIR
#
# Debian's python3 runs it: the parser is Debian's python3-prometheus-client (scripts/setup.sh),
# which another python3 first on PATH (a pyenv, a venv) would not see.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python=/usr/bin/python3
[ -x "$python" ] || python=python3
if ! "$python" -c 'import prometheus_client' 2>/dev/null; then
  echo "FAIL: prometheus_client is missing (apt-get install python3-prometheus-client)" >&2
  exit 1
fi
exec "$python" -B "$here/scrape_test.py" "$@"
