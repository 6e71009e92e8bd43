"""A fleet of session-lab processes behind Debian's nginx, on a real Redis Cluster or Sentinel
setup, checked with real HTTP(S) clients (docs/DEPLOYMENT.md describes the same fleet).

    python3 fleet.py cluster  --lab BUILD/examples/session-lab --work DIR
    python3 fleet.py sentinel --lab BUILD/examples/session-lab --work DIR
    python3 fleet.py files    --lab BUILD/examples/session-lab --work DIR

run.sh starts the Redis servers (tests/stores/services) and passes their URLs and commands in
the environment; this script starts everything else (session-lab, nginx, Node) and stops it.
The processes are started with the ExecStart line of docs/deploy/cortado@.service and nginx runs
docs/deploy/nginx.conf, with the placeholders filled in.

cluster: three processes on the redis-cluster:// URL with wait_replicas=1, nginx with TLS in
front; a login through one process is seen by the others; Node's connect-redis on node-redis's
createCluster shares the sessions both ways; secrets rotated by a rolling restart; under load
(about a few hundred requests/s through nginx): a slot migration (no failed request), a process
killed (only requests in flight at the kill may fail; every session is still served), a master
killed (failures only until the cluster is whole again, the window bounded; every acknowledged
session readable afterwards).
sentinel: one process on the redis-sentinel:// URL with wait_replicas=1; SENTINEL FAILOVER under
load: failures only until the new master has its replica, no acknowledged session lost.
files: the deploy files themselves: nginx -t on the rendered config, systemd-analyze verify on
the unit (skipped when systemd-analyze is missing), and docs/DEPLOYMENT.md shows them as they are.

One line per check; exit code 1 on any failure. Bounds on time are generous limits on *when*
failures may happen (a slow CI machine passes), never a speed target.
"""

import argparse
import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.parse

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.abspath(os.path.join(here, "..", ".."))
sys.path.insert(0, os.path.join(root, "tests", "faults"))
import driver  # noqa: E402  (the load workers and the ledger of the fault tests)
from driver import now  # noqa: E402
from session_lab import die_with_parent  # noqa: E402  (tests/support, on the path through driver)

DEPLOY = os.path.join(root, "docs", "deploy")
SECRET = "fleet-secret-1"
NEW_SECRET = "fleet-secret-2"
# Failures may happen only until the store is whole again plus this much (a process notices a
# moved master at its next request; a refused connection costs a slot map refresh).
GRACE = 5.0
WINDOW_LIMIT = 30.0  # the whole failover window, kill to whole again, must stay below this

TLS = ssl.create_default_context()
TLS.check_hostname = False
TLS.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate


class TlsClient(driver.Client):
    """driver.Client over HTTPS: what a browser does through nginx."""

    def call(self, method, path, body=None, cookie=None):
        if self.connection is None:
            self.connection = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=self.timeout, context=TLS)
        return super().call(method, path, body, cookie)


class Result:
    def __init__(self):
        self.failed = 0
        self.passed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"ok   {name}", flush=True)
        else:
            self.failed += 1
            print(f"FAIL {name}{': ' + detail if detail else ''}", flush=True)
        return ok

    def equal(self, name, got, expected):
        return self.check(name, got == expected, f"got {got!r}, expected {expected!r}")


def free_port():
    return int(subprocess.run(["bash", os.path.join(root, "tests", "support", "free_port.sh")],
                              capture_output=True, text=True, check=True).stdout)


def wait_until(what, condition, timeout, step=0.1):
    """Polls `condition` until it is true; returns when it was, or raises after `timeout`."""
    deadline = now() + timeout
    while now() < deadline:
        if condition():
            return now()
        time.sleep(step)
    raise RuntimeError(f"{what}: not within {timeout:.0f} s")


def redis(port, *command):
    done = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(port), *command],
                          capture_output=True, text=True, timeout=30)
    return done.stdout


def call(port, method, path, body=None, cookie=None, tls=False):
    client = (TlsClient if tls else driver.Client)(port)
    try:
        return client.call(method, path, None if body is None else json.dumps(body), cookie)
    finally:
        client.close()


