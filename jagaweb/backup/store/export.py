"""A snapshot as a standard archive for CD/DVD and offline keeping ("ADK / dokumen elektronik").

The archive needs nothing of JagaWeb to be read: ``tar`` + ``zstd`` or ``unzip``, then
``sha256sum -c SHA256SUMS``. Paths, modes, mtimes, symlinks and empty folders are kept. At the top of
the archive sit ``SHA256SUMS`` (every file, in ``sha256sum`` format) and ``MANIFEST.json`` (the
snapshot and every entry, with SHA-256 and BLAKE3), so a reader sees them first. That needs the
hashes before the files, hence two passes over the data: one to hash (and to check every file against
the manifest, so a damaged repository yields an error rather than a bad archive), one to write.

With a volume size the archive's bytes are cut into ``out.001``, ``out.002``, ... that ``cat`` joins
back; a README in Indonesian and English next to them says how.
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
import shutil
import stat
import struct
import tarfile
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, cast

import blake3
import zstandard

from jagaweb.backup.store import media
from jagaweb.backup.store.manifest import Entry, EntryKind
from jagaweb.backup.store.media import MANIFEST, SUMS, ExportError, Sums, Volumes, manifest_file, parse_size, sums_file
from jagaweb.backup.store.repository import Repository, SnapshotInfo
from jagaweb.backup.store.sealing import DamagedData

Progress = Callable[[int, int], None]
FORMATS = {"tar.zst": ".tar.zst", "zip": ".zip"}
ZSTD_LEVEL = 6


@dataclass
class ExportReport:
    files: int = 0
    bytes: int = 0
    outputs: list[Path] = field(default_factory=list)
    readme: Path | None = None


# ---- what goes in ----
def safe_path(path: str) -> str:
    parts = path.split("/")
    if not path or path.startswith("/") or "\0" in path or any(p in ("", ".", "..") for p in parts):
        raise ExportError(f"the snapshot holds an unsafe path {path!r}; it is not exported")
    return path


def entries_to_export(entries: list[Entry]) -> list[Entry]:
    for entry in entries:
        safe_path(entry.path)
        if entry.path in (SUMS, MANIFEST):
            raise ExportError(f"the snapshot holds a file named {entry.path}, which the archive needs for itself")
    # Depth first (by path components, not characters: "pages/x" before "pages-old"), so a folder's
    # content follows it directly; tar sets a folder's mtime once it sees a name outside the folder.
    return sorted(entries, key=lambda e: e.path.split("/"))


def file_content(repo: Repository, entry: Entry) -> Iterator[bytes]:
    for chunk in entry.chunks:
        yield repo.read_blob(bytes.fromhex(chunk))


def hash_files(repo: Repository, entries: list[Entry], progress: Progress | None, total: int) -> dict[str, Sums]:
    """First pass: SHA-256 and BLAKE3 of every file, each checked against the manifest."""
    sums: dict[str, Sums] = {}
    done = 0
    for entry in (e for e in entries if e.kind == EntryKind.FILE):
        sha, b3, size = hashlib.sha256(), blake3.blake3(), 0
        try:
            for data in file_content(repo, entry):
                sha.update(data)
                b3.update(data)
                size += len(data)
        except DamagedData as exc:
            raise ExportError(f"{entry.path} cannot be read from the repository: {exc}") from None
        if b3.hexdigest() != entry.hash or size != entry.size:
            raise ExportError(f"{entry.path}: the stored data does not match the snapshot; run a verify")
        sums[entry.path] = Sums(sha.hexdigest(), b3.hexdigest())
        done += size
        if progress:
            progress(done, total)
    return sums


class Reader:
    """A file's content as a readable stream; checks its SHA-256 against the first pass at the end."""

    def __init__(self, repo: Repository, entry: Entry, sha256: str, advance: Callable[[int], None]) -> None:
        self.pieces = file_content(repo, entry)
        self.piece, self.position, self.ended = b"", 0, False
        self.hasher = hashlib.sha256()
        self.expected = (sha256, entry.path)
        self.advance = advance

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            return b"".join(iter(lambda: self.read(1024 * 1024), b""))
        out = []
        while size > 0 and self.fill():
            taken = self.piece[self.position:self.position + size]
            self.position += len(taken)
            size -= len(taken)
            out.append(taken)
        return b"".join(out)

    def fill(self) -> bool:
        """True while there is data to read; reads the next chunk when the current one is used up."""
        if self.position < len(self.piece):
            return True
        piece = next(self.pieces, None)
        if piece is None:
            self.finish()
            return False
        self.piece, self.position = piece, 0
        self.hasher.update(piece)
        self.advance(len(piece))
        return True

    def finish(self) -> None:
        if not self.ended and self.hasher.hexdigest() != self.expected[0]:
            raise ExportError(f"{self.expected[1]} changed between the two passes")
        self.ended = True

    def close(self) -> None:
        """After a reader that stops at the size it was told (tar): the content must end there too."""
        if self.fill():
            raise ExportError(f"{self.expected[1]} is longer than the snapshot says")


