"""session-lab as a child process of a test: started on a free port, watched through /proc,
killed as a crash or stopped as a deploy. Shared by the load tests (tests/load) and the fault
tests (tests/faults); each puts tests/support on sys.path."""
import ctypes
import os
import signal
import subprocess
import time


def binary_in(build):
    """build/examples/session-lab, or a one-line failure when it is not built."""
    binary = os.path.join(build, "examples", "session-lab")
    if not os.access(binary, os.X_OK):
        raise SystemExit(f"FAIL: no session-lab in {build}/examples (build the session-lab target)")
    return binary


def die_with_parent():
    """In the child before exec: SIGKILL it when the test process dies, so that a test killed by a
    timeout leaves no session-lab behind (Linux's PR_SET_PDEATHSIG)."""
    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


class SessionLab:
    """One session-lab process, its stdout and stderr in a log file. `cpus` pins it (taskset),
    to keep the server and a load generator off each other's core."""

    def __init__(self, binary, args, log_path, cpus=None):
        self.command = [binary, *args]
        if cpus is not None:
            self.command = ["taskset", "-c", cpus, *self.command]
        self.log_path = log_path
        self.process = None
        self.port = None

    @property
    def pid(self):
        return self.process.pid

    def start(self, timeout=20.0):
        """Starts it and returns the port once it prints `listening on 127.0.0.1:PORT`."""
        log = open(self.log_path, "ab")
        start_offset = log.tell()
        self.process = subprocess.Popen(self.command, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                        preexec_fn=die_with_parent)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(self.log_path, "rb") as f:
                f.seek(start_offset)
                text = f.read().decode(errors="replace")
            for line in text.splitlines():
                if line.startswith("listening on 127.0.0.1:"):
                    self.port = int(line.rsplit(":", 1)[1])
                    return self.port
            if self.process.poll() is not None:
                raise RuntimeError(f"session-lab exited with {self.process.returncode}: {text.strip()[-300:]}")
            time.sleep(0.02)
        self.kill()
        raise RuntimeError(f"session-lab did not listen within {timeout:.0f} s")

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def kill(self):
        """SIGKILL, as a crash: nothing is flushed or finished."""
        if self.alive():
            self.process.send_signal(signal.SIGKILL)
        if self.process is not None:
            self.process.wait()

    def stop(self, timeout=20.0):
        """SIGTERM (finishes the requests in flight); returns the exit code, None if it hung."""
        if not self.alive():
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def status_kib(self, field):
        """A field of /proc/PID/status in KiB (VmRSS, VmHWM), 0 once the process is gone."""
        try:
            with open(f"/proc/{self.pid}/status") as status:
                for line in status:
                    if line.startswith(field + ":"):
                        return int(line.split()[1])
        except FileNotFoundError:
            pass
        return 0

    def open_sockets(self):
        """Sockets the server holds: listeners plus connections (other descriptors come and go)."""
        count = 0
        try:
            for fd in os.listdir(f"/proc/{self.pid}/fd"):
                try:
                    count += os.readlink(f"/proc/{self.pid}/fd/{fd}").startswith("socket:")
                except FileNotFoundError:
                    pass  # closed while we looked
        except FileNotFoundError:
            pass
        return count
