#!/usr/bin/env python3
"""A TLS client for tests/tls/run.sh, on Python's ssl module (OpenSSL underneath, but not cortado's code).

  tls_client.py check PORT CA         TLS 1.3 and 1.2 served with ALPN http/1.1; TLS 1.1 refused
  tls_client.py serial PORT CA        prints the serial number of the certificate the server presents
  tls_client.py load PORT CA STOPFILE new connections, one request each, until STOPFILE exists;
                                      prints "ok=N failed=M serials=A,B" (the serials seen, in order)
"""
import os
import socket
import ssl
import sys
import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning)  # TLS 1.0/1.1 are asked for on purpose


def context(ca, minimum=None, maximum=None, ciphers=None):
    ctx = ssl.create_default_context(cafile=ca)
    ctx.set_alpn_protocols(["http/1.1"])
    if ciphers:
        ctx.set_ciphers(ciphers)
    if minimum:
        ctx.minimum_version = minimum
    if maximum:
        ctx.maximum_version = maximum
    return ctx


def connect(port, ctx):
    raw = socket.create_connection(("127.0.0.1", port), timeout=5)
    return ctx.wrap_socket(raw, server_hostname="localhost")


def get(sock, path="/health"):
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode())
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def check(port, ca):
    with connect(port, context(ca)) as s:
        if s.version() != "TLSv1.3":
            fail(f"default version {s.version()}")
        if s.selected_alpn_protocol() != "http/1.1":
            fail(f"ALPN {s.selected_alpn_protocol()}")
        status, body = get(s)
        if status != 200 or body != b'"ok"':
            fail(f"GET /health over TLS 1.3: {status} {body!r}")
    with connect(port, context(ca, maximum=ssl.TLSVersion.TLSv1_2)) as s:
        if s.version() != "TLSv1.2":
            fail(f"TLS 1.2 asked, {s.version()} given")
        if get(s)[0] != 200:
            fail("GET over TLS 1.2")
    # SECLEVEL=0 so that this client does offer TLS 1.1: the refusal must be the server's.
    old = context(ca, minimum=ssl.TLSVersion.TLSv1, maximum=ssl.TLSVersion.TLSv1_1, ciphers="DEFAULT:@SECLEVEL=0")
    try:
        with connect(port, old) as s:
            fail(f"TLS 1.1 was accepted ({s.version()})")
    except ssl.SSLError:
        pass
    print("ok: TLS 1.3 and 1.2 with ALPN http/1.1, TLS 1.1 refused")


def serial(port, ca):
    with connect(port, context(ca)) as s:
        print(s.getpeercert()["serialNumber"])


def load(port, ca, stopfile, startedfile=None):
    # startedfile, when given, is made once a first request has been answered: the caller waits
    # for it, so that the load has seen the certificate served before any reload.
    ctx = context(ca)
    ok = failed = 0
    serials = []
    while not os.path.exists(stopfile):
        try:
            with connect(port, ctx) as s:
                number = s.getpeercert()["serialNumber"]
                if not serials or serials[-1] != number:
                    serials.append(number)
                status, _ = get(s)
                if status == 200:
                    ok += 1
                    if ok == 1 and startedfile:
                        open(startedfile, "w").close()
                else:
                    failed += 1
        except (OSError, ssl.SSLError) as e:
            failed += 1
            print("request failed:", e, file=sys.stderr)
    print(f"ok={ok} failed={failed} serials={','.join(serials)}")


if __name__ == "__main__":
    command, port, ca = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if command == "check":
        check(port, ca)
    elif command == "serial":
        serial(port, ca)
    elif command == "load":
        load(port, ca, sys.argv[4], sys.argv[5] if len(sys.argv) > 5 else None)
    else:
        fail(f"unknown command {command}")