# ---- archive writers ----
@dataclass
class Source:
    """What the writers need: the snapshot, its entries in archive order, the first pass's hashes."""

    repo: Repository
    info: SnapshotInfo
    entries: list[Entry]
    sums: dict[str, Sums]
    progress: Progress | None = None
    done: int = 0
    total: int = 0

    def top_files(self) -> list[tuple[str, bytes]]:
        return [(SUMS, sums_file(self.sums)), (MANIFEST, manifest_file(self.info, self.entries, self.sums))]

    def snapshot_mtime(self) -> int:
        return int(datetime.fromisoformat(self.info.time).timestamp())

    def reader(self, entry: Entry) -> Reader:
        return Reader(self.repo, entry, self.sums[entry.path].sha256, self.advance)

    def advance(self, count: int) -> None:
        self.done += count
        if self.progress:
            self.progress(self.done, self.total)


def tar_info(entry: Entry) -> tarfile.TarInfo:
    info = tarfile.TarInfo(entry.path)
    info.mode, info.uid, info.gid = entry.mode, entry.uid, entry.gid
    seconds, nanos = divmod(entry.mtime_ns, 1_000_000_000)
    info.mtime = seconds
    if nanos and seconds >= 0:
        info.pax_headers = {"mtime": f"{seconds}.{nanos:09d}"}  # exact, where tar can keep it
    if entry.kind == EntryKind.DIR:
        info.type = tarfile.DIRTYPE
    elif entry.kind == EntryKind.SYMLINK:
        info.type, info.linkname = tarfile.SYMTYPE, entry.target
    else:
        info.size = entry.size
    return info


def write_tar(source: Source, out: BinaryIO | Volumes) -> None:
    compressor = zstandard.ZstdCompressor(level=ZSTD_LEVEL, threads=-1)
    # The volumes offer only write() and flush(), all that the compressor uses of its output.
    with compressor.stream_writer(cast(BinaryIO, out), closefd=False) as stream:
        with tarfile.open(fileobj=stream, mode="w|", format=tarfile.PAX_FORMAT) as tar:
            for name, data in source.top_files():
                info = tarfile.TarInfo(name)
                info.size, info.mode, info.mtime = len(data), 0o644, source.snapshot_mtime()
                tar.addfile(info, io.BytesIO(data))
            for entry in source.entries:
                if entry.kind != EntryKind.FILE:
                    tar.addfile(tar_info(entry))
                    continue
                reader = source.reader(entry)
                tar.addfile(tar_info(entry), reader)
                reader.close()
        stream.flush(zstandard.FLUSH_FRAME)


def zip_info(path: str, kind: int, mode: int, mtime: int) -> zipfile.ZipInfo:
    moment = time.localtime(min(max(mtime, 315_532_800), 4_354_819_199))  # what a zip date can hold
    info = zipfile.ZipInfo(path, date_time=moment[:6])
    info.create_system = 3  # Unix, so that unzip applies the mode and recognises symlinks
    info.external_attr = (kind | mode) << 16 | (0x10 if kind == stat.S_IFDIR else 0)
    if 0 <= mtime < 2**31:  # Info-ZIP's "UT" field: the exact second in UTC, which unzip restores
        info.extra = struct.pack("<HHBl", 0x5455, 5, 1, mtime)
    return info


