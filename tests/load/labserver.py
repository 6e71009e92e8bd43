"""Starting session-lab and reading its memory from /proc: shared by the load tests."""
import os
import re
import signal
import subprocess


class LabServer:
    """One session-lab process on a free loopback port, started with the given flags."""

    def __init__(self, build, flags, cpus=None):
        binary = os.path.join(build, "examples", "session-lab")
        if not os.access(binary, os.X_OK):
            raise SystemExit(f"FAIL: no session-lab in {build}/examples (build the session-lab target)")
        command = [binary, "--port", "0", *flags]
        # Pinning keeps the server and the load generator off each other's core when asked to.
        if cpus is not None:
            command = ["taskset", "-c", cpus, *command]
        self.command = command
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        match = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
        if not match:
            self.proc.kill()
            raise SystemExit(f"FAIL: session-lab did not start: {line.strip()!r}")
        self.port = int(match.group(1))
        self.pid = self.proc.pid

    def alive(self):
        return self.proc.poll() is None

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

    def stop(self, timeout=30):
        """SIGTERM, then the exit code (SESSION_LAB.md: 0 after finishing the requests in flight)."""
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None
