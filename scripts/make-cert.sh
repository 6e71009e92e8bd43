#!/usr/bin/env bash
# A self-signed certificate for local HTTPS: names localhost and 127.0.0.1 (and ::1), ECDSA P-256,
# valid 30 days. For development only: browsers warn about it until you trust it.
#
#   bash scripts/make-cert.sh [DIR] [SERIAL]   # writes DIR/cert.pem and DIR/key.pem (DIR default: .)
#   build/examples/demo --tls-cert cert.pem --tls-key key.pem
#   curl --cacert cert.pem https://localhost:3000/
set -euo pipefail
dir="${1:-.}"
serial="${2:-}"
mkdir -p "$dir"
serial_args=()
if [[ -n "$serial" ]]; then serial_args=(-set_serial "$serial"); fi
umask 077  # the key is readable by its owner only
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
  -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,digitalSignature,keyCertSign" \
  -addext "extendedKeyUsage=serverAuth" \
  "${serial_args[@]}" \
  -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
chmod 644 "$dir/cert.pem"
echo "$dir/cert.pem and $dir/key.pem: localhost, 127.0.0.1 and ::1, 30 days"
