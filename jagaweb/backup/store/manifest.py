"""A snapshot's manifest: one entry per path, sorted, with metadata, content hash and chunks.

Built for two readers: restore (which chunks make this file) and the guard, which asks "what did
this path look like in the last trusted backup?" many thousands of times, so lookups are a dict
built once per manifest.

And for one writer, the next backup, which only asks "is this path as it was?" for every path of
the tree. For that a manifest can also be held in a compact form (`Compact`): per path, the few
values a file must keep to count as unchanged, and the entry's row as JSON text. A backup compares
with that form and copies the rows of unchanged paths as text, so neither the parent's tens of
thousands of entries nor the new manifest's JSON are made again; the entries themselves are made
only when someone asks for them.
"""

from __future__ import annotations

import json
import operator
import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import accumulate, islice
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
        # str(): the kind as a plain string, not the enum member, for the local cache (marshal).
        return [self.path, str(self.kind), self.mode, self.size, self.mtime_ns, self.uid, self.gid, self.hash,
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


# ---- the compact form ----
FILE_KEY = struct.Struct("<QqqQ")  # size, mtime_ns, ctime_ns, inode


def file_key(size: int, mtime_ns: int, ctime_ns: int, inode: int) -> bytes:
    """What a file must keep to count as unchanged (see Entry.same_metadata); b"" matches nothing."""
    try:
        return FILE_KEY.pack(size, mtime_ns, ctime_ns, inode)
    except struct.error:
        return b""


def entry_key(entry: Entry) -> bytes:
    if entry.kind != EntryKind.FILE:
        return b""  # folders and symlinks are compared by their whole row
    return file_key(entry.size, entry.mtime_ns, entry.ctime_ns, entry.inode)


def row_text(row: list[Any]) -> bytes:
    """A row as JSON, exactly as it appears in the manifest's JSON (json.dumps of the row list)."""
    return json.dumps(row, separators=(",", ":")).encode()


class Compact:
    """A manifest sorted by path as parallel lists: paths, file keys, and each row as JSON text. The
    texts are held as a list, or as the manifest's JSON with the offset where each row ends (as the
    local cache keeps them); either form is made from the other when it is asked for."""

    def __init__(self, paths: list[str], keys: list[bytes], texts: list[bytes] | None = None,
                 encoded: bytes | None = None, ends: Sequence[int] | None = None) -> None:
        assert texts is not None or (encoded is not None and ends is not None)
        self.paths, self.keys = paths, keys
        self._texts, self._json, self._ends = texts, encoded, ends
        self._index: dict[str, int] | None = None

    @classmethod
    def of_entries(cls, entries: list[Entry]) -> Compact:
        """From entries sorted by path."""
        return cls([e.path for e in entries], [entry_key(e) for e in entries], [row_text(e.as_row()) for e in entries])

    @property
    def index(self) -> dict[str, int]:
        if self._index is None:
            self._index = {path: number for number, path in enumerate(self.paths)}
        return self._index

    @property
    def texts(self) -> list[bytes]:
        if self._texts is None:
            data, ends = self.json(), self.ends()
            self._texts = [data[start + 1:end] for start, end in zip((0, *ends), ends, strict=False)]
        return self._texts

    def text(self, number: int) -> bytes:
        if self._texts is not None:
            return self._texts[number]
        ends = self.ends()
        return self.json()[(ends[number - 1] if number else 0) + 1:ends[number]]

    def json(self) -> bytes:
        """The manifest as stored: byte for byte what json.dumps(rows, separators=(",", ":")) gives."""
        if self._json is None:
            self._json = b"[" + b",".join(self.texts) + b"]"
        return self._json

    def ends(self) -> Sequence[int]:
        """Where each row ends in json(): the "," or "]" after it."""
        if self._ends is None:
            self._ends = list(accumulate(len(text) + 1 for text in self.texts))
        return self._ends

    def valid(self) -> bool:
        """The parts fit together and have the right types (what a copy from elsewhere, such as the
        cache, must show before it is used)."""
        data, ends = self._json if self._json is not None else self.json(), self.ends()
        if not (isinstance(data, bytes) and len(self.paths) == len(self.keys) == len(ends)):
            return False
        if set(map(type, self.paths)) - {str} or set(map(type, self.keys)) - {bytes}:
            return False
        if not ends:
            return data == b"[]"
        # map() rather than generators: these run over every row of a cached manifest on each backup.
        return (data[:1] == b"[" and ends[0] > 0 and ends[-1] == len(data) - 1 and data[-1:] == b"]"
                and all(map(operator.lt, ends, islice(ends, 1, None)))
                and all(map(COMMA.__eq__, map(data.__getitem__, islice(ends, len(ends) - 1)))))


COMMA = ord(",")


class Manifest:
    def __init__(self, entries: list[Entry] | None = None, compact: Compact | None = None) -> None:
        """From entries (any order), or lazily from a compact form (its entries are made when needed)."""
        self._entries = sorted(entries, key=lambda e: e.path) if entries is not None else None
        self._compact = compact
        self._by_path: dict[str, Entry] | None = None

    @property
    def entries(self) -> list[Entry]:
        if self._entries is None:
            assert self._compact is not None
            self._entries = [Entry(*row) for row in json.loads(self._compact.json())]
        return self._entries

    def compact(self) -> Compact:
        if self._compact is None:
            self._compact = Compact.of_entries(self.entries)
        return self._compact

    def encoded(self) -> bytes:
        """The manifest's JSON, as the repository stores it."""
        if self._compact is not None:
            return self._compact.json()
        return json.dumps(self.rows(), separators=(",", ":")).encode()

    def __len__(self) -> int:
        return len(self._compact.paths) if self._entries is None and self._compact is not None else len(self.entries)

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
