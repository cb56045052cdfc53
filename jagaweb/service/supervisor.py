"""Runs the web server, the worker and the scheduler as child processes and keeps them up.

A child that dies is restarted after a growing pause; one that keeps dying stops the whole
service with an error rather than flapping forever. SIGTERM or Ctrl-C stops every child
cleanly (SIGTERM, then SIGKILL after a grace period).

Each child gets its own process group, so a Ctrl-C in the terminal reaches only the supervisor,
which then stops each child once (a worker that got two signals would abort its current job). On
Linux a child also gets SIGTERM if the supervisor itself is killed, so none is left behind holding
the port.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType

logger = logging.getLogger("jagaweb.supervisor")

GRACE_SECONDS = 15.0
MAX_RESTARTS = 5
RESTART_WINDOW = 60.0
FIRST_PAUSE = 1.0
PR_SET_PDEATHSIG = 1


def death_signal_setter() -> Callable[[], None] | None:
    """A function for the child to run between fork and exec: SIGTERM me when the supervisor dies.

    libc is looked up here, in the parent, so the child only makes the one system call.
    """
    if sys.platform != "linux":
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl

    def set_death_signal() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)

    return set_death_signal


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    restarts: list[float] = field(default_factory=list)
    restart_at: float = 0.0

    def start(self) -> None:
        logger.info("starting %s: %s", self.name, " ".join(self.argv))
        self.process = subprocess.Popen(
            self.argv, env=os.environ.copy(), process_group=0, preexec_fn=death_signal_setter()
        )

    def exited(self) -> int | None:
        return None if self.process is None else self.process.poll()


def jagaweb_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "jagaweb", *args]


class Supervisor:
    def __init__(
        self,
        children: list[Child],
        poll: float = 0.5,
        *,
        max_restarts: int = MAX_RESTARTS,
        window: float = RESTART_WINDOW,
        first_pause: float = FIRST_PAUSE,
        grace: float = GRACE_SECONDS,
    ) -> None:
        self.children = children
        self.poll = poll
        self.max_restarts = max_restarts
        self.window = window
        self.first_pause = first_pause
        self.grace = grace
        self.stopping = False
        self.failed: str | None = None

    def request_stop(self, signum: int, frame: FrameType | None) -> None:
        logger.info("received %s; stopping", signal.Signals(signum).name)
        self.stopping = True

    def run(self) -> int:
        """Start every child, keep them up until asked to stop; 0 on a clean stop, 1 on failure."""
        previous = {sig: signal.signal(sig, self.request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            self.start_all()
            while not self.stopping:
                self.check_children(time.monotonic())
                if not self.stopping:
                    time.sleep(self.poll)
        finally:
            self.stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if self.failed:
            logger.error("stopped because %s", self.failed)
            return 1
        return 0

    def start_all(self) -> None:
        for child in self.children:
            self.start(child, time.monotonic())

    def start(self, child: Child, now: float) -> None:
        try:
            child.start()
        except OSError as exc:
            logger.error("cannot start %s: %s", child.name, exc)
            child.process = None
            self.schedule_restart(child, -1, now)

    def check_children(self, now: float) -> None:
        for child in self.children:
            if self.stopping:
                return
            code = child.exited()
            if child.process is None:
                if now >= child.restart_at:
                    self.start(child, now)
            elif code is not None:
                self.schedule_restart(child, code, now)

    def schedule_restart(self, child: Child, code: int, now: float) -> None:
        """Restart after 1, 2, 4 ... seconds; too many exits within the window stop the service."""
        child.process = None
        child.restarts = [t for t in child.restarts if now - t < self.window] + [now]
        if len(child.restarts) > self.max_restarts:
            self.failed = f"{child.name} exited {len(child.restarts)} times within {self.window:.0f}s"
            self.stopping = True
            return
        pause = self.first_pause * 2 ** (len(child.restarts) - 1)
        logger.warning("%s exited with %s; restarting in %.1fs", child.name, code, pause)
        child.restart_at = now + pause

    def stop_all(self) -> None:
        running = [c.process for c in self.children if c.process is not None and c.process.poll() is None]
        for process in running:
            process.terminate()
        deadline = time.monotonic() + self.grace
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                logger.warning("pid %s did not stop within %.0fs; killing it", process.pid, self.grace)
                process.kill()
                process.wait()
