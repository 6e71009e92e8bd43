"""Shared pieces of the fault tests: a session-lab process, an HTTP client that keeps one
connection, client workers that write sessions and re-read them, and the ledger that remembers
every acknowledged write and every failed request.

Times are seconds of time.monotonic(); a session counts as acknowledged only when its write got
a 200, because only then has the server promised that the store holds it.
"""

import ctypes
import http.client
import json
import os
import random
import secrets
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from session_lab import SessionLab  # noqa: E402  (the session-lab process, shared with tests/load)

COOKIE_NAME = "connect.sid"


def now():
    return time.monotonic()


def adopt_orphans():
    """Makes this process the parent of servers that a restart command daemonizes (Linux's
    PR_SET_CHILD_SUBREAPER), instead of init: a test runner that kills the test's process tree
    on a timeout then finds and kills them too."""
    pr_set_child_subreaper = 36
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_child_subreaper, 1)


@dataclass
class Reply:
    status: int  # 0: no HTTP answer (refused, reset, timed out); body then says why
    body: str
    cookie: str | None
    start: float
    end: float


class Client:
    """One keep-alive connection to 127.0.0.1:port, remade after any transport error."""

    def __init__(self, port, timeout=15.0):
        self.port = port
        self.timeout = timeout
        self.connection = None

    def call(self, method, path, body=None, cookie=None):
        headers = {}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if cookie:
            headers["Cookie"] = cookie
        start = now()
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode(errors="replace")
            return Reply(response.status, text, session_cookie(response.getheader("Set-Cookie")), start, now())
        except (OSError, http.client.HTTPException) as e:
            self.close()
            return Reply(0, f"{type(e).__name__}: {e}", None, start, now())

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def session_cookie(set_cookie):
    """`connect.sid=VALUE` out of a Set-Cookie header, or None."""
    if not set_cookie:
        return None
    pair = set_cookie.split(";", 1)[0].strip()
    return pair if pair.startswith(COOKIE_NAME + "=") else None


@dataclass
class Session:
    cookie: str
    value: dict
    acked: float  # when the 200 arrived


@dataclass
class Failure:
    what: str  # e.g. "POST /set/k"
    status: int
    body: str
    start: float
    end: float


@dataclass
class Ledger:
    """What the workers saw, shared between them."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    sessions: list = field(default_factory=list)
    failures: list = field(default_factory=list)
    mismatches: list = field(default_factory=list)  # a 200 whose value was not the acknowledged one
    successes: list = field(default_factory=list)  # end times of store-touching 200s
    rereads: int = 0

    def acknowledge(self, session):
        with self.lock:
            self.sessions.append(session)
            self.successes.append(session.acked)

    def fail(self, what, reply):
        with self.lock:
            self.failures.append(Failure(what, reply.status, reply.body, reply.start, reply.end))

    def pick(self, rng):
        with self.lock:
            return rng.choice(self.sessions) if self.sessions else None

    def reread_ok(self, end):
        with self.lock:
            self.rereads += 1
            self.successes.append(end)

    def mismatch(self, session, body, end):
        with self.lock:
            self.mismatches.append((session, body, end))


def parse_json(text):
    try:
        return json.loads(text)
    except ValueError:
        return None


def write_session(client, ledger, value):
    """Creates a session holding `value` under key k; acknowledged only on a 200 with a cookie."""
    reply = client.call("POST", "/set/k", json.dumps(value))
    if reply.status == 200 and reply.cookie:
        ledger.acknowledge(Session(reply.cookie, value, reply.end))
    elif reply.status == 200:
        ledger.fail("POST /set/k", Reply(200, "200 without a session cookie", None, reply.start, reply.end))
    else:
        ledger.fail("POST /set/k", reply)
    return reply


def reread_session(client, ledger, session):
    """Reads k back with the session's cookie; a 200 must carry exactly the acknowledged value."""
    reply = client.call("GET", "/get/k", cookie=session.cookie)
    if reply.status != 200:
        ledger.fail("GET /get/k", reply)
    elif parse_json(reply.body) != session.value:
        ledger.mismatch(session, reply.body, reply.end)
    else:
        ledger.reread_ok(reply.end)
    return reply


