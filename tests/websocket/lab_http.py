"""What the WebSocket scripts share: the failures they collect, and HTTP to a session-lab."""
import json
import urllib.request

failures = []


def check(what, actual, expected):
    if actual != expected:
        failures.append(f"{what}: expected {expected!r}, got {actual!r}")


def http(port, method, path, cookie=None, body=None):
    """One request; returns (the JSON answer, the session cookie: the new one if set, else `cookie`)."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if cookie:
        request.add_header("Cookie", cookie)
    with urllib.request.urlopen(request, timeout=5) as res:
        set_cookie = res.headers.get("Set-Cookie")
        return json.loads(res.read() or b"null"), set_cookie.split(";")[0] if set_cookie else cookie
