"""Snapshot entries written into the web root, always beside the path and renamed over it once
complete, checked and durable, so a path holds either what was there or the whole original.

Files are written in batches: each is written and checked beside its path, then one sync of the
file system makes the whole batch durable (an fsync per file cost 3 ms each here), and only then
are they renamed into place, each after a last look that what it replaces is still what was kept.

Everything happens in a folder descriptor the caller reached without following links (webroot.py),
so no write goes through a symlink. The temporary name is a keyed hash of the final name: a rerun
after a crash finds and removes what an interrupted write left, and since the key is kept in the
private quarantine folder, nobody else can plant a file under that name for the repair to remove.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass

import blake3

from jagaweb.backup.store.manifest import Entry
from jagaweb.backup.store.repository import Repository
from jagaweb.backup.store.restorer import ChunkSource
from jagaweb.guard.repair.changes import split
from jagaweb.guard.repair.errors import PATH_ERRORS, RepairError
from jagaweb.guard.repair.quarantine import WRITE_FLAGS, write_all
from jagaweb.guard.repair.webroot import DIR_FLAGS, WebRoot, owner_matters, sync_filesystem

TEMPORARY_PREFIX = ".jagaweb-repair-"
BATCH_FILES, BATCH_BYTES = 256, 64 * 1024 * 1024
# Called right before a prepared file replaces a path: (path, its folder, name, what was kept there).
Recheck = Callable[[str, int, str, "os.stat_result | None"], None]


def temporary_name(name: str, key: bytes) -> str:
    return TEMPORARY_PREFIX + blake3.blake3(os.fsencode(name), key=key).hexdigest()[:20]


def remove_leftover(folder_fd: int, name: str, key: bytes) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temporary_name(name, key), dir_fd=folder_fd)


def set_metadata(fd: int, entry: Entry) -> None:
    if owner_matters():
        os.fchown(fd, entry.uid, entry.gid)  # before the mode: a change of owner clears set-id bits
    os.fchmod(fd, entry.mode)
    os.utime(fd, ns=(entry.mtime_ns, entry.mtime_ns))


def set_folder_metadata(fd: int, entry: Entry, writable: bool = False) -> None:
    """A folder's owner, mode and time; `writable` keeps it open to its owner while it is filled."""
    if owner_matters():
        os.fchown(fd, entry.uid, entry.gid)
    os.fchmod(fd, entry.mode | (0o700 if writable and not owner_matters() else 0))
    os.utime(fd, ns=(entry.mtime_ns, entry.mtime_ns))


def make_folder(folder_fd: int, name: str, entry: Entry) -> None:
    os.mkdir(name, 0o700, dir_fd=folder_fd)
    fd = os.open(name, DIR_FLAGS, dir_fd=folder_fd)
    try:
        set_folder_metadata(fd, entry, writable=True)
    finally:
        os.close(fd)
    os.fsync(folder_fd)


@dataclass
class Prepared:
    """A file written beside its path, waiting for its batch to be made durable."""

    relative: str
    temporary: str
    kept: os.stat_result | None  # what the path held when it was preserved; None: nothing
    size: int


class SnapshotWriter:
    def __init__(self, repo: Repository, root: WebRoot, entries: list[Entry], key: bytes) -> None:
        self.repo = repo
        self.root = root
        self.source = ChunkSource(repo, entries)
        self.key = key
        self.prepared: list[Prepared] = []

    def prepare_file(self, folder_fd: int, name: str, entry: Entry, relative: str, kept: os.stat_result | None) -> None:
        """Write the entry beside `name`, checked against its hash, with its metadata; it replaces
        `name` when the batch is committed."""
        temporary = temporary_name(name, self.key)
        remove_leftover(folder_fd, name, self.key)
        fd = os.open(temporary, WRITE_FLAGS, 0o600, dir_fd=folder_fd)
        try:
            try:
                hasher = blake3.blake3()
                for chunk_id in entry.chunks:
                    blob_id, stored, raw_length = self.source.stored(bytes.fromhex(chunk_id))
                    # The whole-file hash below covers every chunk (and sealed ones are authenticated).
                    data = self.repo.decode_blob(blob_id, stored, raw_length, check_id=False)
                    hasher.update(data)
                    write_all(fd, data)
                if hasher.hexdigest() != entry.hash:
                    raise RepairError(f"{relative}: the snapshot's content does not match its hash")
                set_metadata(fd, entry)
            finally:
                os.close(fd)
        except BaseException:
            remove_leftover(folder_fd, name, self.key)
            raise
        self.prepared.append(Prepared(relative, temporary, kept, entry.size))

    def full(self) -> bool:
        return len(self.prepared) >= BATCH_FILES or sum(p.size for p in self.prepared) >= BATCH_BYTES

    def commit(self, recheck: Recheck) -> tuple[list[str], dict[str, Exception]]:
        """Make the prepared files durable, then put each in place; (paths done, paths failed)."""
        batch, self.prepared = self.prepared, []
        if not batch:
            return [], {}
        sync_filesystem(self.root.fd)  # every new content is on disk before it replaces anything
        done: list[str] = []
        failed: dict[str, Exception] = {}
        for item in batch:
            folder, name = split(item.relative)
            try:
                with self.root.folder(folder) as fd:
                    try:
                        recheck(item.relative, fd, name, item.kept)
                        os.replace(item.temporary, name, src_dir_fd=fd, dst_dir_fd=fd)
                    except BaseException:
                        remove_leftover(fd, name, self.key)
                        raise
                done.append(item.relative)
            except PATH_ERRORS as exc:
                failed[item.relative] = exc
        sync_filesystem(self.root.fd)  # and the renames
        return done, failed

    def discard(self) -> None:
        """Remove what was prepared and not committed (the run stopped); a rerun writes it again."""
        batch, self.prepared = self.prepared, []
        for item in batch:
            folder, name = split(item.relative)
            with contextlib.suppress(OSError, RepairError), self.root.folder(folder) as fd:
                remove_leftover(fd, name, self.key)

    def write_symlink(self, folder_fd: int, name: str, entry: Entry) -> None:
        """At once (links are few): made beside its path, renamed over it, the folder fsynced."""
        temporary = temporary_name(name, self.key)
        remove_leftover(folder_fd, name, self.key)
        os.symlink(entry.target, temporary, dir_fd=folder_fd)
        try:
            if owner_matters():
                os.chown(temporary, entry.uid, entry.gid, dir_fd=folder_fd, follow_symlinks=False)
            os.replace(temporary, name, src_dir_fd=folder_fd, dst_dir_fd=folder_fd)
        except BaseException:
            remove_leftover(folder_fd, name, self.key)
            raise
        os.fsync(folder_fd)