class Load:
    """A few client threads that loop: write a new session, and every other turn re-read an
    acknowledged one. The pause between requests keeps the load modest (the machine is shared)."""

    def __init__(self, port, ledger, workers=3, pause=0.004, client=None):
        self.port = port  # a restarted server listens on the same port
        self.client = client or Client  # called with the port; the fleet test passes an HTTPS one
        self.ledger = ledger
        self.workers = workers
        self.pause = pause
        self.stopping = threading.Event()
        self.threads = []

    def start(self):
        for number in range(self.workers):
            thread = threading.Thread(target=self.work, args=(number,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def stop(self):
        self.stopping.set()
        for thread in self.threads:
            thread.join(60)

    def work(self, number):
        rng = random.Random(number)
        client = self.client(self.port)
        turn = 0
        while not self.stopping.is_set():
            turn += 1
            value = {"v": f"{os.getpid()}-{number}-{turn}-{secrets.token_hex(6)}", "n": turn,
                     "pad": "x" * rng.randrange(0, 400)}
            reply = write_session(client, self.ledger, value)
            if turn % 2 == 0:
                session = self.ledger.pick(rng)
                if session is not None:
                    reread_session(client, self.ledger, session)
            # After a failure wait a little longer: the outage needs sampling, not hammering.
            time.sleep(self.pause if reply.status == 200 else 0.02)
        client.close()


@dataclass
class Verdict:
    ok: int = 0
    lost: list = field(default_factory=list)  # read back as null: the store no longer has it
    corrupted: list = field(default_factory=list)  # read back as some other value
    errors: list = field(default_factory=list)  # no 200 at all


def verify_all(port, sessions, threads=2, client=None):
    """Reads every acknowledged session back through the server at `port` (with `client(port)`,
    a Client by default)."""
    verdict = Verdict()
    lock = threading.Lock()
    client_type = client

    def check(part):
        client = (client_type or Client)(port)
        for session in part:
            reply = client.call("GET", "/get/k", cookie=session.cookie)
            body = parse_json(reply.body) if reply.status == 200 else None
            with lock:
                if reply.status != 200:
                    verdict.errors.append((session, reply))
                elif body == session.value:
                    verdict.ok += 1
                elif body is None:
                    verdict.lost.append(session)
                else:
                    verdict.corrupted.append((session, reply.body))
        client.close()

    parts = [sessions[i::threads] for i in range(threads)]
    workers = [threading.Thread(target=check, args=(part,)) for part in parts]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return verdict


def describe(session, body):
    """A short line for a session that read back wrong: which one, and what came instead."""
    return f"expected v={session.value.get('v')!r}, got {body.strip()[:60]!r}"


def one_line_json_error(failure):
    """True when the body is {"error": "<one line>"}, as session-lab's error handler answers."""
    body = parse_json(failure.body)
    return (isinstance(body, dict) and isinstance(body.get("error"), str) and body["error"] != ""
            and "\n" not in body["error"] and "\n" not in failure.body.strip())


def reasons(failures, limit=3):
    """The most frequent failure bodies with their counts, for the report."""
    counts = {}
    for failure in failures:
        key = f"{failure.status} {failure.body.strip()[:120]}"
        counts[key] = counts.get(key, 0) + 1
    ranked = sorted(counts.items(), key=lambda item: -item[1])[:limit]
    return "; ".join(f"{count}x {text}" for text, count in ranked)


def run_command(command, what, timeout=90):
    """Runs a shell command of the service scripts; raises with its output when it fails."""
    done = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({done.returncode}): {(done.stderr or done.stdout).strip()[-300:]}")


class Checks:
    """Collects one-line reasons for failure; the test passes when there are none."""

    def __init__(self, name):
        self.name = name
        self.problems = []

    def expect(self, condition, reason):
        """`reason` may be a function, called only on failure (it may index what is empty)."""
        if not condition:
            self.problems.append(reason() if callable(reason) else reason)
        return condition

    def expect_nothing_lost(self, ledger, verdict, when="", lost_example=None):
        """No re-read during the run saw another value, and verify_all's `verdict` found every
        acknowledged session with its value. `when` qualifies the final read in messages;
        `lost_example(session)` says more of the first lost one."""
        self.expect(not ledger.mismatches, lambda: f"{len(ledger.mismatches)} re-reads during the run returned "
                                                   f"another value, e.g. {describe(*ledger.mismatches[0][:2])}")
        self.expect(not verdict.lost, lambda: f"{len(verdict.lost)} acknowledged sessions lost" +
                    (f", e.g. one {lost_example(verdict.lost[0])}" if lost_example else ""))
        self.expect(not verdict.corrupted, lambda: f"{len(verdict.corrupted)} sessions read back another value, "
                                                   f"e.g. {describe(*verdict.corrupted[0])}")
        self.expect(not verdict.errors, lambda: f"{len(verdict.errors)} sessions could not be read back{when}, e.g. "
                                                f"{verdict.errors[0][1].status} {verdict.errors[0][1].body[:120]}")

    def finish(self, summary):
        for problem in self.problems:
            print(f"{self.name}: FAIL: {problem}")
        print(f"{self.name}: {'FAIL' if self.problems else 'ok'}: {summary}")
        return 1 if self.problems else 0