def body_of(reply):
    return driver.parse_json(reply.body) if reply.status == 200 else f"{reply.status} {reply.body[:100]}"


def signed_with(cookie, secret):
    """True when the cookie `connect.sid=s:ID.SIG` is signed with `secret` (cookie-signature)."""
    value = urllib.parse.unquote(cookie.split("=", 1)[1])
    if not value.startswith("s:") or "." not in value:
        return False
    sid, sig = value[2:].rsplit(".", 1)
    mac = base64.b64encode(hmac.new(secret.encode(), sid.encode(), hashlib.sha256).digest()).decode().rstrip("=")
    return hmac.compare_digest(mac, sig)


# --- the deploy files, rendered ---------------------------------------------------------------

def render(name, values):
    text = open(os.path.join(DEPLOY, name)).read()
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    left = re.findall(r"@[A-Z]+@", text)
    if left:
        raise RuntimeError(f"{name}: placeholders left unfilled: {left}")
    return text


def exec_start(unit_text, instance, environment):
    """The unit's ExecStart as systemd runs it: %i is the instance, ${X} one word, $X split."""
    line = next(l for l in unit_text.splitlines() if l.startswith("ExecStart="))[len("ExecStart="):]
    line = line.replace("%i", instance)
    words = []
    for word in line.split():
        braced = re.fullmatch(r"\$\{(\w+)\}", word)
        bare = re.fullmatch(r"\$(\w+)", word)
        if braced:
            words.append(environment[braced.group(1)])
        elif bare:
            words.extend(environment[bare.group(1)].split())
        else:
            words.append(word)
    return words


def read_env_file(path):
    values = {}
    for line in open(path):
        line = line.strip()
        if line and not line.startswith("#"):
            key, value = line.split("=", 1)
            values[key] = value
    return values


class Fleet:
    """session-lab processes started from the unit file, nginx from the config file."""

    def __init__(self, args, store, count):
        self.args = args
        self.work = args.work
        self.store = store
        self.labs = {}  # port -> driver.SessionLab
        self.nginx = None
        self.unit = None
        self.ports = [free_port() for _ in range(count)]
        self.env_path = os.path.join(self.work, "cortado.env")
        self.write_env([SECRET])

    def write_env(self, secrets):
        with open(self.env_path, "w") as f:
            f.write(f"CORTADO_STORE={self.store}\n")
            f.write("CORTADO_SECRETS=" + " ".join(f"--secret {s}" for s in secrets) + "\n")
        os.chmod(self.env_path, 0o600)
        self.unit = render("cortado@.service", {"APP": self.args.lab, "ENV": self.env_path})

    def start_lab(self, port):
        command = exec_start(self.unit, str(port), read_env_file(self.env_path))
        # One I/O thread each: three processes, nginx, Redis and the load share two cores.
        lab = driver.SessionLab(command[0], command[1:] + ["--threads", "1"],
                                os.path.join(self.work, f"session-lab-{port}.log"))
        lab.start()
        self.labs[port] = lab
        return lab

    def start_labs(self):
        for port in self.ports:
            self.start_lab(port)

    def start_nginx(self):
        run = os.path.join(self.work, "nginx")
        os.makedirs(run, exist_ok=True)
        cert, key = os.path.join(run, "cert.pem"), os.path.join(run, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-subj", "/CN=localhost", "-days", "2", "-keyout", key, "-out", cert],
                       capture_output=True, check=True)
        self.http, self.https = free_port(), free_port()
        upstreams = "\n    ".join(f"server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in self.ports)
        conf = render("nginx.conf", {"RUN": run, "HTTP": f"127.0.0.1:{self.http}", "HTTPS": f"127.0.0.1:{self.https}",
                                     "CERT": cert, "KEY": key, "UPSTREAMS": upstreams})
        self.conf = os.path.join(run, "nginx.conf")
        open(self.conf, "w").write(conf)
        self.access_log = os.path.join(run, "access.log")
        test = subprocess.run(["nginx", "-t", "-p", run, "-c", self.conf], capture_output=True, text=True)
        if test.returncode != 0:
            raise RuntimeError(f"nginx -t refused the rendered config: {test.stderr.strip()[-300:]}")
        self.nginx = subprocess.Popen(["nginx", "-p", run, "-c", self.conf, "-g", "daemon off;"],
                                      stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                      stderr=open(os.path.join(run, "stderr.log"), "wb"),
                                      preexec_fn=die_with_parent)
        wait_until("nginx answering", lambda: call(self.https, "GET", "/health", tls=True).status == 200, 20)

    def upstreams_used(self, since):
        """The upstream ports nginx logged from byte offset `since` of its access log."""
        with open(self.access_log) as f:
            f.seek(since)
            return set(int(p) for p in re.findall(r"upstream=127\.0\.0\.1:(\d+)", f.read()))

    def log_size(self):
        return os.path.getsize(self.access_log) if os.path.exists(self.access_log) else 0

    def stop(self):
        """Stops everything; returns {port: exit code} of the processes that were still running
        (0 each: SIGTERM finishes the requests in flight; a sanitizer build exits non-zero on a leak)."""
        codes = {port: lab.stop() for port, lab in self.labs.items() if lab.alive()}
        if self.nginx and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)  # graceful
            try:
                self.nginx.wait(10)
            except subprocess.TimeoutExpired:
                self.nginx.kill()
                self.nginx.wait()
        return codes


