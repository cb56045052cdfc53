"""Reads a tree (and streams such as database dumps) into the repository as one snapshot.

Unchanged files (same size, mtime, ctime and inode as in the parent snapshot) are taken from the
parent's manifest without being read; when nothing changed at all, the parent's stored manifest is
reused as it is. Symlinks are recorded, never followed, so a link loop or a link out of the web root
cannot make the backup wander.

Speed: a web root is tens of thousands of small files, so each small file is read, cut, hashed and
compressed by a worker thread (reading, zstd and BLAKE3 release the GIL); the calling thread only
walks the tree, keeps the results in order and packs them. Large files and streams are cut on the
calling thread and their chunks compressed by the workers.
"""

from __future__ import annotations

import os
import socket
import stat
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fnmatch import fnmatch
from pathlib import Path
from typing import BinaryIO

import blake3
from pyfastcdc import FastCDC

from jagaweb.backup.store.codec import encode
from jagaweb.backup.store.manifest import Entry, EntryKind, Manifest
from jagaweb.backup.store.repository import Repository, SnapshotInfo, gc_paused

Progress = Callable[[int, int], None]  # (bytes done, bytes total)
SMALL_FILE = 8 * 1024 * 1024  # read whole, in a worker thread; larger files stream on the calling thread
IN_FLIGHT_BYTES = 64 * 1024 * 1024
IN_FLIGHT_BATCHES = 64
BATCH_FILES, BATCH_BYTES = 64, 2 * 1024 * 1024  # small files go to a worker in batches: one task each
THREADS = 4  # more than two cores: reading small files waits on the disk as much as on a CPU
READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)

# A chunk as a worker hands it back: id, stored form (None when the repository had it), raw length.
Chunk = tuple[bytes, bytes | None, int]


@dataclass
class ReadFile:
    """A small file read, chunked, hashed and encoded by a worker thread."""

    content_hash: str
    chunks: list[Chunk]
    size: int


def read_whole(absolute: str, size: int) -> bytes:
    """The file's bytes in as few reads as possible; one byte more is asked for to see growth."""
    fd = os.open(absolute, READ_FLAGS)
    try:
        parts = [os.read(fd, size + 1)]
        while parts[-1] and sum(map(len, parts)) <= size:
            parts.append(os.read(fd, size + 1))
    finally:
        os.close(fd)
    return parts[0] if len(parts) == 1 else b"".join(parts)


@dataclass
class BackupStats:
    files: int = 0
    dirs: int = 0
    symlinks: int = 0
    unchanged_files: int = 0
    bytes_total: int = 0
    bytes_read: int = 0
    new_blobs: int = 0
    new_bytes: int = 0
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items()}


def excluded(relative: str, patterns: list[str]) -> bool:
    name = relative.rsplit("/", 1)[-1]
    return any(fnmatch(relative, p) or fnmatch(name, p) for p in patterns)


def entry_for(path: str, st: os.stat_result, kind: str) -> Entry:
    return Entry(
        path=path, kind=kind, mode=stat.S_IMODE(st.st_mode), size=st.st_size if kind == EntryKind.FILE else 0,
        mtime_ns=st.st_mtime_ns, uid=st.st_uid, gid=st.st_gid, inode=st.st_ino, ctime_ns=st.st_ctime_ns,
    )


def unchanged(previous: Entry, st: os.stat_result) -> bool:
    """`Entry.same_metadata` against a stat result, without making an entry for each of
    tens of thousands of unchanged files."""
    return (
        previous.kind == EntryKind.FILE and previous.size == st.st_size and previous.mtime_ns == st.st_mtime_ns
        and previous.ctime_ns == st.st_ctime_ns and previous.inode == st.st_ino
    )


