"""Shared by the demo tests: the combined log format, and bounded waiting."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

QUOTED = r'"((?:[^"\\]|\\.)*)"'
TIME = r"\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}"
COMBINED = re.compile(
    rf"^(?P<host>\S+) (?P<ident>\S+) (?P<user>\S+) \[(?P<time>{TIME})\] "
    rf"{QUOTED} (?P<status>\d{{3}}) (?P<size>\d+|-) {QUOTED} {QUOTED}$"
)


def parse_combined(line: str) -> dict:
    match = COMBINED.match(line)
    assert match, f"not a combined-format line: {line!r}"
    host, ident, user, time_text, request, status, size, referer, agent = match.groups()
    return {
        "host": host, "ident": ident, "user": user,
        "time": datetime.strptime(time_text, "%d/%b/%Y:%H:%M:%S %z"),
        "request": request, "status": int(status), "size": None if size == "-" else int(size),
        "referer": referer, "agent": agent,
    }


def wait_for(condition: Callable[[], object], timeout: float, what: str, step: float = 0.05) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def log_lines(path: Path, count: int, timeout: float = 5.0) -> list[str]:
    """The log's lines once it has at least `count` (a line is written just after the response)."""

    def enough() -> list[str] | None:
        lines = path.read_text().splitlines() if path.exists() else []
        return lines if len(lines) >= count else None

    return wait_for(enough, timeout, f"{count} lines in {path}")  # type: ignore[return-value]
