"""A store that answers slowly must not hold up requests that do not touch it.

    python3 slow_store.py --lab BUILD/examples/session-lab --redis-port P

Puts a delaying TCP proxy between session-lab (one I/O thread, so one event loop serves every
request) and Redis. Phase "slow": every chunk waits --delay seconds each way, under the Redis
store's 2 s command timeout; requests that need the session stall, and while they do, requests
that never touch the store (GET /health, before the session middleware; GET / and a forged
cookie, which the middleware answers without the store) must all be answered before any stalled
one is (an ordering check, not a time limit); then the stalled ones must answer correctly.
Phase "silent": the delay is above the command timeout; the same ordering must hold, and the
stalled requests must end in a 500 with a one-line reason instead of hanging. Finally, with no
delay, the store must work again.
"""

import argparse
import asyncio
import json
import sys
import threading
import time

import driver

FAST_REQUESTS = [("GET", "/health", None)] * 3 + [("GET", "/", None), ("GET", "/get/k", "connect.sid=s%3Aforged.sig")]


class DelayProxy:
    """Forwards TCP between clients and 127.0.0.1:upstream_port, each chunk held `delay` seconds
    from its arrival (chunks keep their order and delays do not add up), on its own thread."""

    def __init__(self, upstream_port):
        self.upstream_port = upstream_port
        self.delay = 0.0
        self.received = 0  # chunks from session-lab, for "the slow requests have reached the store"
        self.port = None
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        threading.Thread(target=self.run, args=(ready,), daemon=True).start()
        if not ready.wait(10):
            raise RuntimeError("the delaying proxy did not start")

    def run(self, ready):
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self.accept, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        ready.set()
        self.loop.run_forever()

    async def accept(self, client_reader, client_writer):
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(self.pump(client_reader, upstream_writer, count=True),
                             self.pump(upstream_reader, client_writer, count=False))

    async def pump(self, reader, writer, count):
        queue = asyncio.Queue()
        sender = asyncio.create_task(self.send_later(queue, writer))
        try:
            while data := await reader.read(65536):
                if count:
                    self.received += 1
                queue.put_nowait((self.loop.time() + self.delay, data))
        except OSError:
            pass
        queue.put_nowait((self.loop.time() + self.delay, None))  # close after what is queued
        await sender

    async def send_later(self, queue, writer):
        try:
            while True:
                due, data = await queue.get()
                await asyncio.sleep(max(0.0, due - self.loop.time()))
                if data is None:
                    break
                writer.write(data)
                await writer.drain()
        except OSError:
            pass
        writer.close()


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lab", required=True)
    parser.add_argument("--redis-port", type=int, required=True)
    parser.add_argument("--log", default="session-lab.log")
    # Each way, so a command's round trip takes twice this: under the 2 s command timeout of
    # the Redis store for "slow", well above it for "silent".
    parser.add_argument("--delay", type=float, default=0.6)
    parser.add_argument("--silent-delay", type=float, default=2.5)
    parser.add_argument("--fast-rounds", type=int, default=5, help="rounds of FAST_REQUESTS per client")
    return parser.parse_args()


def in_threads(calls):
    """Runs each function on its own thread; returns the threads and a list their results fill."""
    results = [None] * len(calls)

    def run(i, call):
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, call), daemon=True) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    return threads, results


def stalled_requests(port, sessions):
    """Calls that need the store: a read of each session (GET, then a touch) and two new sessions."""
    calls = [lambda s=s: ("read", s, driver.Client(port).call("GET", "/get/k", cookie=s.cookie)) for s in sessions]
    for n in range(2):
        value = {"v": f"written-while-slow-{n}"}
        calls.append(lambda value=value: ("write", value, driver.Client(port).call("POST", "/set/k", json.dumps(value))))
    return calls


def fast_requests(port, rounds):
    client = driver.Client(port)
    replies = [(method, path, client.call(method, path, cookie=cookie))
               for _ in range(rounds) for method, path, cookie in FAST_REQUESTS]
    client.close()
    return replies


