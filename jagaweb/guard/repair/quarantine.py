"""The quarantine: byte-identical copies of what the repair is about to overwrite or remove, with
their metadata and hashes as evidence.

Layout of the quarantine folder:
    files/<path>            the copy of a file, at its path relative to the web root
    versions/<n>/<path>     a later, different content of the same path (it changed again, or a
                            rerun found it changed), so no copy is ever replaced
    evidence.json           every record (evidence.py)
    journal                 what has been done (journal.py)
    tmp/                    copies being made; never evidence until placed

A copy is checked three ways before it counts: the original reads the same before and after it was
copied (else it is copied again, and refused after a few tries), the copy reads back to the
original's hashes, and it is put in place with link(2), which never replaces a file. Only once it
is durable is the record journaled: each copy fsynced on its own, or, in a batch (the quarantine
step), all of them by one sync of the file system before their records go into the journal
together. A copy placed but not yet journaled is found again by a rerun and used if its bytes are
the same.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import blake3

from jagaweb.guard.repair.changes import PathType, split
from jagaweb.guard.repair.errors import QuarantineError
from jagaweb.guard.repair.evidence import EvidenceRecord, now_text, write_evidence
from jagaweb.guard.repair.journal import Journal
from jagaweb.guard.repair.webroot import (
    Hashes,
    Seen,
    WebRoot,
    fsync_path,
    hash_descriptor,
    hash_file,
    open_regular,
    sync_filesystem,
)

COPY_ATTEMPTS = 3
MAX_VERSIONS = 1000
BATCH_RECORDS, BATCH_BYTES = 256, 64 * 1024 * 1024  # made durable and journaled together
WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def make_folders(path: Path, durable: bool = True) -> None:
    """`path` and the missing folders above it (each fsynced when `durable`); NotADirectoryError
    when a file (an earlier copy) is in the way."""
    missing: list[Path] = []
    current = path
    while True:
        try:
            st = os.lstat(current)
        except FileNotFoundError:
            missing.append(current)
            current = current.parent
            continue
        if not stat.S_ISDIR(st.st_mode):
            raise NotADirectoryError(f"{current} is not a folder")
        break
    for folder in reversed(missing):
        os.mkdir(folder, 0o700)
        if durable:
            fsync_path(folder.parent)


class Quarantine:
    """The records of a quarantine folder (from its journal) and the making of new ones."""

    def __init__(self, folder: Path, journal: Journal) -> None:
        self.folder = folder
        self.journal = journal
        self.records = [EvidenceRecord.from_dict(line["record"]) for line in journal.of("quarantined")]
        self.by_path: dict[str, list[EvidenceRecord]] = {}
        for record in self.records:
            self.by_path.setdefault(record.path, []).append(record)
        self.scratch = folder / "tmp"
        self.clear_scratch()
        self.batched = False
        self.pending: list[EvidenceRecord] = []  # copied in a batch, not yet durable and journaled
        self.pending_bytes = 0

    def clear_scratch(self) -> None:
        """Copies an interrupted run left half made: never evidence, as none was placed yet."""
        make_folders(self.scratch)
        for name in os.listdir(self.scratch):
            (self.scratch / name).unlink(missing_ok=True)

    # ---- what is kept already ----
    def covers(self, relative: str, seen: Seen) -> bool:
        """A record of exactly this content (or link target) with this metadata exists."""
        for record in self.by_path.get(relative, ()):
            if record.type != seen.kind:
                continue
            if seen.kind == PathType.SYMLINK:
                if record.target == seen.target:
                    return True
                continue
            if record.mode != seen.mode or (record.uid, record.gid) != (seen.st.st_uid, seen.st.st_gid):
                continue
            if seen.kind != PathType.FILE or (
                seen.hashes is not None and (record.sha256, record.blake3) == (seen.hashes.sha256, seen.hashes.blake3)
            ):
                return True
        return False

    def keep(self, root: WebRoot, relative: str, change: str, seen: Seen) -> EvidenceRecord | None:
        """Preserve what is at `relative` unless a record has it already; the new record, or None."""
        if self.covers(relative, seen):
            return None
        if seen.kind == PathType.FILE:
            record = self.copy_file(root, relative, change)
        else:
            record = describe(relative, change, seen)
        self.add(record)
        return record

    def add(self, record: EvidenceRecord) -> None:
        self.records.append(record)
        self.by_path.setdefault(record.path, []).append(record)
        if not self.batched:
            self.journal.append("quarantined", record=record.as_dict())
            return
        self.pending.append(record)
        self.pending_bytes += record.size
        if len(self.pending) >= BATCH_RECORDS or self.pending_bytes >= BATCH_BYTES:
            self.flush()

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Copies made inside are made durable together, then journaled together (see above).
        Nothing may be overwritten or removed inside: a copy counts only once the batch is flushed."""
        self.batched = True
        try:
            yield
        finally:
            self.batched = False
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        fd = os.open(self.folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            sync_filesystem(fd)
        finally:
            os.close(fd)
        self.journal.append_many([("quarantined", {"record": record.as_dict()}) for record in self.pending])
        self.pending, self.pending_bytes = [], 0

    def write_evidence(self, root: str) -> bool:
        return write_evidence(self.folder / "evidence.json", root, self.records)

    # ---- copying a file ----
    def read_block(self, fd: int, size: int) -> bytes:
        """Up to `size` bytes of the original (a seam for tests that change a file while it is copied)."""
        return os.read(fd, size)

    def copy_file(self, root: WebRoot, relative: str, change: str) -> EvidenceRecord:
        folder, name = split(relative)
        with root.folder(folder) as folder_fd:
            fd = open_regular(folder_fd, name, relative, os.stat(name, dir_fd=folder_fd, follow_symlinks=False))
        try:
            temporary, st, hashes = self.copy_stable(fd, relative)
        finally:
            os.close(fd)
        try:
            if hash_file(temporary) != hashes:
                raise QuarantineError(f"{relative}: the copy does not read back as the original; it was left in place")
            copy = self.place(temporary, relative, hashes)
        finally:
            temporary.unlink(missing_ok=True)
        return EvidenceRecord(
            path=relative, change=str(change), type=str(PathType.FILE), size=hashes.size, mode=stat.S_IMODE(st.st_mode),
            uid=st.st_uid, gid=st.st_gid, mtime_ns=st.st_mtime_ns, sha256=hashes.sha256, blake3=hashes.blake3,
            copy=copy, captured_at=now_text(),
        )

    def copy_stable(self, fd: int, relative: str) -> tuple[Path, os.stat_result, Hashes]:
        """A fsynced copy of a file that read the same before and after; (copy, lstat, hashes)."""
        for _ in range(COPY_ATTEMPTS):
            before = os.fstat(fd)
            temporary = self.scratch / secrets.token_hex(8)
            out = os.open(temporary, WRITE_FLAGS, 0o600)
            try:
                def tee(source: int, size: int, out: int = out) -> bytes:
                    block = self.read_block(source, size)
                    write_all(out, block)
                    return block

                hashes = hash_descriptor(fd, tee, limit=before.st_size + 1)
                if not self.batched:
                    os.fsync(out)
            except BaseException:
                temporary.unlink(missing_ok=True)
                raise
            finally:
                os.close(out)
            after = os.fstat(fd)
            # Timestamps alone miss a rewrite within one clock tick, so the original is read again.
            if stable(before, after) and hashes.size == after.st_size and hash_descriptor(
                    fd, limit=after.st_size + 1) == hashes:
                return temporary, before, hashes
            temporary.unlink(missing_ok=True)
        raise QuarantineError(
            f"{relative} kept changing while it was copied ({COPY_ATTEMPTS} tries); it was left in place"
        )

    def place(self, temporary: Path, relative: str, hashes: Hashes) -> str:
        """Link the copy in under its path without ever replacing a file; the name it got."""
        for number in range(1, MAX_VERSIONS + 1):
            name = f"files/{relative}" if number == 1 else f"versions/{number}/{relative}"
            final = self.folder / name
            try:
                make_folders(final.parent, durable=not self.batched)
                os.link(temporary, final)
            except FileExistsError:
                if same_copy(final, hashes):
                    return name  # placed by a run that stopped before journaling it
                continue
            except NotADirectoryError:
                continue
            if not self.batched:
                fsync_path(final.parent)
            return name
        raise QuarantineError(f"{relative}: {MAX_VERSIONS} versions in quarantine already; it was left in place")


def stable(before: os.stat_result, after: os.stat_result) -> bool:
    return (before.st_size, before.st_mtime_ns, before.st_ctime_ns) == (after.st_size, after.st_mtime_ns,
                                                                        after.st_ctime_ns)


def same_copy(path: Path, hashes: Hashes) -> bool:
    st = os.lstat(path)
    return stat.S_ISREG(st.st_mode) and hash_file(path) == hashes


def describe(relative: str, change: str, seen: Seen) -> EvidenceRecord:
    """A record without a copy: a symlink (its target, hashed as text), a folder, a FIFO or device."""
    st = seen.st
    target_hashes: dict[str, str] = {}
    if seen.kind == PathType.SYMLINK:
        raw = os.fsencode(seen.target)
        target_hashes = {"sha256": hashlib.sha256(raw).hexdigest(), "blake3": blake3.blake3(raw).hexdigest()}
    return EvidenceRecord(
        path=relative, change=str(change), type=str(seen.kind), size=st.st_size if seen.kind == PathType.SYMLINK else 0,
        mode=seen.mode, uid=st.st_uid, gid=st.st_gid, mtime_ns=st.st_mtime_ns, target=seen.target,
        captured_at=now_text(), **target_hashes,
    )