def write_zip(source: Source, out: BinaryIO) -> None:
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for name, data in source.top_files():
            archive.writestr(zip_info(name, stat.S_IFREG, 0o644, source.snapshot_mtime()), data)
        for entry in source.entries:
            mtime = entry.mtime_ns // 1_000_000_000
            if entry.kind == EntryKind.DIR:
                archive.writestr(zip_info(entry.path + "/", stat.S_IFDIR, entry.mode, mtime), b"")
            elif entry.kind == EntryKind.SYMLINK:
                info = zip_info(entry.path, stat.S_IFLNK, 0o777, mtime)
                archive.writestr(info, entry.target.encode(), compress_type=zipfile.ZIP_STORED)
            else:
                info = zip_info(entry.path, stat.S_IFREG, entry.mode, mtime)
                info.file_size, info.compress_type = entry.size, zipfile.ZIP_DEFLATED  # size decides zip64
                with archive.open(info, "w") as target:
                    shutil.copyfileobj(source.reader(entry), target, 1024 * 1024)


WRITERS: dict[str, Callable[[Source, BinaryIO], None]] = {"tar.zst": write_tar, "zip": write_zip}
EXTRACT = {"tar.zst": "zstd -d < {name} | tar -xpf -      (tar --zstd -xpf {name})", "zip": "unzip {name}"}


def write_whole(source: Source, fmt: str, path: Path) -> None:
    with open(path, "xb") as handle:
        WRITERS[fmt](source, handle)
        handle.flush()
        os.fsync(handle.fileno())


def write_outputs(source: Source, fmt: str, out: Path, size: int | None) -> list[Path]:
    """The archive as one file, or as volumes: tar.zst streams straight into them; a zip is written
    whole first (it must seek back), then cut like any byte stream."""
    if size is not None and fmt == "tar.zst":
        volumes = media.write_volumes(lambda stream: write_tar(source, stream), out, size)
    else:
        temporary = out.with_name(f".tmp-{secrets.token_hex(6)}-{out.name}")
        try:
            write_whole(source, fmt, temporary)
            if size is None:
                os.replace(temporary, out)
                return [out]
            volumes = media.split_file(temporary, out, size)
        finally:
            temporary.unlink(missing_ok=True)
    about = {"id": source.info.id, "time": source.info.time, "source": source.info.source}
    media.write_readme(media.readme_path(out, FORMATS[fmt]), volumes, EXTRACT[fmt].format(name=out.name), about)
    return volumes.paths


def export_snapshot(
    repo: Repository, snapshot_id: str, out_path: str | Path, fmt: str = "tar.zst",
    volume_size: str | int | None = None, paths: list[str] | None = None, progress: Progress | None = None,
) -> ExportReport:
    """Write snapshot `snapshot_id` (or `paths` of it) as a tar.zst or zip archive at `out_path`, or
    as volumes ``out_path.001``, ``.002``, ... of at most `volume_size` each, with a README.

    It only reads the repository; hold ``repo.locked()`` if a prune could run meanwhile."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown archive format {fmt!r}; choose one of {', '.join(FORMATS)}")
    out = Path(out_path)
    if any(out.name.endswith(suffix) for other, suffix in FORMATS.items() if other != fmt):
        raise ExportError(f"{out.name} is named like another format than {fmt}")
    size = parse_size(volume_size) if volume_size is not None else None
    media.refuse_existing(out, size is not None)
    info, manifest = repo.load_snapshot(snapshot_id)
    entries = entries_to_export(manifest.select(paths) if paths else list(manifest))
    file_bytes = sum(e.size for e in entries if e.kind == EntryKind.FILE)
    sums = hash_files(repo, entries, progress, 2 * file_bytes)
    source = Source(repo, info, entries, sums, progress, done=file_bytes, total=2 * file_bytes)
    outputs = write_outputs(source, fmt, out, size)
    readme = media.readme_path(out, FORMATS[fmt]) if size is not None else None
    return ExportReport(len(sums), file_bytes, outputs, readme)
