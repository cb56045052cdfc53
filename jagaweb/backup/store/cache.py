"""A local cache of repository metadata, one folder per repository, that loads faster than the
repository itself (restic keeps one too). It holds the manifests of recent snapshots in compact form
(manifest.Compact), so that the next backup compares its tree with its parent without reading,
decrypting, decompressing and parsing the manifest, or making an entry per path.

Nothing in it is taken on trust:
- a copy is named by the manifest's chunk ids as the snapshot header lists them (content hashes,
  keyed in an encrypted repository), so it belongs to one manifest content and never goes stale;
  a snapshot whose header lists other chunks simply misses;
- its content is checked before it is read: sealed with the repository key (AES-GCM) when the
  repository is encrypted, hashed with BLAKE3 when it is not, with the chunk ids as associated data,
  so a truncated, damaged or swapped file fails and is ignored (and removed);
- the repository then checks the rows themselves: cut and hashed as a backup stores them, they must
  give exactly the chunk ids of the snapshot header (Repository.load_snapshot), or the manifest is
  read from the repository as if there were no cache;
- writing it is best effort: a cache that cannot be written (read-only or full disk) never fails
  a backup.

What the rows do not cover, the per-file values compared to find unchanged files, is protected by the
seal in an encrypted repository and by the checksum alone in a plain one, like every other file in
the JagaWeb data folder. Verify and prune read the repository itself, never this cache.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import struct
from array import array
from pathlib import Path

import blake3

from jagaweb.backup.store.manifest import Compact, Entry
from jagaweb.backup.store.sealing import DamagedData, Plain

ROOT_ENV = "JAGAWEB_BACKUP_CACHE_DIR"  # the cache root; empty: no cache
DATA_ENV = "JAGAWEB_DATA_DIR"  # else <data dir>/cache/backup, the data dir as the settings find it
DEFAULT_DATA_DIR = "~/.local/share/jagaweb"
# Format, marshal's version and the row layout (Entry's fields): a copy another version wrote misses.
MAGIC = b"JWMC" + bytes([2, marshal.version, len(Entry.__slots__)])
LENGTH = struct.Struct("<Q")  # after MAGIC: the stored head's length
START = len(MAGIC) + LENGTH.size  # where the head begins
ENDS = array("Q")  # where each row ends in the JSON, as unsigned 64-bit numbers
KEEP_MANIFESTS = 3
DIGEST = 32


def default_root() -> Path | None:
    explicit = os.environ.get(ROOT_ENV)
    if explicit is not None:
        return Path(explicit).expanduser() if explicit else None
    return Path(os.environ.get(DATA_ENV) or DEFAULT_DATA_DIR).expanduser() / "cache" / "backup"


def manifest_key(chunks: list[str]) -> str:
    return blake3.blake3("\n".join(chunks).encode()).hexdigest()[:32]


class MetadataCache:
    def __init__(self, folder: Path, sealer: Plain) -> None:
        self.folder = folder
        self.sealer = sealer

    def _path(self, chunks: list[str]) -> tuple[Path, bytes]:
        key = manifest_key(chunks)
        return self.folder / "manifests" / key, b"jagaweb-cache-manifest:" + "\n".join(chunks).encode()

    def load_manifest(self, chunks: list[str]) -> Compact | None:
        """The manifest stored as `chunks`, or None when the cache has no intact copy."""
        path, aad = self._path(chunks)
        try:
            with open(path, "rb") as handle:
                stored = handle.read()
        except OSError:
            return None
        compact = self._unpack(stored, aad)
        if compact is None:
            self.discard(chunks)
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # most recently used: the last to be evicted
        return compact

    def discard(self, chunks: list[str]) -> None:
        with contextlib.suppress(OSError):
            self._path(chunks)[0].unlink()

    def _unpack(self, stored: bytes, aad: bytes) -> Compact | None:
        """MAGIC, the stored length of the head, the head (paths, keys and where each row ends), the
        rows (the manifest's JSON); each sealed, or the whole hashed, with the chunk ids as AAD."""
        # Views, not slices: the copies are megabytes, and a new process pays for every page it touches.
        view = memoryview(stored)
        if len(view) < START or view[:len(MAGIC)] != MAGIC:
            return None
        (head_length,) = LENGTH.unpack_from(view, len(MAGIC))
        head_view, rows_view = view[START:START + head_length], view[START + head_length:]
        try:
            if self.sealer.encrypted:
                head: bytes | memoryview = self.sealer.open(head_view, aad + b"/head")  # type: ignore[arg-type]
                rows = self.sealer.open(rows_view, aad + b"/rows")  # type: ignore[arg-type]
            else:
                digest, head = head_view[:DIGEST], head_view[DIGEST:]
                if self._digest(aad + view[:START], head, rows_view) != digest:
                    return None
                rows = bytes(rows_view)
            value = marshal.loads(head)  # noqa: S302 (only after its key or hash checked it)
        except (DamagedData, EOFError, ValueError, TypeError):
            return None
        if not (isinstance(value, tuple) and len(value) == 3 and isinstance(value[2], bytes)
                and isinstance(value[0], list) and isinstance(value[1], list) and len(value[2]) % ENDS.itemsize == 0):
            return None
        compact = Compact(value[0], value[1], encoded=rows, ends=array(ENDS.typecode, value[2]))
        return compact if compact.valid() else None

    @staticmethod
    def _digest(aad: bytes, head: bytes | memoryview, rows: bytes | memoryview) -> bytes:
        hasher = blake3.blake3(aad)
        hasher.update(head)
        hasher.update(rows)
        return hasher.digest()

    def save_manifest(self, chunks: list[str], compact: Compact) -> None:
        path, aad = self._path(chunks)
        if path.exists():
            return
        rows = compact.json()  # made already to store the manifest: written as it is
        try:
            head = marshal.dumps((compact.paths, compact.keys, array(ENDS.typecode, compact.ends()).tobytes()))
        except (ValueError, OverflowError):
            return  # a value marshal cannot hold: no cache, the repository has it all the same
        if self.sealer.encrypted:
            head_parts = self.sealer.seal_parts(head, aad + b"/head")
            rows_parts = self.sealer.seal_parts(rows, aad + b"/rows")
            length = sum(map(len, head_parts))
        else:
            length = DIGEST + len(head)
            # The lengths are hashed too: a damaged one must not move the line between head and rows.
            head_parts, rows_parts = [self._digest(aad + MAGIC + LENGTH.pack(length), head, rows), head], [rows]
        self._write(path, [MAGIC, LENGTH.pack(length), *head_parts, *rows_parts])

    def _write(self, path: Path, parts: list[bytes]) -> None:
        temporary = path.with_name(f".tmp-{os.getpid()}-{path.name}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            # No fsync: after a crash a torn file fails its check and is read from the repository.
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
            try:
                for part in parts:
                    view = memoryview(part)
                    while view:
                        view = view[os.write(fd, view):]
            finally:
                os.close(fd)
            os.replace(temporary, path)
            self._evict(path.parent)
        except OSError:
            with contextlib.suppress(OSError):
                temporary.unlink()

    @staticmethod
    def _evict(folder: Path) -> None:
        entries = []
        for child in os.scandir(folder):
            with contextlib.suppress(OSError):
                entries.append((child.stat(follow_symlinks=False).st_mtime_ns, child.path))
        for _, path in sorted(entries, reverse=True)[KEEP_MANIFESTS:]:
            with contextlib.suppress(OSError):
                os.unlink(path)
