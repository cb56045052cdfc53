"""Runs the web server, the worker and the scheduler as child processes and keeps them up.

A child that dies is restarted after a growing pause; one that keeps dying stops the whole
service with an error rather than flapping forever. SIGTERM or Ctrl-C stops every child
cleanly (SIGTERM, then SIGKILL after a grace period).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from types import FrameType

logger = logging.getLogger("jagaweb.supervisor")

GRACE_SECONDS = 15.0
MAX_RESTARTS = 5
RESTART_WINDOW = 60.0


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    restarts: list[float] = field(default_factory=list)
    restart_at: float = 0.0

    def start(self) -> None:
        logger.info("starting %s: %s", self.name, " ".join(self.argv))
        self.process = subprocess.Popen(self.argv, env=os.environ.copy())

    def exited(self) -> int | None:
        return None if self.process is None else self.process.poll()


def jagaweb_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "jagaweb", *args]


class Supervisor:
    def __init__(self, children: list[Child], poll: float = 0.5) -> None:
        self.children = children
        self.poll = poll
        self.stopping = False
        self.failed: str | None = None

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)

    def request_stop(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True

    def run(self) -> int:
        self.install_signal_handlers()
        for child in self.children:
            child.start()
        while not self.stopping:
            self.check_children(time.monotonic())
            time.sleep(self.poll)
        self.stop_all()
        if self.failed:
            logger.error("stopped because %s", self.failed)
            return 1
        return 0

    def check_children(self, now: float) -> None:
        for child in self.children:
            code = child.exited()
            if child.process is None and now >= child.restart_at:
                child.start()
            elif code is not None:
                self.schedule_restart(child, code, now)

    def schedule_restart(self, child: Child, code: int, now: float) -> None:
        child.restarts = [t for t in child.restarts if now - t < RESTART_WINDOW] + [now]
        if len(child.restarts) > MAX_RESTARTS:
            self.failed = f"{child.name} exited {len(child.restarts)} times within {RESTART_WINDOW:.0f}s"
            self.stopping = True
            return
        pause = 2 ** (len(child.restarts) - 1)
        logger.warning("%s exited with %s; restarting in %ss", child.name, code, pause)
        child.process = None
        child.restart_at = now + pause

    def stop_all(self) -> None:
        running = [c.process for c in self.children if c.process is not None and c.process.poll() is None]
        for process in running:
            process.terminate()
        deadline = time.monotonic() + GRACE_SECONDS
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
