"""Restores a snapshot, or some paths of it, into a directory; every file is checked against the
manifest hash before it replaces anything, and files already identical are left alone.

Speed (a web root is tens of thousands of small files): folders are made once each, files are
visited in the order their chunks lie in the packs, so each pack is read once (whole when much of
it is needed, else only the needed ranges); decoding, hashing and writing run in worker threads
(zstd, AES-GCM and file system calls release the GIL), and all reads from the target stay on the
calling thread, since a target need not be thread-safe. A file that does not exist yet is written
under its own name (nothing is replaced; a file that fails its check is removed); an existing one
is written beside it and renamed over it only once it has passed.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import blake3

from jagaweb.backup.store.index import Location
from jagaweb.backup.store.manifest import Entry, EntryKind, Manifest
from jagaweb.backup.store.pack import pack_name
from jagaweb.backup.store.repository import Repository, gc_paused
from jagaweb.backup.store.sealing import DamagedData
from jagaweb.backup.targets.base import TargetError

PACK_CACHE = 3  # whole packs kept while files are visited in pack order
WHOLE_PACK_SHARE = 0.25  # read a whole pack when at least this share of it is needed, else ranges
IN_FLIGHT_BYTES = 64 * 1024 * 1024  # stored bytes handed to workers and not yet written
BIG_FILE = 16 * 1024 * 1024  # stored bytes above which a file streams chunk by chunk
BATCH_FILES, BATCH_BYTES = 64, 2 * 1024 * 1024
THREADS = 4  # more than the cores: file creation waits on the file system as much as on a CPU
OPEN_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)

# A chunk as a worker needs it: id, stored bytes, raw length.
Stored = tuple[bytes, bytes, int]


@dataclass
class Job:
    """One file or symlink for a worker: where, what, its stored chunks."""

    path: str
    entry: Entry
    chunks: list[Stored]
    fresh: bool
    stored_size: int


class RestoreError(Exception):
    """A restored file did not match its manifest, or a path would leave the destination."""


@dataclass
class RestorePlan:
    create: list[str] = field(default_factory=list)
    replace: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


@dataclass
class RestoreReport:
    plan: RestorePlan
    restored: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    bytes_written: int = 0


def file_hash(path: Path | str) -> str:
    hasher = blake3.blake3()
    with open(path, "rb") as handle:
        while block := handle.read(1024 * 1024):
            hasher.update(block)
    return hasher.hexdigest()


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


class Destination:
    """Paths below the destination folder, checked without following symlinks.

    Each folder on the way is looked at once (lstat) and remembered, so a symlink planted in the
    destination cannot lead a restore out of it, without resolving every path again."""

    DIR, MISSING, OTHER = "dir", "missing", "other"

    def __init__(self, root: Path) -> None:
        self.root = str(root)
        self.folders: dict[str, str] = {"": self.DIR}  # relative folder -> what is there

    def path(self, relative: str) -> str:
        parts = relative.split("/")
        if not relative or any(part in ("", ".", "..") for part in parts):
            raise RestoreError(f"{relative!r} would be written outside {self.root}")
        return f"{self.root}/{relative}"

    def folder(self, relative: str) -> str:
        """What is at a folder's place: a real folder, nothing, or something else (a symlink...)."""
        known = self.folders.get(relative)
        if known is None:
            known = self.MISSING
            if self.folder(relative.rpartition("/")[0]) == self.DIR:
                st = self.lstat(relative)
                if st is not None:
                    known = self.DIR if stat.S_ISDIR(st.st_mode) else self.OTHER
            self.folders[relative] = known
        return known

    def lstat(self, relative: str) -> os.stat_result | None:
        """What is at `relative`; None when nothing is, or its folder is missing or no real folder."""
        path = self.path(relative)
        if self.folder(relative.rpartition("/")[0]) != self.DIR:
            return None
        try:
            return os.lstat(path)
        except FileNotFoundError:
            return None

    def make_folders(self, relative: str) -> None:
        """The folder and the missing ones above it; never through a symlink or a file."""
        state = self.folder(relative) if relative else self.DIR
        if state == self.DIR:
            return
        if state == self.OTHER:
            raise RestoreError(f"{relative} is not a folder at the destination; nothing is written through it")
        self.make_folders(relative.rpartition("/")[0])
        os.mkdir(self.path(relative))
        self.folders[relative] = self.DIR


