"""Two session-lab processes sharing one Redis (or PostgreSQL): a socket open on A is closed with 4401 when its
session is logged out through B, or when B logs its user out everywhere; broadcasts sent through
B (to a session, an owner, a room) reach the socket on A (one Redis, or a Redis Cluster); a broadcast A sends reaches its own
socket once, not a second time when Redis hands A its own message back; a session expiring in
Redis closes its socket, and --ws-require-session refuses a socket without a stored session. Behind
Sentinel, a logout through B still closes A's socket after a SENTINEL FAILOVER.
Usage: cross_process_ws.py BUILD_DIR STORE_URL (redis://, redis-cluster://, redis-sentinel:// or postgresql://)"""
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from session_lab import SessionLab, binary_in  # noqa: E402

import websockets  # noqa: E402
from websockets.exceptions import ConnectionClosed, InvalidStatusCode  # noqa: E402

from lab_http import check, failures, http  # noqa: E402

# Generous: the socket must close or hear within this bound at all (it takes milliseconds).
BOUND = 10


async def recv(ws):
    try:
        return await asyncio.wait_for(ws.recv(), BOUND)
    except (asyncio.TimeoutError, ConnectionClosed) as e:
        return f"nothing ({type(e).__name__})"


async def close_code_of(ws, start=None):
    start = start if start is not None else time.monotonic()
    try:
        message = await asyncio.wait_for(ws.recv(), BOUND)
        return f"still open (got {message!r})", None
    except ConnectionClosed as closed:
        return (closed.rcvd.code if closed.rcvd else None), time.monotonic() - start
    except asyncio.TimeoutError:
        return "still open", None


def login(port, user):
    _, cookie = http(port, "POST", "/set/user", body=user)
    http(port, "POST", f"/owner/{user}", cookie)
    session_id, _ = http(port, "GET", "/id", cookie)
    return cookie, session_id


async def main(a, b):
    url_a = f"ws://127.0.0.1:{a}/ws"
    cookie, sid = login(a, "ann")
    async with websockets.connect(url_a, extra_headers={"Cookie": cookie}) as ws:
        check("data on open", json.loads(await recv(ws)), {"user": "ann"})
        http(b, "POST", f"/ws/send/session/{sid}", body="to the session")
        check("B's broadcast to the session reaches A", await recv(ws), '"to the session"')
        http(b, "POST", "/ws/send/owner/ann", body="to ann")
        check("B's broadcast to the owner reaches A", await recv(ws), '"to ann"')
        await ws.send(json.dumps({"join": "lobby"}))
        check("join", await recv(ws), '"ok"')
        http(b, "POST", "/ws/send/room/lobby", body="to the lobby")
        check("B's broadcast to the room reaches A", await recv(ws), '"to the lobby"')
        http(b, "POST", "/ws/send/room/elsewhere", body="not for A")
        # A's own broadcasts come back to A from Redis: delivered once all the same. The marker
        # from B comes after both echoes on the same subscription, so a duplicate would come first.
        http(a, "POST", "/ws/send/room/lobby", body="once")
        http(a, "POST", "/ws/send/room/lobby", body="twice")
        http(b, "POST", "/ws/send/room/lobby", body="marker")
        got = [await recv(ws) for _ in range(3)]
        check("A's own broadcasts, each once, then B's", got, ['"once"', '"twice"', '"marker"'])

        start = time.monotonic()
        http(b, "POST", "/logout", cookie)
        code, took = await close_code_of(ws, start)
        check("logout through B closes A's socket", code, 4401)
        if took is not None:
            print(f"logout through B closed the socket on A in {took * 1000:.0f} ms")
            if took > 1.0:
                failures.append(f"the socket closed {took:.2f} s after the logout (more than a second)")

    # Log out everywhere else through B: ann's other session's socket on A closes, hers on B's
    # own session (the one that asked) stays.
    laptop, _ = login(b, "ann")
    phone, _ = login(a, "ann")
    bob, _ = login(a, "bob")
    async with websockets.connect(url_a, extra_headers={"Cookie": phone}) as phone_ws, \
            websockets.connect(url_a, extra_headers={"Cookie": bob}) as bob_ws, \
            websockets.connect(f"ws://127.0.0.1:{b}/ws", extra_headers={"Cookie": laptop}) as laptop_ws:
        for ws in (phone_ws, bob_ws, laptop_ws):
            await recv(ws)
        ended, _ = http(b, "POST", "/owner/ann/destroy-all", laptop)
        check("destroy-all ended one session", ended, 1)
        code, _ = await close_code_of(phone_ws)
        check("destroy-all through B closes ann's other socket on A", code, 4401)
        http(b, "POST", "/ws/send/owner/bob", body="bob stays")
        check("bob's socket on A stays open", await recv(bob_ws), '"bob stays"')
        http(a, "POST", "/ws/send/owner/ann", body="laptop stays")
        check("the asking session's socket on B stays open", await recv(laptop_ws), '"laptop stays"')