# --- load with a fault in the middle ------------------------------------------------------------

def under_load(result, name, port, fault, tls, warm=3.0, after=4.0, allowed=None, verify_port=None):
    """Runs driver.Load against `port`, calls `fault()` after `warm` seconds, which returns the
    time from which no request may fail any more (None: no request may fail at all), keeps the
    load `after` seconds longer, then reads every acknowledged session back. Failures are counted
    per second of the run for the report."""
    ledger = driver.Ledger()
    client = TlsClient if tls else driver.Client
    load = driver.Load(port, ledger, workers=3, client=client)
    started = now()
    load.start()
    try:
        time.sleep(warm)
        fault_at = now()
        quiet_from = fault()
        time.sleep(after)
    finally:
        load.stop()
    ended = now()
    failures = ledger.failures
    per_second = {}
    for f in failures:
        second = int(f.end - started)
        per_second[second] = per_second.get(second, 0) + 1
    total = len(ledger.sessions) + ledger.rereads + len(failures)
    rate = total / (ended - started)
    print(f"     {name}: {total} requests in {ended - started:.1f} s ({rate:.0f}/s), fault at "
          f"+{fault_at - started:.1f} s, failures per second {per_second or 'none'}", flush=True)
    result.check(f"{name}: the load ran (some sessions acknowledged before and after the fault)",
                 any(s.acked < fault_at for s in ledger.sessions) and
                 any(s.acked > ended - after / 2 for s in ledger.sessions))
    if quiet_from is None:
        result.check(f"{name}: no request failed", not failures, driver.reasons(failures))
    else:
        late = [f for f in failures if f.start > quiet_from]
        result.check(f"{name}: no failure once whole again (+{quiet_from - fault_at:.1f} s after the fault)",
                     not late, f"{len(late)}: {driver.reasons(late)}")
        early = [f for f in failures if f.end < fault_at]
        result.check(f"{name}: no failure before the fault", not early, driver.reasons(early))
        if allowed is not None:
            result.check(f"{name}: at most {allowed} failed requests", len(failures) <= allowed,
                         f"{len(failures)}: {driver.reasons(failures)}")
    result.check(f"{name}: re-reads during the run saw the acknowledged values", not ledger.mismatches,
                 f"{len(ledger.mismatches)} mismatches")
    verdict = driver.verify_all(verify_port or port, ledger.sessions, client=client)
    if verdict.lost:
        times = sorted(s.acked - fault_at for s in verdict.lost)
        print(f"     {name}: lost sessions were acknowledged from {times[0]:+.2f} s to {times[-1]:+.2f} s "
              f"from the fault", flush=True)
        if os.environ.get("CORTADO_TEST_REDIS_CLUSTER_PORTS"):
            # Whether Redis still has them (then the reads went astray) or not (the writes were lost).
            seed = os.environ["CORTADO_TEST_REDIS_CLUSTER_PORTS"].split()[0]
            sample = verdict.lost[:20]
            found = 0
            for lost in sample:
                sid = urllib.parse.unquote(lost.cookie.split("=", 1)[1])[2:].rsplit(".", 1)[0]
                out = subprocess.run(["redis-cli", "-c", "-p", seed, "exists", "sess:" + sid],
                                     capture_output=True, text=True).stdout.strip()
                found += out == "1"
            print(f"     {name}: {found} of {len(sample)} lost sessions are in the cluster (redis-cli -c EXISTS)", flush=True)
    result.check(f"{name}: all {len(ledger.sessions)} acknowledged sessions read back",
                 verdict.ok == len(ledger.sessions),
                 f"{len(verdict.lost)} lost, {len(verdict.corrupted)} corrupted, {len(verdict.errors)} errors"
                 + (f" (e.g. {verdict.errors[0][1].status} {verdict.errors[0][1].body[:100]})" if verdict.errors else ""))
    return ledger


