#!/usr/bin/env bash
# HTTPS with clients that are not cortado's: curl and Python's ssl module against session-lab
# with --tls-cert/--tls-key, certificates from scripts/make-cert.sh. A bad certificate at start
# (one line, exit 1), TLS 1.3/1.2 with ALPN, TLS 1.1 refused, SIGHUP reload while a client keeps
# connecting (no failed request, the new serial seen), a reload with a bad file (the old one kept).
#
#   bash tests/tls/run.sh BUILD_DIR
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$here/../.."
build="$(cd "${1:?usage: run.sh BUILD_DIR}" && pwd)"
lab="$build/examples/session-lab"
work="$(mktemp -d)"
pid=""
cleanup() {
  if [[ -n "$pid" ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; [[ -f "$work/lab.err" ]] && sed 's/^/  lab: /' "$work/lab.err"; exit 1; }

bash "$root/scripts/make-cert.sh" "$work/a" 4097 >/dev/null   # serial 1001
bash "$root/scripts/make-cert.sh" "$work/b" 8194 >/dev/null   # serial 2002
cat "$work/a/cert.pem" "$work/b/cert.pem" > "$work/both.pem"
mkdir "$work/live"
cp "$work/a/cert.pem" "$work/a/key.pem" "$work/live/"

# A certificate that cannot be used: one line on stderr, exit code 1, nothing served.
set +e
"$lab" --port 0 --tls-cert "$work/missing.pem" --tls-key "$work/a/key.pem" >"$work/out" 2>"$work/err"
code=$?
"$lab" --port 0 --tls-cert "$work/a/cert.pem" --tls-key "$work/b/key.pem" >>"$work/out" 2>"$work/err2"
code2=$?
set -e
[[ $code == 1 && $code2 == 1 ]] || fail "bad certificate or key: exit codes $code, $code2 (want 1)"
[[ $(wc -l <"$work/err") == 1 && $(wc -l <"$work/err2") == 1 ]] || fail "bad certificate: not one line: $(cat "$work/err" "$work/err2")"
grep -q "missing.pem" "$work/err" || fail "the error does not name the file: $(cat "$work/err")"
! grep -q listening "$work/out" || fail "a server with a bad certificate said it was listening"
echo "ok: bad certificate: $(cat "$work/err")"
echo "ok: bad key: $(cat "$work/err2")"

"$lab" --port 0 --threads 2 --tls-cert "$work/live/cert.pem" --tls-key "$work/live/key.pem" >"$work/lab.out" 2>"$work/lab.err" &
pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/lab.out" 2>/dev/null && break; sleep 0.1; done
port="$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$work/lab.out")"
[[ -n "$port" ]] || fail "session-lab did not start"

# curl, verifying the certificate by name.
body="$(curl -sS --cacert "$work/a/cert.pem" --resolve "localhost:$port:127.0.0.1" "https://localhost:$port/health")"
[[ "$body" == '"ok"' ]] || fail "curl: $body"
cookie="$(curl -sS -D - -o /dev/null --cacert "$work/a/cert.pem" --resolve "localhost:$port:127.0.0.1" \
  -X POST -H 'Content-Type: application/json' --data '{"value":1}' "https://localhost:$port/set/x")"
echo "$cookie" | grep -qi '^set-cookie:' || fail "curl: no session cookie: $cookie"
if curl -sS --cacert "$work/a/cert.pem" --resolve "localhost:$port:127.0.0.1" --tlsv1.1 --tls-max 1.1 \
  --ciphers 'DEFAULT:@SECLEVEL=0' "https://localhost:$port/health" >/dev/null 2>&1; then
  fail "curl: TLS 1.1 accepted"
fi
echo "ok: curl over HTTPS; TLS 1.1 refused"

python3 "$here/tls_client.py" check "$port" "$work/a/cert.pem" || fail "python check"

# SIGHUP while a client keeps connecting: no failed request, and the new certificate is seen.
python3 "$here/tls_client.py" load "$port" "$work/both.pem" "$work/stop" "$work/started" >"$work/load.out" &
loader=$!
# The reload comes once the load has been answered with the first certificate (a fixed pause was
# too short on a busy machine: the load then saw only the second one).
for _ in $(seq 200); do
  [[ -e "$work/started" ]] && break
  sleep 0.1
done
[[ -e "$work/started" ]] || fail "reload under load: no request answered in 20 s"
cp "$work/b/cert.pem" "$work/b/key.pem" "$work/live/"
kill -HUP "$pid"
for _ in $(seq 100); do
  [[ "$(python3 "$here/tls_client.py" serial "$port" "$work/both.pem")" == "2002" ]] && break
  sleep 0.1
done
sleep 0.5
touch "$work/stop"
wait "$loader"
result="$(cat "$work/load.out")"
[[ "$result" == *"failed=0"* && "$result" == *"serials=1001,2002" ]] || fail "reload under load: $result"
grep -q "certificates reloaded" "$work/lab.err" || fail "no reload line on stderr"
echo "ok: SIGHUP reload under load: $result"

# A reload with a bad file keeps the old certificate and says why, on one line.
echo "half a certificate" >"$work/live/cert.pem"
kill -HUP "$pid"
for _ in $(seq 50); do grep -q "reload failed" "$work/lab.err" && break; sleep 0.1; done
grep -q "certificate reload failed, keeping the old certificate: .*cert.pem" "$work/lab.err" || fail "no line for the failed reload"
[[ "$(python3 "$here/tls_client.py" serial "$port" "$work/both.pem")" == "2002" ]] || fail "the old certificate was not kept"
echo "ok: bad reload kept the certificate: $(grep 'reload failed' "$work/lab.err")"

kill -TERM "$pid"
wait "$pid" || fail "session-lab exited with $?"
pid=""
echo "PASS"
