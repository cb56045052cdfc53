"""Reads a tree (and streams such as database dumps) into the repository as one snapshot.

Unchanged files (same size, mtime, ctime and inode as in the parent snapshot) are taken from the
parent's manifest without being read, as the tree is walked (see walk.py); they are compared with
the parent's compact form and kept as its rows (manifest.Compact), so a large unchanged tree makes
no entries at all; when nothing changed, the parent's stored manifest is reused as it is. Symlinks
are recorded, never followed, so a link loop or a link out of the web root cannot make the backup
wander.

Speed: a web root is tens of thousands of small files, so each small file is read, cut, hashed and
compressed by a worker thread (reading, zstd and BLAKE3 release the GIL); the calling thread only
walks the tree, keeps the results in order and packs them. Large files and streams are cut on the
calling thread and their chunks compressed by the workers.
"""

from __future__ import annotations

import contextlib
import os
import stat
import struct
import threading
from bisect import bisect_left
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import blake3

from jagaweb.backup.store.codec import encode
from jagaweb.backup.store.manifest import FILE_KEY, Compact, Entry, EntryKind, Manifest, entry_key, row_text
from jagaweb.backup.store.repository import Repository, SnapshotInfo, gc_paused
from jagaweb.backup.store.walk import Lstat, Walk, walk_threads

if TYPE_CHECKING:
    from pyfastcdc import FastCDC

Progress = Callable[[int, int], None]  # (bytes done, bytes total)
SMALL_FILE = 8 * 1024 * 1024  # read whole, in a worker thread; larger files stream on the calling thread
IN_FLIGHT_BYTES = 64 * 1024 * 1024
IN_FLIGHT_BATCHES = 64
BATCH_FILES, BATCH_BYTES = 64, 2 * 1024 * 1024  # small files go to a worker in batches: one task each
THREADS = 4  # more than two cores: reading small files waits on the disk as much as on a CPU
MERGE_BY_INSERTING = 256  # new entries merged into the kept rows one by one, up to this many
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


class ReadAhead:
    """A large file read front to back, the kernel asked to fetch the next stretch before the reader
    gets there (posix_fadvise WILLNEED), so the disk works while the chunker and hashes use the CPUs:
    a 150 MB dump with a cold cache 0.22-0.38 s -> 0.16-0.30 s. A stretch at a time, not the whole
    file, so that a dump of many gigabytes does not flood the page cache."""

    WINDOW = 64 * 1024 * 1024

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.position = self.advised = 0
        self.advise()

    def advise(self) -> None:
        if self.advised - self.position > self.WINDOW // 2:
            return
        with contextlib.suppress(OSError, AttributeError):  # not a regular file, or no fadvise here
            os.posix_fadvise(self.handle.fileno(), self.advised, self.WINDOW, os.POSIX_FADV_WILLNEED)
        self.advised += self.WINDOW

    def readinto(self, buffer: memoryview) -> int:
        read = self.handle.readinto(buffer) or 0  # type: ignore[attr-defined]
        self.position += read
        self.advise()
        return read

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.position += len(data)
        self.advise()
        return data


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


def entry_for(path: str, st: Lstat, kind: str) -> Entry:
    return Entry(
        path=path, kind=kind, mode=stat.S_IMODE(st.st_mode), size=st.st_size if kind == EntryKind.FILE else 0,
        mtime_ns=st.st_mtime_ns, uid=st.st_uid, gid=st.st_gid, inode=st.st_ino, ctime_ns=st.st_ctime_ns,
    )


