"""A repository of snapshots on one target: content-defined chunks, deduplicated, in packs."""

from __future__ import annotations

import gc
import json
import os
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import blake3

from jagaweb.backup.store import sealing
from jagaweb.backup.store.cache import MetadataCache, default_root
from jagaweb.backup.store.codec import decode, decode_json, encode, encode_json
from jagaweb.backup.store.index import Index, write_index
from jagaweb.backup.store.lock import Lock
from jagaweb.backup.store.manifest import Manifest
from jagaweb.backup.store.pack import BlobEntry, PackBuffer, pack_name, read_trailer
from jagaweb.backup.targets.base import Target

if TYPE_CHECKING:
    from pyfastcdc import FastCDC

# os.urandom rather than secrets (the same source) in the modules a backup loads: secrets imports
# hmac and with it OpenSSL's libcrypto, 11-14 ms of a start with a cold page cache. The chunker
# (pyfastcdc, 18 ms cold) is imported when the first file is cut.
FORMAT_VERSION = 1
SNAPSHOT_AAD = b"snapshot"
CHUNK_AVG, CHUNK_MIN, CHUNK_MAX = 512 * 1024, 256 * 1024, 4 * 1024 * 1024
# Where the local metadata cache lives: True for the default folder (see cache.default_root), a
# folder, or False for none.
CacheSetting = Path | bool


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off while tens of thousands of entries are made: it would walk
    them all again and again (a third of a large backup's time), and they hold no cycles."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class RepositoryError(Exception):
    """The repository is missing, of another format, or cannot be used as asked."""


@dataclass
class SnapshotInfo:
    id: str
    time: str
    source: str
    tags: list[str]
    summary: dict[str, Any]
    parent: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


class Repository:
    def __init__(
        self, target: Target, config: dict[str, Any], sealer: sealing.Plain, cache: CacheSetting = True,
    ) -> None:
        self.target = target
        self.config = config
        self.sealer = sealer
        root = default_root() if cache is True else cache or None
        self.cache = MetadataCache(root / self.id, sealer) if root is not None else None
        self.index = Index()
        self._index_loaded = False
        self.pending = PackBuffer(sealer)
        self.pending_ids: set[bytes] = set()
        self.lock: Lock | None = None
        self.written_bytes = 0
        self.written_packs: list[str] = []  # every pack this object wrote, in order (prune asks)
        # The chunks each loaded manifest came from, so an unchanged tree's manifest is not encoded again.
        self.manifest_chunks: weakref.WeakKeyDictionary[Manifest, list[str]] = weakref.WeakKeyDictionary()

    # ---- opening ----
    @classmethod
    def init(cls, target: Target, passphrase: str | None = None, cache: CacheSetting = True) -> Repository:
        if target.exists("config"):
            raise RepositoryError(f"a repository exists already at {target.describe()}")
        config: dict[str, Any] = {
            "version": FORMAT_VERSION, "id": os.urandom(16).hex(),
            "chunker": {"avg": CHUNK_AVG, "min": CHUNK_MIN, "max": CHUNK_MAX, "seed": 0},
            "encryption": None,
        }
        sealer: sealing.Plain = sealing.Plain()
        if passphrase:
            params, sealer = sealing.new_key_params(passphrase)
            config["encryption"] = params
            # A secret gear table, so chunk boundaries do not fingerprint known files.
            config["chunker"]["seed"] = int.from_bytes(os.urandom(4)) >> 1  # below 2**31
        target.write("config", json.dumps(config, indent=1).encode())
        return cls(target, config, sealer, cache)

    @classmethod
    def open(cls, target: Target, passphrase: str | None = None, cache: CacheSetting = True) -> Repository:
        try:
            config = json.loads(target.read("config"))
        except FileNotFoundError:
            raise RepositoryError(f"no repository at {target.describe()}") from None
        except ValueError as exc:
            raise RepositoryError(f"the repository config at {target.describe()} is damaged: {exc}") from None
        if config.get("version") != FORMAT_VERSION:
            raise RepositoryError(f"unsupported repository format {config.get('version')!r}")
        sealer: sealing.Plain = sealing.Plain()
        if config.get("encryption"):
            if not passphrase:
                raise sealing.WrongPassphrase("this repository is encrypted: a passphrase is needed")
            sealer = sealing.open_key(config["encryption"], passphrase)
        return cls(target, config, sealer, cache)

    @classmethod
    def open_or_init(cls, target: Target, passphrase: str | None = None, cache: CacheSetting = True) -> Repository:
        if target.exists("config"):
            return cls.open(target, passphrase, cache)
        return cls.init(target, passphrase, cache)

    @property
    def id(self) -> str:
        return str(self.config["id"])

    # ---- locking and crash clean-up ----
    @contextmanager
    def locked(self) -> Iterator[Repository]:
        self.lock = Lock(self.target)
        self.lock.acquire()
        try:
            self.remove_leftovers()
            yield self
        finally:
            self.lock.release()
            self.lock = None

    def remove_leftovers(self) -> list[str]:
        """Temporary files and packs without an index entry are what an interrupted run leaves."""
        removed = []
        for folder in ("data", "index", "snapshots"):
            for name in list(self.target.list(folder)):
                if name.rsplit("/", 1)[-1].startswith(Target.TMP_PREFIX):
                    self.target.delete(name)
                    removed.append(name)
        self.load_index()
        # Every pack any index file lists, not only those whose blobs won the lookup: after an
        # interrupted prune two index files may list the same blob, and the pack that lost is
        # still listed, so it is no orphan.
        indexed = self.index.listed_packs()
        for name in list(self.target.list("data")):
            if name.rsplit("/", 1)[-1] not in indexed and name not in removed:
                self.target.delete(name)
                removed.append(name)
        return removed

    # ---- blobs ----
    def load_index(self) -> Index:
        if not self._index_loaded:
            with gc_paused():
                self.index.load(self.target, self.sealer)
            self._index_loaded = True
        return self.index

    def reload_index(self) -> Index:
        """Read the index files afresh, after a prune replaced them."""
        self.index = Index()
        self._index_loaded = False
        return self.load_index()

    def has_blob(self, blob_id: bytes) -> bool:
        return blob_id in self.index or blob_id in self.pending_ids

    def add_blob(self, blob_id: bytes, data: bytes | memoryview) -> bool:
        """Store a blob unless the repository has it; True when it was new."""
        if self.has_blob(blob_id):
            return False
        self.add_encoded(blob_id, encode(data, self.sealer, blob_id), len(data))
        return True

    def add_encoded(self, blob_id: bytes, stored: bytes, raw_length: int) -> None:
        self.pending.add(blob_id, stored, raw_length)
        self.pending_ids.add(blob_id)
        if self.pending.full:
            self.flush()

    def flush(self) -> None:
        if not self.pending.entries:
            return
        pack_id, content = self.pending.finish()
        self.target.write(pack_name(pack_id), content)
        entries: list[BlobEntry] = self.pending.entries
        write_index(self.target, self.sealer, {pack_id: entries})
        self.index.add_pack(pack_id, entries)
        self.written_bytes += len(content)
        self.pending = PackBuffer(self.sealer)
        self.pending_ids = set()
        self.written_packs.append(pack_id)
        if self.lock is not None:
            self.lock.refresh()

    def read_blob(self, blob_id: bytes, pack_cache: dict[str, bytes] | None = None) -> bytes:
        location = self.load_index().get(blob_id)
        if location is None:
            raise sealing.DamagedData(f"blob {blob_id.hex()} is not in the index")
        if pack_cache is not None and location.pack in pack_cache:
            content = pack_cache[location.pack]
            stored = content[location.offset:location.offset + location.length]
        else:
            stored = self.target.read_range(pack_name(location.pack), location.offset, location.length)
        try:
            return self.decode_blob(blob_id, stored, location.raw_length)
        except sealing.DamagedData as exc:
            raise sealing.DamagedData(f"blob {blob_id.hex()} in pack {location.pack}: {exc}") from None

    def decode_blob(self, blob_id: bytes, stored: bytes, raw_length: int, check_id: bool = True) -> bytes:
        """A stored blob's content; `check_id=False` when the caller checks the content otherwise."""
        data = decode(stored, self.sealer, blob_id, raw_length)
        if len(data) != raw_length or (check_id and self.sealer.blob_id(data) != blob_id):
            raise sealing.DamagedData("the content does not match its id")
        return data

    def read_pack(self, pack_id: str) -> bytes:
        return self.target.read(pack_name(pack_id))

    def pack_entries(self, content: bytes) -> list[BlobEntry]:
        return read_trailer(content, self.sealer)

    # ---- chunking ----
    def chunker(self) -> FastCDC:
        from pyfastcdc import FastCDC  # here: an unchanged backup cuts nothing, and its start stays lighter

        params = self.config["chunker"]
        return FastCDC(params["avg"], min_size=params["min"], max_size=params["max"], seed=params["seed"])

    def store_bytes(self, data: bytes) -> list[str]:
        """Chunk, deduplicate and store `data`; its chunk ids in order."""
        ids = []
        for chunk in self.chunker().cut_buf(data):
            blob_id = self.sealer.blob_id(chunk.data)
            self.add_blob(blob_id, chunk.data)
            ids.append(blob_id.hex())
        return ids

    def read_bytes(self, chunk_ids: list[str]) -> bytes:
        return b"".join(self.read_blob(bytes.fromhex(c)) for c in chunk_ids)

    def chunk_ids(self, data: bytes) -> list[str]:
        """The ids `store_bytes` would give `data`, without storing anything."""
        return [self.sealer.blob_id(chunk.data).hex() for chunk in self.chunker().cut_buf(data)]

    # ---- snapshots ----
    def save_snapshot(self, info: SnapshotInfo, manifest: Manifest, same_as: Manifest | None = None) -> str:
        """Store the manifest as chunks (an unchanged tree adds no data), then the small header.

        `same_as`: a manifest loaded from this repository that has exactly the same entries, whose
        stored chunks are then taken as they are instead of encoding the manifest again."""
        chunks = self.manifest_chunks.get(same_as) if same_as is not None else None
        if chunks is None or not all(self.has_blob(bytes.fromhex(c)) for c in chunks):
            with gc_paused():
                chunks = self.store_bytes(manifest.encoded())
        header = {
            "time": info.time, "source": info.source, "tags": info.tags, "summary": info.summary,
            "parent": info.parent, "meta": info.meta, "manifest": chunks,
        }
        self.flush()
        stored = encode_json(header, self.sealer, SNAPSHOT_AAD)
        snapshot_id = blake3.blake3(stored).hexdigest()[:32]
        self.target.write(f"snapshots/{snapshot_id}", stored)
        info.id = snapshot_id
        self.manifest_chunks[manifest] = chunks
        if self.cache is not None:
            with gc_paused():
                self.cache.save_manifest(chunks, manifest.compact())  # the next backup's parent
        return snapshot_id

    def snapshot_ids(self) -> list[str]:
        return sorted(
            name.rsplit("/", 1)[-1] for name in self.target.list("snapshots")
            if not name.rsplit("/", 1)[-1].startswith(Target.TMP_PREFIX)
        )

    def resolve(self, snapshot_id: str) -> str:
        matches = [s for s in self.snapshot_ids() if s.startswith(snapshot_id)] if snapshot_id else []
        if len(matches) != 1:
            raise RepositoryError(
                f"no snapshot {snapshot_id!r}" if not matches else f"snapshot id {snapshot_id!r} is ambiguous"
            )
        return matches[0]

    def load_info(self, snapshot_id: str) -> tuple[SnapshotInfo, list[str]]:
        full_id = self.resolve(snapshot_id)
        body = decode_json(self.target.read(f"snapshots/{full_id}"), self.sealer, SNAPSHOT_AAD)
        info = SnapshotInfo(
            full_id, body["time"], body["source"], body["tags"], body["summary"], body.get("parent"),
            body.get("meta", {}),
        )
        return info, body["manifest"]

    def load_snapshot(self, snapshot_id: str, cached: bool = True) -> tuple[SnapshotInfo, Manifest]:
        """A snapshot's header and manifest; `cached=False` reads the manifest from the repository even
        when the local cache has it (verify and prune check the repository, not the cache)."""
        info, manifest_chunks = self.load_info(snapshot_id)
        with gc_paused():
            manifest = self._cached_manifest(manifest_chunks) if cached else None
            if manifest is None:
                manifest = Manifest.from_rows(json.loads(self.read_bytes(manifest_chunks)))
        self.manifest_chunks[manifest] = manifest_chunks
        return info, manifest

    def _cached_manifest(self, chunks: list[str]) -> Manifest | None:
        """The local cache's copy, if it is exactly what the snapshot header says: its rows, cut and
        hashed as they would be stored, must give the header's chunk ids."""
        compact = self.cache.load_manifest(chunks) if self.cache is not None else None
        if compact is None:
            return None
        if self.chunk_ids(compact.json()) != chunks:
            assert self.cache is not None
            self.cache.discard(chunks)
            return None
        return Manifest(compact=compact)

    def snapshots(self) -> list[SnapshotInfo]:
        return sorted((self.load_info(s)[0] for s in self.snapshot_ids()), key=lambda i: i.time)

    def forget(self, snapshot_id: str) -> None:
        self.target.delete(f"snapshots/{self.resolve(snapshot_id)}")
