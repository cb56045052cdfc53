"""The demo's processes under JagaWeb's own supervisor, with their own environment and log files,
and with sites that can be switched off and on while the demo runs (see `DemoSite.stop`).
"""

from __future__ import annotations

import http.client
import logging
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from jagaweb.service.supervisor import Child, Supervisor, death_signal_setter

logger = logging.getLogger("jagaweb.demo")

HALT_GRACE = 5.0
READY_TIMEOUT = 90.0
LOOPBACK = "127.0.0.1"


@dataclass
class EnvChild(Child):
    """A child with an explicit environment, its output in a file, and an optional off switch.

    While `hold_file` exists the child is kept stopped, and started again once it is removed.
    """

    env: dict[str, str] = field(default_factory=dict)
    output: Path | None = None
    hold_file: Path | None = None

    def held(self) -> bool:
        return self.hold_file is not None and self.hold_file.exists()

    def start(self) -> None:
        if self.held():
            return
        logger.debug("starting %s", self.name)
        if self.output is None:
            self.spawn(None)
            return
        self.output.parent.mkdir(parents=True, exist_ok=True)
        with self.output.open("ab") as out:
            self.spawn(out)

    def spawn(self, out: IO[bytes] | None) -> None:
        # As the base Child: an own process group (Ctrl-C reaches only the supervisor, which stops
        # each child once) and, on Linux, SIGTERM should the supervisor die.
        self.process = subprocess.Popen(
            self.argv, env=self.env, stdin=subprocess.DEVNULL, stdout=out,
            stderr=subprocess.STDOUT if out else None, process_group=0, preexec_fn=death_signal_setter(),
        )

    def halt(self) -> None:
        """Stop the process on purpose: not a crash, so no restart and no restart penalty."""
        if self.process is not None and self.process.poll() is None:
            logger.info("stopping %s", self.name)
            self.process.terminate()
            try:
                self.process.wait(timeout=HALT_GRACE)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        self.restarts = []
        self.restart_at = 0.0


def http_ready(port: int, path: str) -> bool:
    # A loopback probe of our own child, not outbound I/O, so it does not go through jagaweb.net.
    connection = http.client.HTTPConnection(LOOPBACK, port, timeout=2)
    try:
        connection.request("GET", path)
        return connection.getresponse().status < 500
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def tcp_ready(port: int) -> bool:
    try:
        with socket.create_connection((LOOPBACK, port), timeout=1):
            return True
    except OSError:
        return False


@dataclass
class Announcer:
    """Calls `on_ready` once every probe answers, or `on_timeout` once the wait is over."""

    probes: list[Callable[[], bool]]
    on_ready: Callable[[], None]
    on_timeout: Callable[[], None]
    deadline: float = field(default_factory=lambda: time.monotonic() + READY_TIMEOUT)
    done: bool = False

    def poll(self, now: float) -> None:
        if self.done:
            return
        if all(probe() for probe in self.probes):
            self.done = True
            self.on_ready()
        elif now > self.deadline:
            self.done = True
            self.on_timeout()


class DemoSupervisor(Supervisor):
    def __init__(self, children: list[Child], announcer: Announcer, poll: float = 0.5) -> None:
        super().__init__(children, poll)
        self.announcer = announcer

    def check_children(self, now: float) -> None:
        for child in self.children:
            if isinstance(child, EnvChild) and child.held() and child.process is not None:
                child.halt()
        super().check_children(now)
        if not self.stopping:
            self.announcer.poll(now)
