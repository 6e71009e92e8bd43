"""session-lab --metrics scraped with Prometheus's own text parser (prometheus_client): the figures
move exactly as the requests made between two scrapes say they should.

    python3 tests/metrics/scrape_test.py BUILD_DIR

Every request goes over one keep-alive connection: the server counts a response once it is
written, before it reads the next request on that connection, so each scrape sees every request
before it."""
import http.client
import os
import signal
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from session_lab import SessionLab, binary_in  # noqa: E402

from prometheus_client.parser import text_string_to_metric_families  # noqa: E402

failures = []


def check(condition, what):
    print(("ok    " if condition else "FAIL  ") + what)
    if not condition:
        failures.append(what)


def scrape(conn):
    conn.request("GET", "/metrics")
    res = conn.getresponse()
    body = res.read().decode()
    assert res.status == 200, res.status
    assert res.getheader("content-type") == "text/plain; version=0.0.4; charset=utf-8", res.getheader("content-type")
    samples = {}
    for family in text_string_to_metric_families(body):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def request(conn, method, path, cookie=None, body=None):
    headers = {"Cookie": cookie} if cookie else {}
    if body is not None:
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=body, headers=headers)
    res = conn.getresponse()
    res.read()
    return res


def main():
    build = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        lab = SessionLab(binary_in(build), ["--port", "0", "--threads", "2", "--metrics"], os.path.join(tmp, "lab.log"))
        port = lab.start()
        try:
            run(port)
        finally:
            lab.process.send_signal(signal.SIGTERM)
            code = lab.process.wait(timeout=20)
            check(code == 0, f"session-lab exits 0 on SIGTERM (got {code})")


def run(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    before = scrape(conn)

    first = request(conn, "GET", "/views")
    cookie = first.getheader("set-cookie").split(";")[0]
    for _ in range(4):
        request(conn, "GET", "/views", cookie)
    for key in ("a", "b", "c"):
        request(conn, "GET", f"/get/{key}", cookie)
    request(conn, "POST", "/set/k", cookie, body="5")
    request(conn, "GET", "/no/such/page")
    request(conn, "GET", "/other/missing")
    request(conn, "GET", "/throw")
    after = scrape(conn)

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    h = "http_request_duration_seconds"
    expected = [
        (("GET", "/views", "200"), 5),
        (("GET", "/get/:key", "200"), 3),
        (("POST", "/set/:key", "200"), 1),
        (("GET", "none", "404"), 2),
        (("GET", "/throw", "500"), 1),
        (("GET", "/metrics", "200"), 1),
    ]
    for (method, path, status), count in expected:
        labels = {"method": method, "path": path, "status_code": status}
        got = delta(h + "_count", **labels)
        check(got == count, f"{method} {path} {status}: {count} requests counted (got {got})")
        check(value(after, h + "_bucket", le="+Inf", **labels) == value(after, h + "_count", **labels),
              f"{method} {path} {status}: the +Inf bucket holds every request")
    check(not any(labels and dict(labels).get("path", "").startswith(("/no/", "/other/", "/get/a"))
                  for (_, labels) in after), "no raw path became a label value")

    views = {"method": "GET", "path": "/views", "status_code": "200"}
    total = delta(h + "_sum", **views)
    # Five requests on the loopback took more than nothing and less than the test's own timeout.
    check(0 < total < 5 * 10, f"GET /views: the durations' sum is within bounds ({total:.6f} s)")
    buckets = sorted((float(dict(labels)["le"]), v) for (name, labels), v in after.items()
                     if name == h + "_bucket" and all(dict(labels).get(k) == v2 for k, v2 in views.items()))
    check(all(a[1] <= b[1] for a, b in zip(buckets, buckets[1:])), "buckets are cumulative")

    s = "session_store_duration_seconds_count"
    # /views: a new session saved, then 4 loads and saves; /get x3: loads (and touches, nothing
    # changed); /set: a load and a save. The requests without a cookie touch no store.
    check(delta(s, store="memory", operation="load") == 8, f"8 session loads (got {delta(s, store='memory', operation='load')})")
    check(delta(s, store="memory", operation="save") == 6, f"6 session saves (got {delta(s, store='memory', operation='save')})")
    check(delta(s, store="memory", operation="touch") == 3, f"3 session touches (got {delta(s, store='memory', operation='touch')})")
    check(delta(s, store="memory", operation="destroy") == 0, "no session destroyed")
    check(delta("session_store_errors_total", store="memory", operation="save") == 0, "no store errors")
    check(value(after, "session_store_sessions", store="memory") == 1, "one live session in the memory store")
    check(value(after, "http_open_connections") == 1, "one connection open: this one")

    request(conn, "POST", "/destroy", cookie)
    again = scrape(conn)
    check(value(again, "session_store_sessions", store="memory") == 0, "none left after /destroy")
    check(value(again, s, store="memory", operation="destroy") - value(after, s, store="memory", operation="destroy") == 1,
          "the destroy counted")
    conn.close()


main()
print(f"{'FAILED: ' + str(len(failures)) if failures else 'all passed'}")
sys.exit(1 if failures else 0)
