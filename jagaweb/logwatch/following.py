"""Following access logs from one run to the next: which files a site's configured paths name, and where
reading resumes in each after the web server (or logrotate) did whatever it did meanwhile.

A position remembers the file (device and inode), the offset and line number, and a fingerprint: the hash
of the file's first bytes, up to FINGERPRINT_BYTES. At the next run the path is opened and compared:

* same file, not shorter, same first bytes: it grew (or not); read on from the offset;
* another file, or the same one shorter or with other first bytes: it was rotated, by rename (the old file
  is now `access.log.1`, `access.log-20261113`, maybe gzipped) or by copy and truncate (a copy holds the
  old lines). The rotated file whose first bytes match the fingerprint is read from the old offset to its
  end first, then the new file from its start. When none matches (deleted, or compressed differently),
  what was written after the last read is lost and the plan says so.

Every file is opened once, while planning, and read through /proc/self/fd where Linux offers it: a
rotation between planning and reading cannot swap the file under the reader.
"""

from __future__ import annotations

import glob
import gzip
import hashlib
import os
import re
import stat
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

FINGERPRINT_BYTES = 1024
GZIP_MAGIC = b"\x1f\x8b"
PROC_FD = Path("/proc/self/fd")
# Names logrotate, newsyslog and cronolog-style setups give rotated files; a glob never follows them (their
# lines are read through the live file they came from).
ROTATED_SUFFIX = re.compile(r"(?:\.\d{1,3}|[-_.]\d{8}(?:\d{2,6})?)?(?:\.(?:gz|bz2|xz|zst))?$")
ROTATED_NAME = re.compile(r"(?:\.\d{1,3}|[-_.]\d{8}(?:\d{2,6})?)(?:\.(?:gz|bz2|xz|zst))?$|\.(?:gz|bz2|xz|zst)$")
GLOB_CHARACTERS = frozenset("*?[")
MAX_CANDIDATES = 30


@dataclass(frozen=True)
class Position:
    """Where the last run stopped in a file."""

    device: int
    inode: int
    offset: int
    next_line: int
    fingerprint: str
    fingerprint_bytes: int


@dataclass(frozen=True)
class Identity:
    device: int
    inode: int
    size: int  # on disk (compressed size for gzip)
    compressed: bool
    fingerprint: str
    fingerprint_bytes: int


@dataclass
class Segment:
    """A stretch of one file to read: from `offset` (line `next_line`) to its end."""

    path: Path  # as named in the findings
    source: Path  # what the reader opens: /proc/self/fd/N of the file opened while planning, or `path`
    offset: int
    next_line: int
    identity: Identity
    live: bool  # the file the configured path names now: a last line without its newline waits


@dataclass
class Plan:
    path: Path
    segments: list[Segment] = field(default_factory=list)
    note: str = ""  # what happened to the file since the last run, for people


def is_rotated_name(name: str) -> bool:
    return bool(ROTATED_NAME.search(name))


def live_paths(configured: list[str] | None) -> list[Path]:
    """The files a site's access-log setting names: plain paths as given (a missing one still matters: its
    rotated file may hold unread lines) and glob patterns expanded to the live files they match."""
    found: dict[str, Path] = {}
    for entry in configured or []:
        entry = str(entry).strip()
        if not entry:
            continue
        if GLOB_CHARACTERS & set(entry):
            for match in sorted(glob.glob(entry)):
                if not is_rotated_name(os.path.basename(match)) and os.path.isfile(match):
                    found.setdefault(match, Path(match))
        else:
            found.setdefault(entry, Path(entry))
    return list(found.values())


def fingerprint_of(head: bytes) -> str:
    return hashlib.sha256(head).hexdigest() if head else ""


def read_head(fd: int, count: int, compressed: bool) -> bytes:
    """The first `count` bytes of the log text (decompressed for gzip)."""
    if count <= 0:
        return b""
    if not compressed:
        return os.pread(fd, count, 0)
    with open(os.dup(fd), "rb") as raw:  # a separate description: its position is its own
        raw.seek(0)
        try:
            with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
                return stream.read(count)
        except (OSError, EOFError, zlib.error):
            return b""


