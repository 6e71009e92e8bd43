"""A store server taken down and brought back under load, session-lab left running.

    python3 outage.py --name redis_restart --lab BUILD/examples/session-lab --store URL
                      --kill 'CMD' --start 'CMD' [--down 3] [--log PATH]

--kill stops the store (a SIGKILL, or PostgreSQL's immediate shutdown), --start brings it back on
the same port and data and returns once it answers. Passes when: session-lab is the same process
throughout and exits 0 on SIGTERM at the end; every non-200 is a 500 with a one-line JSON reason
and came between the kill and the restart plus a recovery window; writes are acknowledged again
after the restart; every acknowledged session reads back its exact value, during the run and
after a second kill and restart made while session-lab is idle (which must cost no request).
"""

import argparse
import sys
import time

import driver
from driver import now


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--name", required=True)
    parser.add_argument("--lab", required=True)
    parser.add_argument("--store", required=True)
    parser.add_argument("--kill", required=True)
    parser.add_argument("--start", required=True)
    parser.add_argument("--log", default="session-lab.log")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--warm", type=float, default=4.0, help="seconds of load before the kill")
    parser.add_argument("--down", type=float, default=3.0, help="seconds the store stays down")
    parser.add_argument("--after", type=float, default=8.0, help="seconds of load after the restart")
    # Generous on purpose: a slow machine may take a while to reconnect; this bounds *when*
    # failures may happen, it is not a speed target.
    parser.add_argument("--window", type=float, default=5.0, help="recovery window after the restart")
    return parser.parse_args()


def main():
    args = parse_args()
    checks = driver.Checks(args.name)
    driver.adopt_orphans()
    lab = driver.SessionLab(args.lab, ["--port", "0", "--store", args.store, "--threads", str(args.threads)], args.log)
    try:
        port = lab.start()
    except RuntimeError as e:
        return checks.finish(f"session-lab did not start: {e}")
    pid = lab.pid
    ledger = driver.Ledger()
    load = driver.Load(port, ledger, workers=args.workers)
    load.start()
    try:
        time.sleep(args.warm)
        killed_at = now()
        driver.run_command(args.kill, "the kill command")
        time.sleep(args.down)
        restart_at = now()
        driver.run_command(args.start, "the restart command")
        up_at = now()
        time.sleep(args.after)
    except (RuntimeError, OSError) as e:
        load.stop()
        lab.stop()
        return checks.finish(str(e))
    load.stop()

    checks.expect(lab.alive() and lab.pid == pid,
                  f"session-lab (pid {pid}) did not survive the outage: exit code {lab.process.returncode}")
    sessions = ledger.sessions
    before = [s for s in sessions if s.acked < killed_at]
    after = [s for s in sessions if s.acked > up_at + args.window]
    checks.expect(before, "no session was acknowledged before the kill: the load did not run")
    checks.expect(after, f"no write acknowledged after the recovery window ({args.window:.0f} s after the restart)")

    failures = ledger.failures
    checks.expect(failures, "no request failed while the store was down: did the kill take effect?")
    # A request that was in flight at the kill may fail, so a failure counts by when it ended
    # (after the kill) and when it started (before the end of the recovery window).
    early = [f for f in failures if f.end < killed_at]
    late = [f for f in failures if f.start > up_at + args.window]
    checks.expect(not early, f"{len(early)} failures before the kill: {driver.reasons(early)}")
    checks.expect(not late, f"{len(late)} failures after the recovery window: {driver.reasons(late)}")
    shapeless = [f for f in failures if f.status != 500 or not driver.one_line_json_error(f)]
    checks.expect(not shapeless, f"{len(shapeless)} failures are not a 500 with a one-line JSON reason: "
                                 f"{driver.reasons(shapeless)}")

    # A second outage that no request sees: the store goes down and comes back while session-lab
    # is idle, so its connections are stale; the reads below are the first requests after it and
    # must not fail on them.
    try:
        driver.run_command(args.kill, "the second kill command")
        time.sleep(1.0)
        driver.run_command(args.start, "the second restart command")
    except (RuntimeError, OSError) as e:
        lab.stop()
        return checks.finish(str(e))
    verdict = driver.verify_all(port, sessions)
    checks.expect_nothing_lost(ledger, verdict, when=" after an idle restart of the store",
                               lost_example=lambda lost: f"acknowledged {lost.acked - killed_at:+.2f} s from the kill")
    exit_code = lab.stop()
    checks.expect(exit_code == 0, f"session-lab exited {exit_code} on SIGTERM after the run")

    first_ok = min((t for t in ledger.successes if t > up_at), default=None)
    recovery = f"{first_ok - up_at:.2f} s" if first_ok is not None else "never"
    last_failure = max((f.end for f in failures), default=None)
    window = (f"from +{min(f.end for f in failures) - killed_at:.2f} s to +{last_failure - killed_at:.2f} s "
              f"after the kill" if failures else "none")
    summary = (f"{len(sessions)} sessions acknowledged ({len(before)} before the kill, {len(after)} after the "
               f"recovery window), {ledger.rereads} re-reads ok; {len(failures)} non-200s {window} (store answering "
               f"again at +{up_at - killed_at:.2f} s, {up_at - restart_at:.2f} s after the restart command); first "
               f"200 {recovery} after that; final read after an idle restart: {verdict.ok} ok, "
               f"{len(verdict.lost)} lost, {len(verdict.corrupted)} corrupted, {len(verdict.errors)} errors; "
               f"session-lab pid {pid} throughout, exit {exit_code} on SIGTERM; reasons: {driver.reasons(failures, 2)}")
    return checks.finish(summary)


if __name__ == "__main__":
    sys.exit(main())