def sentinel_master(port):
    out = subprocess.run(["redis-cli", "-p", str(port), "sentinel", "get-master-addr-by-name", "cortado"],
                         capture_output=True, text=True, timeout=10).stdout.split()
    return out[1] if len(out) == 2 else None


def fail_over(sentinel_ports):
    """SENTINEL FAILOVER, then until both processes log in again (their store connections follow
    the new master); False when that does not happen within a minute."""
    before = sentinel_master(sentinel_ports[0])
    subprocess.run(["redis-cli", "-p", str(sentinel_ports[0]), "sentinel", "failover", "cortado"],
                   capture_output=True, timeout=10)
    deadline = time.monotonic() + 60
    started = time.monotonic()
    while time.monotonic() < deadline and sentinel_master(sentinel_ports[0]) == before:
        time.sleep(0.2)
    after = sentinel_master(sentinel_ports[0])
    print(f"SENTINEL FAILOVER: master :{before} -> :{after} in {time.monotonic() - started:.1f} s")
    return after != before


async def after_failover(a, b):
    # A logout through B, after the master moved: the processes' listening connections follow it
    # (or hear the new master's messages through the old one, now its replica).
    deadline = time.monotonic() + 60
    while True:
        try:
            cookie, sid = login(a, "cy")
            http(b, "GET", "/id", cookie)
            break
        except OSError:  # a 500 (HTTPError) or a refused connection while the store reconnects
            if time.monotonic() > deadline:
                failures.append("no login succeeded within a minute of the failover")
                return
            time.sleep(0.2)
    async with websockets.connect(f"ws://127.0.0.1:{a}/ws", extra_headers={"Cookie": cookie}) as ws:
        check("data on open, after the failover", json.loads(await recv(ws)), {"user": "cy"})
        # A's listening connection may be reconnecting (Sentinel drops the old master's clients):
        # B's broadcasts are sent until one reaches A, then the ones still on their way are read.
        heard = False
        deadline = time.monotonic() + 30
        while not heard and time.monotonic() < deadline:
            http(b, "POST", f"/ws/send/session/{sid}", body="probe")
            try:
                heard = await asyncio.wait_for(ws.recv(), 1) == '"probe"'
            except asyncio.TimeoutError:
                pass
        check("after the failover, B's broadcasts reach A again", heard, True)
        while True:
            try:
                await asyncio.wait_for(ws.recv(), 0.5)
            except asyncio.TimeoutError:
                break
        http(b, "POST", "/logout", cookie)
        code, _ = await close_code_of(ws)
        check("after a Sentinel failover, logout through B closes A's socket", code, 4401)


async def expiry(port):
    # --max-age 1500 and nothing touching the session: Redis lets it go (its TTL rounded up to the
    # second) and the socket closes with 4401; the lab refuses a socket without a stored session.
    _, cookie = http(port, "POST", "/set/user", body="ann")
    url = f"ws://127.0.0.1:{port}/ws"
    try:
        async with websockets.connect(url):
            failures.append("--ws-require-session let a socket without a session in")
    except InvalidStatusCode as refused:
        check("no session: refused before the upgrade", refused.status_code, 401)
    async with websockets.connect(url, extra_headers={"Cookie": cookie}) as ws:
        await recv(ws)
        code, _ = await close_code_of(ws)
        check("an expired session closes its socket", code, 4401)


if __name__ == "__main__":
    build, redis_url = sys.argv[1], sys.argv[2]  # or a postgresql:// URL
    # A prefix of this run's own on Redis; PostgreSQL's database is this run's alone.
    joiner = "&" if "?" in redis_url else "?"
    store = redis_url if redis_url.startswith("postgres") else f"{redis_url}{joiner}prefix=wsx{os.getpid()}:"
    with tempfile.TemporaryDirectory() as folder:
        labs = [SessionLab(binary_in(build), ["--port", "0", "--threads", "2", "--store", store],
                           os.path.join(folder, f"lab{i}.log")) for i in range(2)]
        labs.append(SessionLab(binary_in(build), ["--port", "0", "--store", store, "--max-age", "1500",
                                                  "--ws-require-session"], os.path.join(folder, "lab2.log")))
        try:
            for lab in labs:
                lab.start()
            asyncio.run(main(labs[0].port, labs[1].port))
            if redis_url.startswith("redis-sentinel"):
                ports = os.environ["CORTADO_TEST_REDIS_SENTINEL_PORTS"].split()
                if fail_over(ports):
                    asyncio.run(after_failover(labs[0].port, labs[1].port))
                else:
                    failures.append("SENTINEL FAILOVER did not move the master within a minute")
            asyncio.run(expiry(labs[2].port))
        finally:
            for lab in labs:
                lab.stop()
    if failures:
        print("FAIL:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print(f"ok: WebSockets across two processes sharing {redis_url.split(':')[0]}")