def stat_key(st: Lstat) -> bytes:
    """`manifest.file_key` of a file as it is now (Entry.same_metadata, without making an entry)."""
    try:
        return FILE_KEY.pack(st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    except struct.error:
        return b""


class Archiver:
    def __init__(
        self, repo: Repository, parent: Manifest | None = None, excludes: list[str] | None = None,
        progress: Progress | None = None, threads: int | None = None,
    ) -> None:
        self.repo = repo
        self.parent = parent
        self.excludes = excludes or []
        self.progress = progress
        self.entries: list[Entry] = []  # new or changed; unchanged ones are in `kept`
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
        self._hashing: ThreadPoolExecutor | None = None
        self._walkers: ThreadPoolExecutor | None = None
        # The parent's compact form: what unchanged paths are compared with, and the rows they keep.
        self.previous = parent.compact() if parent is not None else Compact([], [], [])
        self.kept: list[int] = []  # positions of the parent's rows taken as they are

    # ---- walking ----
    def add_tree(self, root: Path, prefix: str = "") -> None:
        """Walk the tree, keeping unchanged files as they come; then read the others (the total is
        known by then, for the progress)."""
        with gc_paused():
            index, keys, kept = self.previous.index, self.previous.keys, self.kept

            def unchanged(rel: str, st: Lstat) -> bool:
                """In a walking thread, for every regular file: kept as the parent had it?"""
                number = index.get(rel)
                if number is not None and keys[number] and keys[number] == stat_key(st):
                    kept.append(number)  # list.append is atomic
                    return True
                return False

            stats = self.stats
            keep = unchanged if index else None
            walk = Walk(root, prefix, self.excludes, self.walkers(), stats.warnings.append, keep)
            others = list(walk)
            stats.files += walk.kept_files
            stats.unchanged_files += walk.kept_files
            stats.bytes_read += walk.kept_bytes
            stats.bytes_total += walk.kept_bytes + sum(st.st_size for _, _, st in others if stat.S_ISREG(st.st_mode))
            if self.progress:
                self.progress(stats.bytes_read, stats.bytes_total)
            try:
                for absolute, rel, st in others:
                    self.add_any(absolute, rel, st)
            finally:
                self.collect_files()

    def add_path(self, absolute: str, rel: str, st: Lstat) -> None:
        try:
            self.add_any(absolute, rel, st)
        finally:
            self.collect_files()

    def add_any(self, absolute: str, rel: str, st: Lstat) -> None:
        """Add one path; a small file is only handed to a worker (collect_files finishes it)."""
        if stat.S_ISDIR(st.st_mode):
            self.keep_or_add(entry_for(rel, st, EntryKind.DIR))
            self.stats.dirs += 1
        elif stat.S_ISLNK(st.st_mode):
            entry = entry_for(rel, st, EntryKind.SYMLINK)
            entry.target = os.readlink(absolute)
            self.keep_or_add(entry)
            self.stats.symlinks += 1
        elif stat.S_ISREG(st.st_mode):
            self.add_file(absolute, rel, st)
        else:
            self.stats.warnings.append(f"skipped special file {absolute}")

    def keep_or_add(self, entry: Entry) -> None:
        """A folder or symlink: the parent's row when it is equal in every field, else a new entry."""
        number = self.previous.index.get(entry.path)
        if number is not None and self.previous.text(number) == row_text(entry.as_row()):
            self.kept.append(number)
        else:
            self.entries.append(entry)

    def unchanged_tree(self) -> bool:
        """True when the snapshot is exactly the parent's rows, each once."""
        total = len(self.previous.paths)
        return (self.parent is not None and not self.entries and len(self.kept) == total
                and len(set(self.kept)) == total)

    def manifest(self) -> Manifest:
        """The new manifest in compact form: the kept rows as they were, the new entries' rows added."""
        previous, kept, new = self.previous, sorted(self.kept), sorted(self.entries, key=lambda e: e.path)
        paths = [previous.paths[n] for n in kept]  # in order already, as the parent's
        keys = [previous.keys[n] for n in kept]
        parent_texts = previous.texts
        texts = [parent_texts[n] for n in kept]
        if len(new) <= MERGE_BY_INSERTING:
            # A few changed paths go where they belong: cheaper than sorting tens of thousands again.
            for entry in new:
                at = bisect_left(paths, entry.path)
                paths.insert(at, entry.path)
                keys.insert(at, entry_key(entry))
                texts.insert(at, row_text(entry.as_row()))
            return Manifest(compact=Compact(paths, keys, texts))
        paths += [e.path for e in new]
        keys += [entry_key(e) for e in new]
        texts += [row_text(e.as_row()) for e in new]
        order = sorted(range(len(paths)), key=paths.__getitem__)
        return Manifest(compact=Compact([paths[n] for n in order], [keys[n] for n in order], [texts[n] for n in order]))

    # ---- files ----
    def add_file(self, absolute: str, rel: str, st: Lstat) -> None:
        number = self.previous.index.get(rel)
        if number is not None and self.previous.keys[number] and self.previous.keys[number] == stat_key(st):
            # Kept as it is: unchanged times and inode mean unchanged mode and owner as well.
            self.stats.unchanged_files += 1
            self.kept.append(number)
            self.stats.files += 1
            self.stats.bytes_read += st.st_size
            if self.progress:
                self.progress(self.stats.bytes_read, self.stats.bytes_total)
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
            with os.fdopen(os.open(absolute, READ_FLAGS), "rb") as handle:
                entry.hash, entry.chunks, read = self.store_stream(ReadAhead(handle), size)
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

    def store_stream(self, handle: BinaryIO | ReadAhead, size_hint: int = -1) -> tuple[str, list[str], int]:
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
            # The whole-content hash in another thread while this one hashes the chunk's id (BLAKE3
            # releases the GIL): two cores on a large file. Both end before the chunker reuses its buffer.
            whole = self.hashing().submit(hasher.update, view)
            blob_id = self.repo.sealer.blob_id(view)
            whole.result()
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

    def walkers(self) -> ThreadPoolExecutor:
        if self._walkers is None:
            self._walkers = ThreadPoolExecutor(max_workers=walk_threads(), thread_name_prefix="archive-walk")
        return self._walkers

    def hashing(self) -> ThreadPoolExecutor:
        """One thread of its own, so the whole-content hash never waits behind the workers' queue."""
        if self._hashing is None:
            self._hashing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="archive-hash")
        return self._hashing

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
        self.shutdown()
        info = SnapshotInfo(
            id="", time=datetime.now(UTC).isoformat(), source=source, tags=tags or [],
            summary=self.stats.as_dict(), parent=parent_id, meta={"host": os.uname().nodename, **(meta or {})},
        )
        with gc_paused():
            if self.parent is not None and self.unchanged_tree():
                self.repo.save_snapshot(info, self.parent, same_as=self.parent)
            else:
                self.repo.save_snapshot(info, self.manifest())
        return info

    def abort(self) -> None:
        self.shutdown(cancel=True)

    def shutdown(self, cancel: bool = False) -> None:
        self.pool.shutdown(cancel_futures=cancel)
        for extra in (self._hashing, self._walkers):
            if extra is not None:
                extra.shutdown(cancel_futures=cancel)
