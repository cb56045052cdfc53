"""A progress bar for long work in the terminal: done/total, rate and time left, redrawn in place."""

from __future__ import annotations

import sys
import time
from typing import TextIO


def size_text(count: float) -> str:
    """Bytes in the largest unit that keeps the number below 1024, e.g. "12.4 KB"."""
    for unit in ("B", "KB", "MB", "GB"):
        if abs(count) < 1024:
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count:.1f} TB"


class ProgressBar:
    WIDTH = 28

    def __init__(self, label: str, stream: TextIO | None = None, as_bytes: bool = True, every: float = 0.2) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.as_bytes = as_bytes
        self.every = every
        self.started = time.monotonic()
        self.drawn = 0.0
        self.interactive = self.stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.drawn < (self.every if self.interactive else 5.0) and done < total:
            return
        self.drawn = now
        self.stream.write(("\r" if self.interactive else "") + self.line(done, total, now)
                          + ("" if self.interactive else "\n"))
        self.stream.flush()

    def line(self, done: int, total: int, now: float) -> str:
        fraction = min(1.0, done / total) if total else 0.0
        filled = int(fraction * self.WIDTH)
        elapsed = max(now - self.started, 1e-6)
        rate = done / elapsed
        left = (total - done) / rate if rate and total > done else 0
        show = size_text if self.as_bytes else (lambda n: f"{n:.0f}")
        return (f"{self.label} [{'#' * filled}{'.' * (self.WIDTH - filled)}] {fraction * 100:5.1f}% "
                f"{show(done)}/{show(total)} {show(rate)}/s, {left:4.0f}s left ")

    def close(self) -> None:
        if self.interactive:
            self.stream.write("\n")
            self.stream.flush()
