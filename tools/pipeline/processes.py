"""The stage subprocesses of a pipeline run: start one with its output teed to a log, measure
its CPU time, and stop every running one on Ctrl-C.

Signals and reaping share one lock, so a pid that is signalled is alive or an unreaped zombie,
never a pid the system has recycled for another process.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time


class StageProcesses:
    """The running stage processes, by stage name; safe to use from several worker threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[str, subprocess.Popen] = {}
        self.stopping = False

    def run(self, name: str, command: list[str], env: dict[str, str], log_path: str,
            echo: bool) -> tuple[int, float]:
        """Run ``command``; its output goes to ``log_path`` (appended) and, with ``echo``, to
        the terminal. Returns (exit code, CPU seconds of the subprocess: user + system, from
        ``wait4``); (130, 0.0) without starting it once :meth:`stop` was called."""
        with open(log_path, "ab", buffering=0) as log:
            log.write(f"\n$ {' '.join(command)}\n".encode())
            log.flush()
            with self._lock:
                if self.stopping:
                    return 130, 0.0
                process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                           stderr=subprocess.STDOUT)
                self._running[name] = process
            for chunk in iter(lambda: process.stdout.read1(65536), b""):
                log.write(chunk)
                if echo:
                    sys.stdout.buffer.write(chunk)
                    sys.stdout.flush()
        os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)  # wait, leave it unreaped
        with self._lock:  # reaped and forgotten together: never signalled once reaped
            _, status, usage = os.wait4(process.pid, 0)
            del self._running[name]
        process.returncode = os.waitstatus_to_exitcode(status)
        return process.returncode, usage.ru_utime + usage.ru_stime

    def stop(self, grace_seconds: float = 10.0) -> None:
        """Interrupt every running process like Ctrl-C would; kill those that have not ended
        within ``grace_seconds``. No process starts afterwards."""
        with self._lock:
            self.stopping = True
            self._signal_all(signal.SIGINT)
        deadline = time.time() + grace_seconds
        while time.time() < deadline:
            with self._lock:
                if not self._running:
                    return
            time.sleep(0.1)
        with self._lock:
            self._signal_all(signal.SIGKILL)

    def _signal_all(self, signum: int) -> None:
        """Signal the running processes; the caller holds the lock."""
        for process in self._running.values():
            try:
                os.kill(process.pid, signum)
            except ProcessLookupError:
                pass


def last_line(path: str, tail_bytes: int = 4096) -> str:
    """The last non-empty line of a text file (its last ``tail_bytes``), or ''."""
    try:
        with open(path, "rb") as file:
            file.seek(max(0, os.path.getsize(path) - tail_bytes))
            lines = file.read().decode(errors="replace").replace("\r", "\n").splitlines()
    except OSError:
        return ""
    return next((line.strip() for line in reversed(lines) if line.strip()), "")
