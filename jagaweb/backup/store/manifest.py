"""A snapshot's manifest: one entry per path, sorted, with metadata, content hash and chunks.

Built for two readers: restore (which chunks make this file) and the guard, which asks "what did
this path look like in the last trusted backup?" many thousands of times, so lookups are a dict
built once per manifest.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class EntryKind(StrEnum):
    # A plain enum, not Django's TextChoices: the store runs without Django (a second of start-up saved).
    FILE = "file"
    DIR = "dir"
    SYMLINK = "symlink"


@dataclass(slots=True)
class Entry:
    path: str
    kind: str
    mode: int
    size: int = 0
    mtime_ns: int = 0
    uid: int = 0
    gid: int = 0
    hash: str = ""
    chunks: list[str] = field(default_factory=list)
    target: str = ""
    inode: int = 0
    ctime_ns: int = 0

    def as_row(self) -> list[Any]:
        return [self.path, self.kind, self.mode, self.size, self.mtime_ns, self.uid, self.gid, self.hash,
                self.chunks, self.target, self.inode, self.ctime_ns]

    @classmethod
    def from_row(cls, row: list[Any]) -> Entry:
        return cls(*row)

    def same_metadata(self, other: Entry) -> bool:
        """True when a file is unchanged by the cheap test backup tools use: size, times and inode."""
        return (
            self.kind == other.kind == EntryKind.FILE
            and self.size == other.size
            and self.mtime_ns == other.mtime_ns
            and self.ctime_ns == other.ctime_ns
            and self.inode == other.inode
        )


class Manifest:
    def __init__(self, entries: list[Entry]) -> None:
        self.entries = sorted(entries, key=lambda e: e.path)
        self._by_path: dict[str, Entry] | None = None

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    @property
    def by_path(self) -> dict[str, Entry]:
        if self._by_path is None:
            self._by_path = {e.path: e for e in self.entries}
        return self._by_path

    def get(self, path: str) -> Entry | None:
        return self.by_path.get(path.strip("/"))

    def select(self, paths: list[str]) -> list[Entry]:
        """Entries at or below any of `paths` (relative, '/'-separated)."""
        wanted = [p.strip("/") for p in paths]
        return [e for e in self.entries if any(e.path == w or e.path.startswith(w + "/") or not w for w in wanted)]

    def subtree(self, prefix: str) -> Manifest:
        """The entries below `prefix`, with paths relative to it (the web root part of a snapshot)."""
        start = prefix.strip("/") + "/"
        entries = []
        for entry in self.entries:
            if entry.path.startswith(start):
                copy = Entry(*entry.as_row())
                copy.path = entry.path[len(start):]
                entries.append(copy)
        return Manifest(entries)

    def rows(self) -> list[list[Any]]:
        return [e.as_row() for e in self.entries]

    @classmethod
    def from_rows(cls, rows: list[list[Any]]) -> Manifest:
        return cls([Entry.from_row(r) for r in rows])

    def total_size(self) -> int:
        return sum(e.size for e in self.entries if e.kind == EntryKind.FILE)
