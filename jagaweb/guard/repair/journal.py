"""The repair's journal: quarantine_dir/journal, one JSON object a line, appended and fsynced as each
action completes, so a repair stopped at any point (crash, SIGKILL, power loss) can be run again
and knows what it already holds as evidence.

A line cut short by a crash was never complete, so the action it describes is taken as not done
(every action is safe to do again) and the torn bytes are dropped. A damaged line before the last
is refused: the evidence trail would no longer be trustworthy. One repair at a time per quarantine
(flock): two runs racing would each think the other's copies were theirs.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from pathlib import Path
from types import TracebackType
from typing import Any

from jagaweb.guard.repair.errors import RepairError
from jagaweb.guard.repair.webroot import fsync_path

FLAGS = os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC | os.O_NOFOLLOW


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path
        created = not path.exists()
        self.fd = os.open(path, FLAGS, 0o600)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            raise RepairError(f"another repair is using {path.parent}") from None
        try:
            self.lines = self.read()
            if created:
                fsync_path(path.parent)
        except BaseException:
            self.close()
            raise

    def read(self) -> list[dict[str, Any]]:
        content = b""
        os.lseek(self.fd, 0, os.SEEK_SET)
        while block := os.read(self.fd, 1024 * 1024):
            content += block
        complete = content.rfind(b"\n") + 1
        if complete < len(content):
            os.ftruncate(self.fd, complete)  # the torn last line of an interrupted run
            os.fsync(self.fd)
        lines = []
        for number, line in enumerate(content[:complete].splitlines(), start=1):
            try:
                value = json.loads(line)
            except ValueError:
                value = None
            if not isinstance(value, dict) or not isinstance(value.get("op"), str):
                raise RepairError(f"{self.path} line {number} is damaged; the repair will not guess at its evidence")
            lines.append(value)
        return lines

    def append(self, op: str, durable: bool = True, **fields: Any) -> None:
        self.append_many([(op, fields)], durable)

    def append_many(self, lines: list[tuple[str, dict[str, Any]]], durable: bool = True) -> None:
        """Lines written at once; `durable`: fsynced before this returns (else by the next sync)."""
        if not lines:
            return
        made = [{"op": op, **fields} for op, fields in lines]
        data = memoryview(b"".join(
            json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode() + b"\n" for line in made))
        while data:
            data = data[os.write(self.fd, data):]
        if durable:
            self.sync()
        self.lines.extend(made)

    def sync(self) -> None:
        os.fsync(self.fd)

    def of(self, op: str) -> list[dict[str, Any]]:
        return [line for line in self.lines if line["op"] == op]

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()
