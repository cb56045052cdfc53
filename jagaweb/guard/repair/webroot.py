"""The web root as the repair touches it: every path reached folder by folder through descriptors
opened with O_NOFOLLOW, so no symlink in the root (a loop, a link to /etc, a folder swapped for a
link while the repair runs) is ever followed, and nothing outside the root is read or written.

Only regular files are opened, and only after lstat said so (a FIFO or device would block or do
harm when opened); the descriptor is checked to be that same file before it is read.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import blake3

from jagaweb.backup.store.manifest import Entry, EntryKind
from jagaweb.guard.repair.changes import PathType, path_parts, split
from jagaweb.guard.repair.errors import NotReachable, RepairError

DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
BLOCK = 1024 * 1024
# Errors that mean "a component on the way is not a real folder": ELOOP for a symlink opened with
# O_NOFOLLOW, ENOTDIR for a file or a symlink under O_DIRECTORY.
NOT_A_FOLDER = (errno.ELOOP, errno.ENOTDIR)


def kind_of(mode: int) -> PathType:
    if stat.S_ISREG(mode):
        return PathType.FILE
    if stat.S_ISDIR(mode):
        return PathType.DIR
    if stat.S_ISLNK(mode):
        return PathType.SYMLINK
    return PathType.OTHER


@dataclass(frozen=True)
class Hashes:
    sha256: str
    blake3: str
    size: int


def hash_descriptor(fd: int, read: Callable[[int, int], bytes] | None = None, limit: int | None = None) -> Hashes:
    """SHA-256 and BLAKE3 of a file from its start, in one pass; at most `limit` bytes, so a file an
    attacker keeps growing cannot keep the repair reading (ask for one byte more than lstat gave:
    a different size then tells the file changed)."""
    os.lseek(fd, 0, os.SEEK_SET)
    sha, b3, size = hashlib.sha256(), blake3.blake3(), 0
    while limit is None or size < limit:
        block = (read or os.read)(fd, BLOCK if limit is None else min(BLOCK, limit - size))
        if not block:
            break
        sha.update(block)
        b3.update(block)
        size += len(block)
    return Hashes(sha.hexdigest(), b3.hexdigest(), size)


def hash_file(path: Path) -> Hashes:
    fd = os.open(path, READ_FLAGS)
    try:
        return hash_descriptor(fd)
    finally:
        os.close(fd)


def owner_matters() -> bool:
    """Only root can give files back to their owners; others restore content and permissions."""
    return os.geteuid() == 0


@dataclass(frozen=True)
class Seen:
    """What is at a path now: its lstat and, for a file, its hashes; for a symlink, its target."""

    kind: PathType
    st: os.stat_result
    hashes: Hashes | None = None
    target: str = ""

    @property
    def mode(self) -> int:
        return stat.S_IMODE(self.st.st_mode)

    def same_metadata(self, mode: int, uid: int, gid: int) -> bool:
        return self.mode == mode and (not owner_matters() or (self.st.st_uid, self.st.st_gid) == (uid, gid))

    def trusted(self, entry: Entry | None) -> bool:
        """Exactly what the snapshot has (content, kind, permissions; owner when we could restore it)."""
        if entry is None or self.kind != entry.kind:
            return False
        if entry.kind == EntryKind.SYMLINK:
            return self.target == entry.target
        if not self.same_metadata(entry.mode, entry.uid, entry.gid):
            return False
        return entry.kind == EntryKind.DIR or (self.hashes is not None and self.hashes.blake3 == entry.hash)


class WebRoot:
    def __init__(self, root: Path) -> None:
        # The root itself may be a symlink (/var/www/html -> /srv/site), as a backup follows it too.
        self.path = root
        self.fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)

    def close(self) -> None:
        os.close(self.fd)

    @contextmanager
    def folder(self, relative: str) -> Iterator[int]:
        """A descriptor of the folder at `relative` ("" is the root), reached without following links."""
        fd = self.fd
        try:
            for name in path_parts(relative) if relative else []:
                try:
                    inner = os.open(name, DIR_FLAGS, dir_fd=fd)
                except FileNotFoundError:
                    raise NotReachable(f"{relative}: {name} is missing") from None
                except OSError as exc:
                    if exc.errno in NOT_A_FOLDER:
                        raise NotReachable(f"{relative}: {name} is not a folder") from None
                    raise
                if fd != self.fd:
                    os.close(fd)
                fd = inner
            yield fd
        finally:
            if fd != self.fd:
                os.close(fd)

    def lstat(self, relative: str) -> os.stat_result | None:
        """What is at `relative`; None when nothing is, or when it lies behind something no folder."""
        folder, name = split(relative)
        try:
            with self.folder(folder) as fd:
                return os.stat(name, dir_fd=fd, follow_symlinks=False)
        except (FileNotFoundError, NotReachable):
            return None

    def look(self, relative: str) -> Seen | None:
        folder, name = split(relative)
        try:
            with self.folder(folder) as fd:
                return look_at(fd, name, relative)
        except (FileNotFoundError, NotReachable):
            return None

    def listing(self, relative: str) -> list[str]:
        with self.folder(relative) as fd:
            return sorted(os.listdir(fd))

    def walk(self, relative: str) -> list[tuple[str, os.stat_result]]:
        """`relative` and, when it is a real folder, everything below it, parents before children;
        symlinks are listed, never entered. Iterative: a hostile tree may be very deep."""
        found: list[tuple[str, os.stat_result]] = []
        st = self.lstat(relative)
        pending = [(relative, st)] if st is not None else []
        while pending:
            path, st = pending.pop()
            found.append((path, st))
            if stat.S_ISDIR(st.st_mode):
                with self.folder(path) as fd:
                    children = []
                    for name in sorted(os.listdir(fd)):
                        try:
                            children.append((f"{path}/{name}", os.stat(name, dir_fd=fd, follow_symlinks=False)))
                        except FileNotFoundError:
                            continue  # gone meanwhile
                pending.extend(reversed(children))
        return found


def look_at(folder_fd: int, name: str, relative: str) -> Seen | None:
    try:
        st = os.stat(name, dir_fd=folder_fd, follow_symlinks=False)
    except FileNotFoundError:
        return None
    kind = kind_of(st.st_mode)
    if kind == PathType.SYMLINK:
        return Seen(kind, st, target=os.readlink(name, dir_fd=folder_fd))
    if kind != PathType.FILE:
        return Seen(kind, st)
    fd = open_regular(folder_fd, name, relative, st)
    try:
        return Seen(kind, st, hashes=hash_descriptor(fd, limit=st.st_size + 1))
    finally:
        os.close(fd)


def open_regular(folder_fd: int, name: str, relative: str, st: os.stat_result) -> int:
    """The file lstat found, opened for reading; refused when something else took its place."""
    try:
        fd = os.open(name, READ_FLAGS, dir_fd=folder_fd)
    except OSError as exc:
        if exc.errno in NOT_A_FOLDER:
            raise RepairError(f"{relative} was replaced while it was looked at") from None
        raise
    opened = os.fstat(fd)
    if not stat.S_ISREG(opened.st_mode) or (opened.st_dev, opened.st_ino) != (st.st_dev, st.st_ino):
        os.close(fd)
        raise RepairError(f"{relative} was replaced while it was looked at")
    return fd


def load_syncfs() -> Callable[[int], int] | None:
    try:
        function = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int]
    function.restype = ctypes.c_int
    return function


SYNCFS = load_syncfs()


def sync_filesystem(fd: int) -> None:
    """Make everything written on the file system of `fd` durable at once (syncfs(2), which the os
    module of Python 3.11 does not offer). A batch of files is flushed by one call where an fsync
    each costs a disk flush each: about 3 ms per fsync here, which made a quarantined file cost 10 ms."""
    if SYNCFS is None or SYNCFS(fd) != 0:
        os.sync()


def fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