def matches(path: str, entry: Entry, st: os.stat_result) -> bool:
    if entry.kind == EntryKind.SYMLINK:
        return stat.S_ISLNK(st.st_mode) and os.readlink(path) == entry.target
    if entry.kind == EntryKind.DIR:
        return stat.S_ISDIR(st.st_mode)
    return stat.S_ISREG(st.st_mode) and st.st_size == entry.size and file_hash(path) == entry.hash


class ChunkSource:
    """Stored chunks, read on the calling thread: whole packs (a few kept) or single ranges."""

    def __init__(self, repo: Repository, entries: Iterable[Entry]) -> None:
        self.repo = repo
        self.index = repo.load_index()
        self.cache: OrderedDict[str, bytes] = OrderedDict()
        self.needed: dict[str, int] = {}
        for entry in entries:
            for chunk in entry.chunks:
                location = self.index.get(bytes.fromhex(chunk))
                if location is not None:
                    self.needed[location.pack] = self.needed.get(location.pack, 0) + location.length
        self.sizes: dict[str, int] = {}
        for location in self.index.blobs.values():
            if location.pack in self.needed:
                end = location.offset + location.length
                self.sizes[location.pack] = max(self.sizes.get(location.pack, 0), end)

    def location(self, blob_id: bytes) -> Location:
        location = self.index.get(blob_id)
        if location is None:
            raise DamagedData(f"chunk {blob_id.hex()} is missing from the repository")
        return location

    def stored(self, blob_id: bytes) -> Stored:
        location = self.location(blob_id)
        content = self.cache.get(location.pack)
        if content is None and self.needed.get(location.pack, 0) >= WHOLE_PACK_SHARE * self.sizes.get(location.pack, 1):
            content = self.cache[location.pack] = self.repo.read_pack(location.pack)
            if len(self.cache) > PACK_CACHE:
                self.cache.popitem(last=False)
        if content is None:
            data = self.repo.target.read_range(pack_name(location.pack), location.offset, location.length)
        else:
            self.cache.move_to_end(location.pack)
            data = content[location.offset:location.offset + location.length]
            if len(data) != location.length:
                raise DamagedData(f"pack {location.pack} is shorter than its index says")
        return blob_id, data, location.raw_length