# --- the cluster part ----------------------------------------------------------------------------

def cluster_nodes(port):
    """[(id, port, role, master_id)] from CLUSTER NODES, failed nodes left out."""
    nodes = []
    for line in redis(port, "cluster", "nodes").splitlines():
        parts = line.split()
        if len(parts) < 8 or "fail" in parts[2].split(","):
            continue
        node_port = int(parts[1].split("@")[0].rsplit(":", 1)[1])
        role = "master" if "master" in parts[2] else "replica"
        nodes.append((parts[0], node_port, role, parts[3]))
    return nodes


def cluster_whole(ports):
    """Every node answers cluster_state:ok, and every master has a replica in sync."""
    masters = 0
    for port in ports:
        if "cluster_state:ok" not in redis(port, "cluster", "info"):
            return False
        info = redis(port, "info", "replication")
        if "role:master" in info:
            if not re.search(r"^slave0:.*state=online", info, re.M):
                return False
            masters += 1
        elif "master_link_status:up" not in info:
            return False
    return masters == 3


def part_cluster(args, result):
    ports = [int(p) for p in os.environ["CORTADO_TEST_REDIS_CLUSTER_PORTS"].split()]
    seeds = os.environ["CORTADO_TEST_REDIS_CLUSTER_URL"]
    fleet = Fleet(args, seeds + "?wait_replicas=1&wait_timeout=1000", 3)
    node = None

    def wanted(phase):
        return not args.only or phase in args.only
    try:
        fleet.start_labs()
        fleet.start_nginx()
        p1, p2, p3 = fleet.ports
        https = fleet.https

        if wanted("basics"):
            # Plain HTTP redirects to HTTPS.
            reply = call(fleet.http, "GET", "/views?x=1")
            result.equal("nginx: plain HTTP answers 301", reply.status, 301)

            # A login through nginx: `trust proxy` sees X-Forwarded-Proto https, so the Secure cookie is set.
            conn = http.client.HTTPSConnection("127.0.0.1", https, timeout=15, context=TLS)
            conn.request("POST", "/login", body=json.dumps({"user": "ada"}), headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            set_cookie = response.getheader("Set-Cookie") or ""
            conn.close()
            result.check("login through nginx: 200 with a Secure session cookie (trust proxy + X-Forwarded-Proto)",
                         response.status == 200 and "; Secure" in set_cookie, f"{response.status} {set_cookie!r}")
            ada = driver.session_cookie(set_cookie)
            direct = [body_of(call(p, "GET", "/get/user", cookie=ada)) for p in fleet.ports]
            result.equal("the login is seen by each of the three processes (direct ports)", direct, ["ada"] * 3)
            mark = fleet.log_size()
            counts = [body_of(call(https, "GET", "/views", cookie=ada, tls=True)) for _ in range(12)]
            result.equal("12 views through nginx count 1..12, whichever process answers", counts, list(range(1, 13)))
            used = fleet.upstreams_used(mark)
            result.equal("nginx sent those requests to all three processes (access log)", sorted(used), sorted(fleet.ports))

            # Node: connect-redis on node-redis's createCluster, on the same cluster and secret.
            node = driver.SessionLab("node", [os.path.join(root, "tests", "compat", "session_lab.js"), "--port", "0",
                                              "--secret", SECRET, "--store", seeds],
                                     os.path.join(args.work, "node-lab.log"))
            node_port = node.start(timeout=30)
            reply = call(node_port, "POST", "/login", {"user": "grace"})
            grace = reply.cookie
            result.check("Node: login on connect-redis (cluster client)", reply.status == 200 and grace, reply.body)
            result.equal("Node's login read by cortado through nginx", body_of(call(https, "GET", "/get/user", cookie=grace, tls=True)), "grace")
            call(https, "POST", "/set/cart", ["tea", 2], cookie=grace, tls=True)  # the body is the value
            result.equal("cortado's change read by Node", body_of(call(node_port, "GET", "/get/cart", cookie=grace)), ["tea", 2])
            result.equal("cortado's login read by Node", body_of(call(node_port, "GET", "/get/user", cookie=ada)), "ada")
            result.equal("Node counts on from cortado's views", body_of(call(node_port, "GET", "/views", cookie=ada)), 13)
            result.equal("and cortado on from Node's", body_of(call(https, "GET", "/views", cookie=ada, tls=True)), 14)
            call(node_port, "POST", "/logout", cookie=grace)
            result.equal("Node's logout is seen by cortado", body_of(call(https, "GET", "/get/user", cookie=grace, tls=True)), None)
            node.stop()
            node = None

            # Secrets rotated by a rolling restart, as docs/DEPLOYMENT.md says: new first, old kept.
            fleet.write_env([NEW_SECRET, SECRET])
            for port in fleet.ports:
                result.equal(f"rolling restart: process :{port} exits 0 on SIGTERM", fleet.labs[port].stop(), 0)
                fleet.start_lab(port)
            result.equal("after adding the new secret: the old cookie still logged in (every process)",
                         [body_of(call(p, "GET", "/get/user", cookie=ada)) for p in fleet.ports], ["ada"] * 3)
            reply = call(https, "POST", "/login", {"user": "lin"}, tls=True)
            lin = reply.cookie
            result.check("a new login is signed with the new secret", lin and signed_with(lin, NEW_SECRET), str(lin))
            fleet.write_env([NEW_SECRET])
            for port in fleet.ports:
                fleet.labs[port].stop()
                fleet.start_lab(port)
            result.equal("after dropping the old secret: the old cookie is no longer logged in",
                         body_of(call(https, "GET", "/get/user", cookie=ada, tls=True)), None)
            result.equal("the new one still is", body_of(call(https, "GET", "/get/user", cookie=lin, tls=True)), "lin")

        # Faults under load, through nginx.
        masters = [n for n in cluster_nodes(ports[0]) if n[2] == "master"]
        source, target = masters[0], masters[1]

        def reshard():
            subprocess.run(["redis-cli", "--cluster", "reshard", f"127.0.0.1:{ports[0]}", "--cluster-from", source[0],
                            "--cluster-to", target[0], "--cluster-slots", "200", "--cluster-yes"],
                           capture_output=True, check=True, timeout=120)
            wait_until("the cluster agreeing after the reshard", lambda: cluster_whole(ports), 60)
            return None
        if wanted("reshard"):
            under_load(result, "slot migration (200 slots) under load", https, reshard, tls=True)

        victim = fleet.labs[p3]

        def kill_process():
            victim.kill()
            # Requests in flight on it may fail (nginx does not resend a POST that reached it).
            return now() + 1.0
        if wanted("process"):
            ledger = under_load(result, "a cortado process killed under load", https, kill_process, tls=True, allowed=10)
            verdict = driver.verify_all(p1, ledger.sessions)
            result.equal("the first process alone serves every session of that run", verdict.ok, len(ledger.sessions))
            fleet.start_lab(p3)

        master = next(n for n in cluster_nodes(ports[0]) if n[2] == "master")
        replica = next(n for n in cluster_nodes(ports[0]) if n[3] == master[0])

        def kill_master():
            killed_at = now()
            subprocess.run(os.environ["CORTADO_TEST_REDIS_CLUSTER_KILL"] + f" {master[1]}", shell=True, check=False)
            # Its own replica must have taken over before the old master comes back: a master that
            # restarts without its data (no persistence here) while still in charge of its slots
            # would hand its replica an empty data set (Redis's warning about masters without
            # persistence that restart on their own).
            wait_until("the replica promoted", lambda: redis(replica[1], "role").startswith("master") and
                       all("cluster_state:ok" in redis(p, "cluster", "info") for p in ports if p != master[1]),
                       WINDOW_LIMIT)
            # The old master comes back as the new master's replica, so WAIT 1 is met again.
            subprocess.run(os.environ["CORTADO_TEST_REDIS_CLUSTER_START"] + f" {master[1]}", shell=True, check=True)
            whole = wait_until("the cluster whole again", lambda: cluster_whole(ports), WINDOW_LIMIT)
            result.check(f"master killed: whole again within {WINDOW_LIMIT:.0f} s", whole - killed_at < WINDOW_LIMIT,
                         f"{whole - killed_at:.1f} s")
            print(f"     master :{master[1]} killed, its replica :{replica[1]} promoted; whole again (the old one its "
                  f"replica) after {whole - killed_at:.1f} s", flush=True)
            return whole + GRACE
        if wanted("master"):
            under_load(result, "a master killed under load (wait_replicas=1)", https, kill_master, tls=True, after=GRACE + 4)
        result.equal("the three processes are the ones started before the master was killed",
                     [fleet.labs[p].alive() for p in fleet.ports], [True] * 3)
    except (RuntimeError, OSError, subprocess.SubprocessError, KeyError) as e:
        result.check("the cluster fleet ran to the end", False, f"{type(e).__name__}: {e}")
    finally:
        if node is not None:
            node.stop()
        codes = fleet.stop()
        result.check("every session-lab exits 0 on SIGTERM at the end", codes and set(codes.values()) == {0}, str(codes))


# --- the sentinel part ---------------------------------------------------------------------------

def part_sentinel(args, result):
    sentinels = [int(p) for p in os.environ["CORTADO_TEST_REDIS_SENTINEL_PORTS"].split()]
    fleet = Fleet(args, os.environ["CORTADO_TEST_REDIS_SENTINEL_URL"] + "?wait_replicas=1&wait_timeout=1000", 1)
    try:
        lab = fleet.start_lab(fleet.ports[0])
        pid = lab.pid
        fleet.start_nginx()  # --secure true: the cookie is only set over HTTPS, as in production

        def master_port():
            out = redis(sentinels[0], "sentinel", "get-master-addr-by-name", "cortado").split()
            return int(out[1]) if len(out) == 2 else None
        old = master_port()

        def whole():
            new = master_port()
            if new is None or new == old:
                return False
            info = redis(new, "info", "replication")
            return "role:master" in info and re.search(r"^slave0:.*state=online", info, re.M) is not None

        def failover():
            started = now()
            redis(sentinels[0], "sentinel", "failover", "cortado")
            done = wait_until("the failover (new master with its replica)", whole, WINDOW_LIMIT)
            print(f"     SENTINEL FAILOVER: master :{old} -> :{master_port()} in {done - started:.1f} s", flush=True)
            return done + GRACE
        under_load(result, "SENTINEL FAILOVER under load (wait_replicas=1)", fleet.https, failover, tls=True,
                   after=GRACE + 4)
        result.check("session-lab is the same process throughout", lab.alive() and lab.pid == pid)
    except (RuntimeError, OSError, subprocess.SubprocessError, KeyError) as e:
        result.check("the sentinel fleet ran to the end", False, f"{type(e).__name__}: {e}")
    finally:
        codes = fleet.stop()
        result.check("session-lab exits 0 on SIGTERM at the end", codes and set(codes.values()) == {0}, str(codes))


# --- the deploy files ------------------------------------------------------------------------------

def part_files(args, result):
    run = os.path.join(args.work, "files")
    os.makedirs(run, exist_ok=True)
    cert, key = os.path.join(run, "cert.pem"), os.path.join(run, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-subj", "/CN=localhost", "-days", "2", "-keyout", key, "-out", cert],
                   capture_output=True, check=True)
    conf = os.path.join(run, "nginx.conf")
    open(conf, "w").write(render("nginx.conf", {"RUN": run, "HTTP": "127.0.0.1:8080", "HTTPS": "127.0.0.1:8443",
                                                "CERT": cert, "KEY": key,
                                                "UPSTREAMS": "server 127.0.0.1:3001;\n    server 127.0.0.1:3002;"}))
    test = subprocess.run(["nginx", "-t", "-p", run, "-c", conf], capture_output=True, text=True)
    result.check("nginx -t accepts docs/deploy/nginx.conf", test.returncode == 0, test.stderr.strip()[-300:])

    env = os.path.join(run, "cortado.env")
    shutil.copy(os.path.join(DEPLOY, "cortado.env"), env)
    environment = read_env_file(env)
    result.check("docs/deploy/cortado.env sets CORTADO_STORE and CORTADO_SECRETS",
                 environment.get("CORTADO_STORE", "").startswith("redis-") and "--secret" in environment.get("CORTADO_SECRETS", ""))
    unit = render("cortado@.service", {"APP": args.lab, "ENV": env})
    command = exec_start(unit, "3001", environment)
    result.check("the unit's ExecStart is a session-lab command line", command[0] == args.lab and "--trust-proxy" in command,
                 " ".join(command))
    if shutil.which("systemd-analyze"):
        units = os.path.join(run, "units")
        os.makedirs(units, exist_ok=True)
        open(os.path.join(units, "cortado@.service"), "w").write(unit)
        verify = subprocess.run(["systemd-analyze", "verify", os.path.join(units, "cortado@3001.service")],
                                capture_output=True, text=True)
        # Unknown keys are only warnings on stderr: any output counts as a failure.
        result.check("systemd-analyze verify accepts docs/deploy/cortado@.service",
                     verify.returncode == 0 and not verify.stderr.strip(), verify.stderr.strip()[-300:])
    else:
        print("     systemd-analyze is not installed: the unit is not verified")

    # The doc shows each deploy file whole, after a line naming it: the shown text is the file.
    doc = open(os.path.join(root, "docs", "DEPLOYMENT.md")).read()
    for name in ("nginx.conf", "cortado@.service", "cortado.env"):
        shown = re.search(r"<!-- file: docs/deploy/" + re.escape(name) + r" -->\n```[a-z]*\n(.*?)```", doc, re.S)
        result.check(f"docs/DEPLOYMENT.md shows docs/deploy/{name} as it is",
                     shown is not None and shown.group(1) == open(os.path.join(DEPLOY, name)).read(),
                     "missing" if shown is None else "the shown text differs from the file")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("part", choices=["cluster", "sentinel", "files"])
    parser.add_argument("--lab", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--only", action="append", choices=["basics", "reshard", "process", "master"],
                        help="cluster: run only these phases (repeatable; default all)")
    args = parser.parse_args()
    driver.adopt_orphans()
    result = Result()
    {"cluster": part_cluster, "sentinel": part_sentinel, "files": part_files}[args.part](args, result)
    print(f"{result.passed} passed, {result.failed} failed", flush=True)
    return 1 if result.failed or not result.passed else 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # runs the finally blocks: labs and nginx stop
    sys.exit(main())
