"""Repository lock: one writer at a time, with stale locks of dead processes cleared.

A lock is a small file under ``locks/``. A lock whose process is gone (same host, pid no longer
alive) or that was not refreshed for STALE_AFTER is stale and removed by the next locker.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass

from jagaweb.backup.targets.base import Target

STALE_AFTER = 30 * 60
REFRESH_EVERY = 5 * 60


def hostname() -> str:
    # What socket.gethostname() returns, without importing socket into every backup process.
    return os.uname().nodename


class RepositoryLocked(Exception):
    """Another process is working on this repository."""


@dataclass
class LockInfo:
    name: str
    host: str
    pid: int
    time: float

    def stale(self, now: float) -> bool:
        if self.host == hostname() and not _alive(self.pid):
            return True
        return now - self.time > STALE_AFTER


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Lock:
    def __init__(self, target: Target) -> None:
        self.target = target
        self.name = f"locks/{os.urandom(16).hex()}"
        self.refreshed = 0.0

    def others(self) -> list[LockInfo]:
        found = []
        for name in self.target.list("locks"):
            if name == self.name or name.rsplit("/", 1)[-1].startswith(Target.TMP_PREFIX):
                continue
            try:
                raw = json.loads(self.target.read(name))
                found.append(LockInfo(name, raw["host"], int(raw["pid"]), float(raw["time"])))
            except (FileNotFoundError, ValueError, KeyError):
                continue
        return found

    def acquire(self) -> None:
        now = time.time()
        for other in self.others():
            if other.stale(now):
                self.target.delete(other.name)
        self.refresh(force=True)
        live = [o for o in self.others() if not o.stale(time.time())]
        if live:
            self.release()
            holder = live[0]
            raise RepositoryLocked(
                f"the repository is in use by process {holder.pid} on {holder.host} "
                f"since {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(holder.time))}"
            )

    def refresh(self, force: bool = False) -> None:
        now = time.time()
        if force or now - self.refreshed > REFRESH_EVERY:
            body = {"host": hostname(), "pid": os.getpid(), "time": now}
            self.target.write(self.name, json.dumps(body).encode())
            self.refreshed = now

    def release(self) -> None:
        self.target.delete(self.name)