class Restorer:
    def __init__(
        self, repo: Repository, manifest: Manifest, progress: Callable[[int, int], None] | None = None,
        threads: int = THREADS,
    ) -> None:
        self.repo = repo
        self.manifest = manifest
        self.progress = progress
        self.threads = threads

    # ---- planning ----
    def plan(self, dest: Path, paths: list[str] | None = None) -> RestorePlan:
        return self.plan_in(Destination(dest.resolve()), paths)

    def plan_in(self, destination: Destination, paths: list[str] | None) -> RestorePlan:
        plan = RestorePlan()
        for entry in self.selected(paths):
            st = destination.lstat(entry.path)
            if st is None:
                plan.create.append(entry.path)
            elif matches(destination.path(entry.path), entry, st):
                plan.unchanged.append(entry.path)
            else:
                plan.replace.append(entry.path)
        return plan

    def selected(self, paths: list[str] | None) -> list[Entry]:
        return self.manifest.select(paths) if paths else list(self.manifest)

    def in_pack_order(self, entries: list[Entry]) -> list[Entry]:
        """Folders first, then files ordered by where their first chunk lives, to read packs once."""
        index = self.repo.load_index()

        def key(entry: Entry) -> tuple[int, str, int, str]:
            if entry.kind == EntryKind.DIR:
                return (0, "", 0, entry.path)
            location = index.get(bytes.fromhex(entry.chunks[0])) if entry.chunks else None
            return (1, location.pack if location else "", location.offset if location else 0, entry.path)

        return sorted(entries, key=key)

    # ---- restoring ----
    def restore(self, dest: Path, paths: list[str] | None = None, dry_run: bool = False) -> RestoreReport:
        with gc_paused():
            return self.restore_into(dest, paths, dry_run)

    def restore_into(self, dest: Path, paths: list[str] | None, dry_run: bool) -> RestoreReport:
        dest = dest.resolve()
        dest.mkdir(parents=True, exist_ok=True)
        destination = Destination(dest)
        report = RestoreReport(plan=self.plan_in(destination, paths))
        if dry_run:
            return report
        create = set(report.plan.create)
        todo = create | set(report.plan.replace)
        entries = self.in_pack_order([e for e in self.selected(paths) if e.path in todo])
        folders = [e for e in entries if e.kind == EntryKind.DIR]
        for entry in folders:
            self.guarded(report, entry, partial(self.make_folder, destination, entry))
        others = [e for e in entries if e.kind != EntryKind.DIR]
        total = sum(e.size for e in others)
        with ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="restore") as pool:
            self.restore_files(pool, destination, others, create, report, total)
        restored = set(report.restored)
        self.apply_directory_metadata(destination, [e for e in folders if e.path in restored])
        report.restored.sort()
        return report

    def guarded(self, report: RestoreReport, entry: Entry, work: Callable[[], object]) -> bool:
        try:
            work()
        except (OSError, DamagedData, RestoreError, TargetError) as exc:
            report.failed[entry.path] = str(exc)
            return False
        report.restored.append(entry.path)
        return True

    def make_folder(self, destination: Destination, entry: Entry) -> None:
        path = destination.path(entry.path)
        destination.make_folders(entry.path.rpartition("/")[0])
        st = destination.lstat(entry.path)
        if st is not None and not stat.S_ISDIR(st.st_mode):
            os.unlink(path)
            st = None
        if st is None:
            os.mkdir(path)
        destination.folders[entry.path] = destination.DIR

    def restore_files(
        self, pool: ThreadPoolExecutor, destination: Destination, entries: list[Entry], create: set[str],
        report: RestoreReport, total: int,
    ) -> None:
        """Small files go to the workers in batches (a task costs as much as writing a small file)."""
        source = ChunkSource(self.repo, entries)
        window: deque[tuple[list[Entry], int, Future[list[Exception | None]]]] = deque()
        batch: list[Job] = []
        batch_bytes = in_flight = 0
        for entry in entries:
            try:
                job = self.prepare(pool, source, destination, entry, entry.path in create)
            except (OSError, DamagedData, RestoreError, TargetError) as exc:
                report.failed[entry.path] = str(exc)
                continue
            if job is None:  # streamed already
                report.restored.append(entry.path)
                report.bytes_written += entry.size
                continue
            batch.append(job)
            batch_bytes += job.stored_size
            if len(batch) >= BATCH_FILES or batch_bytes >= BATCH_BYTES:
                window.append(([j.entry for j in batch], batch_bytes, pool.submit(self.put_batch, batch)))
                in_flight += batch_bytes
                batch, batch_bytes = [], 0
            while window and (in_flight > IN_FLIGHT_BYTES or window[0][2].done()):
                in_flight -= self.collect(window.popleft(), report, total)
        if batch:
            window.append(([j.entry for j in batch], batch_bytes, pool.submit(self.put_batch, batch)))
        while window:
            self.collect(window.popleft(), report, total)

    def prepare(self, pool: ThreadPoolExecutor, source: ChunkSource, destination: Destination, entry: Entry,
                fresh: bool) -> Job | None:
        """What a worker needs to write `entry`; None when it was big and streamed here already."""
        destination.make_folders(entry.path.rpartition("/")[0])
        path = destination.path(entry.path)
        if entry.kind == EntryKind.SYMLINK:
            return Job(path, entry, [], fresh, 0)
        if self.stored_size(source, entry) > BIG_FILE:
            self.stream_file(pool, source, path, entry, fresh)
            return None
        chunks = [source.stored(bytes.fromhex(c)) for c in entry.chunks]
        return Job(path, entry, chunks, fresh, sum(len(c[1]) for c in chunks))

    def put_batch(self, jobs: list[Job]) -> list[Exception | None]:
        outcomes: list[Exception | None] = []
        for job in jobs:
            try:
                if job.entry.kind == EntryKind.SYMLINK:
                    self.put_symlink(job.path, job.entry, job.fresh)
                else:
                    self.put_file(job.path, job.entry, job.chunks, job.fresh)
                outcomes.append(None)
            except (OSError, DamagedData, RestoreError) as exc:
                outcomes.append(exc)
        return outcomes

    @staticmethod
    def stored_size(source: ChunkSource, entry: Entry) -> int:
        return sum(source.location(bytes.fromhex(c)).length for c in entry.chunks)

    def collect(self, item: tuple[list[Entry], int, Future[list[Exception | None]]], report: RestoreReport,
                total: int) -> int:
        entries, stored_size, future = item
        for entry, outcome in zip(entries, future.result(), strict=True):
            if outcome is not None:
                report.failed[entry.path] = str(outcome)
                continue
            report.restored.append(entry.path)
            report.bytes_written += entry.size
            if self.progress:
                self.progress(report.bytes_written, total)
        return stored_size

    # ---- one file, in a worker thread (or streamed from the calling thread when big) ----
    def decode(self, chunk: Stored) -> bytes:
        # Only the whole-file hash is checked: it covers every chunk, and sealed chunks are
        # authenticated by AES-GCM besides, so re-hashing each chunk would check the same bytes twice.
        blob_id, stored, raw_length = chunk
        return self.repo.decode_blob(blob_id, stored, raw_length, check_id=False)

    def put_file(self, path: str, entry: Entry, chunks: list[Stored], fresh: bool) -> None:
        def fill(fd: int) -> str:
            hasher = blake3.blake3()
            for chunk in chunks:
                data = self.decode(chunk)
                hasher.update(data)
                write_all(fd, data)
            return hasher.hexdigest()

        self.write_checked(path, entry, fresh, fill)

    def stream_file(self, pool: ThreadPoolExecutor, source: ChunkSource, path: str, entry: Entry,
                    fresh: bool) -> None:
        """A big file: chunks read here in order, decoded ahead in the workers, written in order."""

        def fill(fd: int) -> str:
            hasher = blake3.blake3()
            ahead: deque[Future[bytes]] = deque()
            for chunk_id in entry.chunks:
                ahead.append(pool.submit(self.decode, source.stored(bytes.fromhex(chunk_id))))
                if len(ahead) > 2 * self.threads:
                    self.write_decoded(fd, hasher, ahead.popleft())
            while ahead:
                self.write_decoded(fd, hasher, ahead.popleft())
            return hasher.hexdigest()

        self.write_checked(path, entry, fresh, fill)

    @staticmethod
    def write_decoded(fd: int, hasher: blake3.blake3, future: Future[bytes]) -> None:
        data = future.result()
        hasher.update(data)
        write_all(fd, data)

    def write_checked(self, path: str, entry: Entry, fresh: bool, fill: Callable[[int], str]) -> None:
        """Write to `path` itself when nothing is there, else beside it and rename once checked."""
        written = path if fresh else temporary_name(path)
        try:
            fd = os.open(written, OPEN_FLAGS, 0o600)
        except FileExistsError:
            if written != path:
                raise
            written = temporary_name(path)
            fd = os.open(written, OPEN_FLAGS, 0o600)
        try:
            try:
                content_hash = fill(fd)
                if content_hash != entry.hash:
                    raise RestoreError(f"{entry.path}: restored content does not match the manifest hash")
                set_metadata(fd, entry)
            finally:
                os.close(fd)
            if written != path:
                replace(written, path, entry)
        except BaseException:
            remove_quietly(written)
            raise

    def put_symlink(self, path: str, entry: Entry, fresh: bool) -> None:
        if fresh:
            try:
                os.symlink(entry.target, path)
                return
            except FileExistsError:
                pass
        temporary = temporary_name(path)
        os.symlink(entry.target, temporary)
        try:
            replace(temporary, path, entry)
        except BaseException:
            remove_quietly(temporary)
            raise

    def apply_directory_metadata(self, destination: Destination, dirs: list[Entry]) -> None:
        for entry in sorted(dirs, key=lambda e: e.path, reverse=True):
            path = destination.path(entry.path)
            os.chmod(path, entry.mode)
            os.utime(path, ns=(entry.mtime_ns, entry.mtime_ns))


def temporary_name(path: str) -> str:
    folder, _, name = path.rpartition("/")
    return f"{folder}/.jagaweb-restore-{secrets.token_hex(6)}-{name}"


def set_metadata(fd: int, entry: Entry) -> None:
    if os.geteuid() == 0:
        os.fchown(fd, entry.uid, entry.gid)  # before the mode: a change of owner clears set-id bits
    os.fchmod(fd, entry.mode)
    os.utime(fd, ns=(entry.mtime_ns, entry.mtime_ns))


def replace(temporary: str, path: str, entry: Entry) -> None:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise RestoreError(f"{entry.path} is a folder at the destination")
    os.replace(temporary, path)


def remove_quietly(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)