class Archiver:
    def __init__(
        self, repo: Repository, parent: Manifest | None = None, excludes: list[str] | None = None,
        progress: Progress | None = None, threads: int | None = None,
    ) -> None:
        self.repo = repo
        self.parent = parent
        self.excludes = excludes or []
        self.progress = progress
        self.entries: list[Entry] = []
        self.stats = BackupStats()
        self.chunker = repo.chunker()
        self.pool = ThreadPoolExecutor(max_workers=threads or THREADS, thread_name_prefix="archive")
        self.in_flight: deque[tuple[bytes, int, Future[bytes]]] = deque()
        self.in_flight_bytes = 0
        self.queued: set[bytes] = set()
        self.batch: list[tuple[Entry, str]] = []
        self.batch_bytes = 0
        self.reading: deque[tuple[list[tuple[Entry, str]], int, Future[list[ReadFile | OSError]]]] = deque()
        self.reading_bytes = 0
        self.local = threading.local()  # a chunker per worker thread
        self.previous: dict[str, Entry] = parent.by_path if parent is not None else {}

    # ---- walking ----
    def scan(self, root: Path, prefix: str) -> list[tuple[str, str, os.stat_result]]:
        """Every path below root as (absolute path, manifest path, lstat), excludes applied."""
        found: list[tuple[str, str, os.stat_result]] = []
        stack = [(str(root), prefix.strip("/"))]
        while stack:
            folder, rel_folder = stack.pop()
            try:
                with os.scandir(folder) as it:
                    children = sorted(it, key=lambda d: d.name)
            except OSError as exc:
                self.stats.warnings.append(f"cannot read folder {folder}: {exc.strerror}")
                continue
            for child in children:
                rel = f"{rel_folder}/{child.name}" if rel_folder else child.name
                if self.excludes and excluded(rel, self.excludes):
                    continue
                try:
                    st = child.stat(follow_symlinks=False)
                except OSError as exc:
                    self.stats.warnings.append(f"cannot stat {child.path}: {exc.strerror}")
                    continue
                found.append((child.path, rel, st))
                if stat.S_ISDIR(st.st_mode):
                    stack.append((child.path, rel))
        return found

    def add_tree(self, root: Path, prefix: str = "") -> None:
        with gc_paused():
            items = self.scan(root, prefix)
            self.stats.bytes_total += sum(st.st_size for _, _, st in items if stat.S_ISREG(st.st_mode))
            try:
                for absolute, rel, st in items:
                    self.add_any(absolute, rel, st)
            finally:
                self.collect_files()

    def add_path(self, absolute: str, rel: str, st: os.stat_result) -> None:
        try:
            self.add_any(absolute, rel, st)
        finally:
            self.collect_files()

    def add_any(self, absolute: str, rel: str, st: os.stat_result) -> None:
        """Add one path; a small file is only handed to a worker (collect_files finishes it)."""
        if stat.S_ISDIR(st.st_mode):
            self.entries.append(self.kept(entry_for(rel, st, EntryKind.DIR)))
            self.stats.dirs += 1
        elif stat.S_ISLNK(st.st_mode):
            entry = entry_for(rel, st, EntryKind.SYMLINK)
            entry.target = os.readlink(absolute)
            self.entries.append(self.kept(entry))
            self.stats.symlinks += 1
        elif stat.S_ISREG(st.st_mode):
            self.add_file(absolute, rel, st)
        else:
            self.stats.warnings.append(f"skipped special file {absolute}")

    def kept(self, entry: Entry) -> Entry:
        """The parent's own entry when it is equal in every field, so that an unchanged tree can be
        recognised at the end without comparing it again (see `unchanged_tree`)."""
        previous = self.previous.get(entry.path)
        return previous if previous is not None and previous == entry else entry

    def unchanged_tree(self) -> bool:
        """True when the entries are exactly the parent's (the same objects, each once)."""
        if self.parent is None or len(self.entries) != len(self.parent):
            return False
        kept = {id(e) for e in self.parent}
        return len({id(e) for e in self.entries if id(e) in kept}) == len(self.parent)

    # ---- files ----
    def add_file(self, absolute: str, rel: str, st: os.stat_result) -> None:
        previous = self.previous.get(rel)
        if previous is not None and unchanged(previous, st):
            # Kept as it is: unchanged times and inode mean unchanged mode and owner as well.
            self.stats.unchanged_files += 1
            self.file_done(previous)
            return
        entry = entry_for(rel, st, EntryKind.FILE)
        if st.st_size <= SMALL_FILE:
            self.batch.append((entry, absolute))
            self.batch_bytes += st.st_size
            if len(self.batch) >= BATCH_FILES or self.batch_bytes >= BATCH_BYTES:
                self.submit_batch()
        else:
            self.stream_file(entry, absolute, st.st_size)

    def submit_batch(self) -> None:
        """Hand the batch to a worker (one task per batch, not per file: a task costs as much as
        reading a small file), and take in the batches already done."""
        if self.batch:
            files = [(absolute, entry.size) for entry, absolute in self.batch]
            self.reading.append((self.batch, self.batch_bytes, self.pool.submit(self.read_files, files)))
            self.reading_bytes += self.batch_bytes
            self.batch, self.batch_bytes = [], 0
        while self.reading and (self.reading_bytes > IN_FLIGHT_BYTES or len(self.reading) > IN_FLIGHT_BATCHES
                                or self.reading[0][2].done()):
            self.collect_batch()

    def stream_file(self, entry: Entry, absolute: str, size: int) -> None:
        try:
            with open(absolute, "rb") as handle:
                entry.hash, entry.chunks, read = self.store_stream(handle, size)
        except OSError as exc:
            self.stats.warnings.append(f"cannot read {absolute}: {exc.strerror}")
            return
        self.checked_size(entry, absolute, read, size)
        self.file_done(entry)

    def checked_size(self, entry: Entry, absolute: str, read: int, size: int) -> None:
        if read != size:
            self.stats.warnings.append(f"{absolute} changed while it was read")
            entry.size = read

    def file_done(self, entry: Entry) -> None:
        self.stats.files += 1
        self.stats.bytes_read += entry.size
        self.entries.append(entry)
        if self.progress:
            self.progress(self.stats.bytes_read, self.stats.bytes_total)

    def read_file(self, absolute: str, size: int) -> ReadFile:
        """In a worker: read, cut, hash and encode the chunks the repository lacks."""
        data = read_whole(absolute, size)
        content_hash = blake3.blake3(data).digest()
        chunker: FastCDC | None = getattr(self.local, "chunker", None)
        if chunker is None:
            chunker = self.local.chunker = self.repo.chunker()
        if len(data) <= self.repo.config["chunker"]["min"]:
            pieces = [memoryview(data)] if data else []  # what the chunker would cut, without calling it
        else:
            pieces = [piece.data for piece in chunker.cut_buf(data)]
        sealer = self.repo.sealer
        chunks: list[Chunk] = []
        for view in pieces:
            # Unencrypted, a one-chunk file's id is its content hash: no need to hash it twice.
            blob_id = content_hash if len(pieces) == 1 and not sealer.encrypted else sealer.blob_id(view)
            stored = None if self.repo.has_blob(blob_id) else encode(view, sealer, blob_id)
            chunks.append((blob_id, stored, len(view)))
        return ReadFile(content_hash.hex(), chunks, len(data))

    def read_files(self, files: list[tuple[str, int]]) -> list[ReadFile | OSError]:
        results: list[ReadFile | OSError] = []
        for absolute, size in files:
            try:
                results.append(self.read_file(absolute, size))
            except OSError as exc:
                results.append(exc)
        return results

    def collect_batch(self) -> None:
        batch, size, future = self.reading.popleft()
        self.reading_bytes -= size
        for (entry, absolute), result in zip(batch, future.result(), strict=True):
            if isinstance(result, OSError):
                self.stats.warnings.append(f"cannot read {absolute}: {result.strerror}")
            else:
                self.collect_file(entry, absolute, result)

    def collect_file(self, entry: Entry, absolute: str, result: ReadFile) -> None:
        for blob_id, stored, raw_length in result.chunks:
            if stored is not None and not self.repo.has_blob(blob_id) and blob_id not in self.queued:
                self.repo.add_encoded(blob_id, stored, raw_length)
                self.stats.new_blobs += 1
                self.stats.new_bytes += len(stored)
        entry.hash, entry.chunks = result.content_hash, [c[0].hex() for c in result.chunks]
        self.checked_size(entry, absolute, result.size, entry.size)
        self.file_done(entry)

    def collect_files(self) -> None:
        self.submit_batch()
        while self.reading:
            self.collect_batch()

    def store_stream(self, handle: BinaryIO, size_hint: int = -1) -> tuple[str, list[str], int]:
        """Chunk and store a stream; (content hash, chunk ids, bytes read)."""
        hasher = blake3.blake3()
        ids: list[str] = []
        total = 0
        if 0 <= size_hint <= SMALL_FILE:
            data = handle.read()
            pieces = self.chunker.cut_buf(data) if data else iter(())
        else:
            pieces = self.chunker.cut_stream(handle)
        for piece in pieces:
            view = piece.data
            hasher.update(view)
            blob_id = self.repo.sealer.blob_id(view)
            self.queue_blob(blob_id, view)
            ids.append(blob_id.hex())
            total += piece.length
        return hasher.hexdigest(), ids, total

    def add_stream(self, path: str, stream: BinaryIO, mode: int = 0o600) -> Entry:
        """A file that exists only as a stream, such as a database dump."""
        content_hash, ids, size = self.store_stream(stream)
        now = datetime.now(UTC)
        entry = Entry(path=path.strip("/"), kind=EntryKind.FILE, mode=mode, size=size,
                      mtime_ns=int(now.timestamp() * 1e9), hash=content_hash, chunks=ids)
        self.entries.append(entry)
        self.stats.files += 1
        self.stats.bytes_read += size
        self.stats.bytes_total += size
        return entry

    # ---- storing blobs, compressed in worker threads ----
    def queue_blob(self, blob_id: bytes, view: memoryview) -> None:
        if self.repo.has_blob(blob_id) or blob_id in self.queued:
            return
        data = bytes(view)  # the view may not outlive the next chunk of a stream
        self.queued.add(blob_id)
        future = self.pool.submit(encode, data, self.repo.sealer, blob_id)
        self.in_flight.append((blob_id, len(data), future))
        self.in_flight_bytes += len(data)
        if self.in_flight_bytes > IN_FLIGHT_BYTES:
            self.drain(keep=len(self.in_flight) // 2)

    def drain(self, keep: int = 0) -> None:
        while len(self.in_flight) > keep:
            blob_id, raw_length, future = self.in_flight.popleft()
            stored = future.result()
            self.in_flight_bytes -= raw_length
            self.repo.add_encoded(blob_id, stored, raw_length)
            self.queued.discard(blob_id)
            self.stats.new_blobs += 1
            self.stats.new_bytes += len(stored)

    # ---- finishing ----
    def finish(self, source: str, tags: list[str] | None = None, meta: dict[str, object] | None = None,
               parent_id: str | None = None) -> SnapshotInfo:
        self.drain()
        self.pool.shutdown()
        info = SnapshotInfo(
            id="", time=datetime.now(UTC).isoformat(), source=source, tags=tags or [],
            summary=self.stats.as_dict(), parent=parent_id, meta={"host": socket.gethostname(), **(meta or {})},
        )
        same_as = self.parent if self.unchanged_tree() else None
        self.repo.save_snapshot(info, Manifest(self.entries), same_as=same_as)
        return info

    def abort(self) -> None:
        self.pool.shutdown(cancel_futures=True)
