"""Dump and restore clients as child processes.

A child runs in its own session, so a deadline can kill its whole process group: a wrapper script
cannot leave a stuck grandchild holding the pipe open. Its stderr is read to the end in a thread
(bounded), so a chatty tool never blocks on a full pipe; what passes through its stdout can be
watched by `TailReader`, which keeps the last few KB.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import signal
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from jagaweb.backup.sources.base import SourceError

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

TAIL_BYTES = 8 * 1024
STDERR_BYTES = 16 * 1024
EXIT_GRACE = 60.0  # seconds a child may take to exit after its output ended
FATAL = re.compile(r"\b(error|fatal|panic)\b|couldn't|can't connect|access denied", re.IGNORECASE)


@dataclass
class Command:
    argv: list[str]
    env: dict[str, str]

    @property
    def tool(self) -> str:
        return os.path.basename(self.argv[0])


def find_tool(*names: str) -> str:
    """The first of `names` on PATH; SourceError naming the first when none is installed."""
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    others = f" (nor is {', '.join(names[1:])})" if len(names) > 1 else ""
    raise SourceError(f"{names[0]} is not installed{others}")


def fatal(line: str) -> bool:
    return bool(FATAL.search(line)) and "warning" not in line.lower()


class TailReader(io.RawIOBase):
    """Passes a stream through unchanged, keeping its last `keep` bytes."""

    def __init__(self, stream: IO[bytes], keep: int = TAIL_BYTES) -> None:
        super().__init__()
        # read1: one read from the pipe, whatever has arrived, instead of waiting for a full buffer
        self.pull: Callable[[int], bytes] = getattr(stream, "read1", stream.read)
        self.keep = keep
        self.tail = bytearray()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        data = self.pull(len(view))
        count = len(data)
        view[:count] = data
        self.tail += data[-self.keep:]
        if len(self.tail) > 2 * self.keep:
            del self.tail[:-self.keep]
        return count

    def last(self) -> bytes:
        return bytes(self.tail[-self.keep:])


class StderrTail(threading.Thread):
    """Reads a child's stderr to the end, keeping the last bytes and the first error lines."""

    def __init__(self, stream: IO[bytes], limit: int = STDERR_BYTES) -> None:
        super().__init__(daemon=True, name="jagaweb-dump-stderr")
        self.stream = stream
        self.limit = limit
        self.buffer = bytearray()
        self.errors: list[str] = []

    def run(self) -> None:
        while line := self.stream.readline(8192):
            self.buffer += line
            if len(self.buffer) > 2 * self.limit:
                del self.buffer[:-self.limit]
            text = line.decode(errors="replace").strip()
            if fatal(text) and len(self.errors) < 10:
                self.errors.append(text)

    @property
    def text(self) -> str:
        return self.buffer[-self.limit:].decode(errors="replace").strip()

    def summary(self) -> str:
        return " | ".join(self.errors[:3]) if self.errors else self.text[-500:]


class Child:
    """A client process in its own session, its stderr drained, killed at the deadline."""

    def __init__(self, command: Command, *, stdin: int, stdout: int, timeout: float | None) -> None:
        try:
            self.proc = subprocess.Popen(
                command.argv, env=command.env, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE,
                start_new_session=True,
            )
        except OSError as exc:
            raise SourceError(f"cannot run {command.argv[0]}: {exc.strerror}") from exc
        assert self.proc.stderr is not None
        self.stderr = StderrTail(self.proc.stderr)
        self.stderr.start()
        self.timed_out = False
        self.timer = threading.Timer(timeout, self.expire) if timeout else None
        if self.timer is not None:
            self.timer.daemon = True
            self.timer.start()

    def __enter__(self) -> Child:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        if exc_type is not None:
            self.kill()
        self.wait()
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):  # stdin of a client that died: nothing left to say
                    stream.close()

    def expire(self) -> None:
        self.timed_out = True
        self.kill()

    def kill(self) -> None:
        # The group id is the child's pid (start_new_session), so this ends only what we started.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def wait(self) -> int:
        try:
            code = self.proc.wait(timeout=EXIT_GRACE)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.proc.wait()
        if self.timer is not None:
            self.timer.cancel()
        self.stderr.join()
        return code