def identity_of(fd: int) -> Identity:
    status = os.fstat(fd)
    compressed = os.pread(fd, 2, 0) == GZIP_MAGIC
    head = read_head(fd, FINGERPRINT_BYTES, compressed)
    return Identity(status.st_dev, status.st_ino, status.st_size, compressed, fingerprint_of(head), len(head))


def same_start(fd: int, compressed: bool, position: Position) -> bool:
    """Whether the file begins with the bytes the position's fingerprint was taken of."""
    head = read_head(fd, position.fingerprint_bytes, compressed)
    return len(head) == position.fingerprint_bytes and fingerprint_of(head) == position.fingerprint


def source_of(path: Path, fd: int) -> Path:
    through_proc = PROC_FD / str(fd)
    return through_proc if PROC_FD.is_dir() else path


def rotated_candidates(path: Path) -> list[Path]:
    """Files next to `path` named like its rotations, the most recently changed first."""
    try:
        names = os.listdir(path.parent)
    except OSError:
        return []
    found = []
    for name in names:
        rest = name[len(path.name):]
        if name.startswith(path.name) and rest and ROTATED_SUFFIX.fullmatch(rest):
            candidate = path.parent / name
            try:
                found.append((candidate.stat().st_mtime, candidate))
            except OSError:
                continue
    return [candidate for _when, candidate in sorted(found, reverse=True)[:MAX_CANDIDATES]]


class Planner:
    """Opens the files a path needs read and keeps them open until `close()`."""

    def __init__(self) -> None:
        self.handles: list[int] = []
        self.failures: dict[Path, str] = {}  # why a path could not be opened, for the run's notes

    def open(self, path: Path) -> int | None:
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError as exc:
            self.failures[path] = "not found" if isinstance(exc, FileNotFoundError) else exc.strerror or str(exc)
            return None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            self.failures[path] = "not a regular file"
            return None
        self.handles.append(fd)
        return fd

    def close(self) -> None:
        while self.handles:
            os.close(self.handles.pop())

    def segment(self, path: Path, fd: int, identity: Identity, offset: int, next_line: int, live: bool) -> Segment:
        return Segment(path, source_of(path, fd), offset, next_line, identity, live)

    def plan(self, path: Path, position: Position | None) -> Plan:
        plan = Plan(path)
        fd = self.open(path)
        identity = identity_of(fd) if fd is not None else None
        if position is None:
            if fd is not None and identity is not None:
                plan.segments.append(self.segment(path, fd, identity, 0, 1, live=True))
            return plan
        if fd is not None and identity is not None and self.unchanged(fd, identity, position):
            plan.segments.append(self.segment(path, fd, identity, position.offset, position.next_line, live=True))
            return plan
        rotated = self.find_rotated(path, position)
        if rotated is not None:
            old_path, old_fd, old_identity = rotated
            plan.segments.append(self.segment(old_path, old_fd, old_identity, position.offset, position.next_line,
                                              live=False))
            plan.note = f"rotated to {old_path.name}"
        elif fd is not None or position.offset:
            plan.note = "rotated; the old file was not found, lines written after the last read are lost"
        if fd is not None and identity is not None:
            plan.segments.append(self.segment(path, fd, identity, 0, 1, live=True))
        return plan

    @staticmethod
    def unchanged(fd: int, identity: Identity, position: Position) -> bool:
        if (identity.device, identity.inode) != (position.device, position.inode):
            return False
        if not identity.compressed and identity.size < position.offset:
            return False  # truncated (copytruncate)
        return same_start(fd, identity.compressed, position)

    def find_rotated(self, path: Path, position: Position) -> tuple[Path, int, Identity] | None:
        for candidate in rotated_candidates(path):
            fd = self.open(candidate)
            if fd is None:
                continue
            identity = identity_of(fd)
            if position.fingerprint_bytes:
                matches = same_start(fd, identity.compressed, position)
            else:  # the file was empty at the last run: only its inode can tell it
                matches = not identity.compressed and (identity.device, identity.inode) == (
                    position.device, position.inode)
            if matches:
                return candidate, fd, identity
            self.handles.remove(fd)
            os.close(fd)
        return None


@contextmanager
def planning() -> Iterator[Planner]:
    planner = Planner()
    try:
        yield planner
    finally:
        planner.close()