def run_phase(name, port, proxy, delay, sessions, rounds, checks):
    """Stalls requests behind `delay`, sends the fast ones meanwhile; returns the stalled results."""
    proxy.delay = delay
    before = proxy.received
    stalled, stalled_results = in_threads(stalled_requests(port, sessions))
    deadline = time.monotonic() + 10
    while proxy.received == before and time.monotonic() < deadline:
        time.sleep(0.005)
    checks.expect(proxy.received > before, f"{name}: the stalled requests never reached the store")
    fast, fast_results = in_threads([lambda: fast_requests(port, rounds)] * 2)
    for thread in fast + stalled:
        thread.join(60)
    proxy.delay = 0.0

    fast_replies = [reply for replies in fast_results if replies for _, _, reply in replies]
    checks.expect(len(fast_replies) == 2 * rounds * len(FAST_REQUESTS), f"{name}: some fast requests never returned")
    bad = [f"{m} {p} -> {r.status} {r.body[:80]}" for replies in fast_results if replies
           for m, p, r in replies if r.status != 200]
    checks.expect(not bad, f"{name}: {len(bad)} requests that do not touch the store failed, e.g. {bad[:2]}")
    done = [result for result in stalled_results if result]
    checks.expect(len(done) == len(stalled), f"{name}: some stalled requests never returned")
    last_fast = max((r.end for r in fast_replies), default=float("inf"))
    first_stalled = min((r.end for _, _, r in done), default=float("-inf"))
    checks.expect(last_fast < first_stalled,
                  f"{name}: a request behind the slow store answered before the requests that do not touch it "
                  f"(last fast one {last_fast - first_stalled:+.3f} s after the first slow one)")
    return fast_replies, done, first_stalled - last_fast


def main():
    args = parse_args()
    checks = driver.Checks("slow_store")
    proxy = DelayProxy(args.redis_port)
    lab = driver.SessionLab(args.lab, ["--port", "0", "--threads", "1", "--store", f"redis://127.0.0.1:{proxy.port}"],
                     args.log)
    try:
        port = lab.start()
    except RuntimeError as e:
        return checks.finish(f"session-lab did not start: {e}")

    # Sessions to read back while the store is slow, written while it is not.
    ledger = driver.Ledger()
    client = driver.Client(port)
    for n in range(4):
        driver.write_session(client, ledger, {"v": f"before-{n}"})
    if not checks.expect(len(ledger.sessions) == 4, f"could not write sessions: {driver.reasons(ledger.failures)}"):
        lab.stop()
        return checks.finish("no sessions to stall on")

    fast, slow, lead = run_phase("slow", port, proxy, args.delay, ledger.sessions, args.fast_rounds, checks)
    for kind, subject, reply in slow:
        if kind == "read":
            checks.expect(reply.status == 200 and driver.parse_json(reply.body) == subject.value,
                          f"slow: a stalled read answered {reply.status} {reply.body[:80]}")
        elif checks.expect(reply.status == 200 and reply.cookie, f"slow: a stalled write answered {reply.status} "
                                                                  f"{reply.body[:80]}"):
            ledger.acknowledge(driver.Session(reply.cookie, subject, reply.end))
    slow_summary = (f"slow ({args.delay:.1f} s each way): {len(fast)} fast requests all answered "
                    f"{lead:.2f} s before the first of {len(slow)} stalled ones, which then answered "
                    f"{sorted({r.status for _, _, r in slow})}")

    fast, silent, lead = run_phase("silent", port, proxy, args.silent_delay, ledger.sessions[:4], args.fast_rounds,
                                   checks)
    # The store never answered in time: each stalled request must end, as a 500 with a reason.
    shapeless = [r for _, _, r in silent
                 if r.status != 500 or not driver.one_line_json_error(driver.Failure("", r.status, r.body, 0, 0))]
    checks.expect(not shapeless, lambda: f"silent: {len(shapeless)} stalled requests did not end in a 500 with a "
                                         f"one-line reason, e.g. {shapeless[0].status} {shapeless[0].body[:80]}")
    reason = silent[0][2].body.strip() if silent else ""
    silent_summary = (f"silent ({args.silent_delay:.1f} s each way): {len(fast)} fast requests all answered "
                      f"{lead:.2f} s before the first of {len(silent)} stalled ones, which ended in "
                      f"{sorted({r.status for _, _, r in silent})} ({reason})")

    # Chunks the proxy still holds reach Redis late; wait them out, then everything must read back.
    time.sleep(args.silent_delay * 2 + 0.5)
    verdict = driver.verify_all(port, ledger.sessions, threads=1)
    checks.expect(verdict.ok == len(ledger.sessions),
                  f"after the delays: {len(verdict.lost)} lost, {len(verdict.corrupted)} corrupted, "
                  f"{len(verdict.errors)} unreadable of {len(ledger.sessions)} sessions")
    exit_code = lab.stop()
    checks.expect(exit_code == 0, f"session-lab exited {exit_code} on SIGTERM")
    return checks.finish(f"{slow_summary}; {silent_summary}; afterwards {verdict.ok}/{len(ledger.sessions)} "
                         f"sessions read back")


if __name__ == "__main__":
    sys.exit(main())
