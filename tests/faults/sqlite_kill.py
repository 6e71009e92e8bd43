"""session-lab on SQLite killed with SIGKILL under write load, a few times, and started again on
the same file, port and secret (so that the old cookies still sign).

    python3 sqlite_kill.py --lab BUILD/examples/session-lab --db PATH --port P [--kills 3]

Passes when: after every kill `PRAGMA integrity_check` says ok; the only failed requests are
transport errors (nothing listening) between a kill and the new server listening; every session
acknowledged by any of the servers reads back its exact value through the last one, which exits 0
on SIGTERM; and the file is still sound after that.
"""

import argparse
import subprocess
import sys
import time

import driver
from driver import now

SECRET = "fault-test-secret"


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lab", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", default="session-lab.log")
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--load", type=float, default=3.0, help="seconds of load before each kill")
    parser.add_argument("--workers", type=int, default=3)
    # A connection can be refused a little after the new server printed its line (a worker's
    # retry pause): the window bounds when transport errors may happen, it is not a speed target.
    parser.add_argument("--window", type=float, default=2.0)
    return parser.parse_args()


def integrity(db):
    """What `sqlite3 DB "PRAGMA integrity_check"` prints (ok for a sound file)."""
    done = subprocess.run(["sqlite3", db, "PRAGMA integrity_check"], capture_output=True, text=True, timeout=60)
    return (done.stdout + done.stderr).strip() or f"sqlite3 exited {done.returncode}"


def main():
    args = parse_args()
    checks = driver.Checks("sqlite_kill")
    lab_args = ["--port", str(args.port), "--store", f"sqlite:{args.db}", "--secret", SECRET, "--threads", "2"]

    def new_lab():
        return driver.SessionLab(args.lab, lab_args, args.log)

    lab = new_lab()
    try:
        lab.start()
    except RuntimeError as e:
        return checks.finish(f"session-lab did not start: {e}")
    ledger = driver.Ledger()
    load = driver.Load(args.port, ledger, workers=args.workers)
    load.start()
    outages = []  # (killed at, listening again at)
    try:
        for round_number in range(1, args.kills + 1):
            time.sleep(args.load)
            killed_at = now()
            lab.kill()
            verdict = integrity(args.db)
            checks.expect(verdict == "ok", f"integrity_check after kill {round_number}: {verdict}")
            lab = new_lab()
            lab.start()
            outages.append((killed_at, now()))
        time.sleep(args.load)
    except RuntimeError as e:
        load.stop()
        lab.kill()
        return checks.finish(f"session-lab did not start again: {e}")
    load.stop()

    # The last crash leaves the file to a new server that reads everything back.
    lab.kill()
    verdict = integrity(args.db)
    checks.expect(verdict == "ok", f"integrity_check after the last kill: {verdict}")
    try:
        lab = new_lab()
        lab.start()
    except RuntimeError as e:
        return checks.finish(f"session-lab did not start on the file after the last kill: {e}")
    sessions = ledger.sessions
    read = driver.verify_all(args.port, sessions)
    exit_code = lab.stop()
    verdict = integrity(args.db)
    checks.expect(verdict == "ok", f"integrity_check after a clean stop: {verdict}")
    checks.expect(exit_code == 0, f"the last session-lab exited {exit_code} on SIGTERM")

    # Sessions acknowledged by each server (between two kills): every one must have written some.
    edges = [float("-inf")] + [killed for killed, _ in outages] + [float("inf")]
    eras = [sum(1 for s in sessions if edges[i] <= s.acked < edges[i + 1]) for i in range(len(edges) - 1)]
    checks.expect(all(eras), f"some server acknowledged no session: {eras} per server")

    def in_outage(failure):
        return any(failure.end >= killed and failure.start <= up + args.window for killed, up in outages)

    failures = ledger.failures
    stray = [f for f in failures if f.status != 0 or not in_outage(f)]
    checks.expect(not stray, f"{len(stray)} failures other than refused connections during a restart: "
                             f"{driver.reasons(stray)}")
    checks.expect_nothing_lost(ledger, read)

    gaps = ", ".join(f"{up - killed:.2f}" for killed, up in outages)
    summary = (f"{len(sessions)} sessions acknowledged by {len(eras)} servers ({eras}), {ledger.rereads} re-reads ok; "
               f"{args.kills} kills, kill to listening again {gaps} s; {len(failures)} failed requests, "
               f"{len(failures) - len(stray)} of them refused/reset connections during a restart; final read through "
               f"a new server: {read.ok} ok, {len(read.lost)} lost, {len(read.corrupted)} corrupted, "
               f"{len(read.errors)} errors; integrity_check ok after every kill: "
               f"{not any('integrity' in p for p in checks.problems)}")
    return checks.finish(summary)


if __name__ == "__main__":
    sys.exit(main())
