"""Where every blob lives: blob id -> (pack, offset, stored length, raw length).

Index files are written after each pack, so an interrupted backup leaves its finished packs
findable; a pack that never got its index entry is an orphan that the next run removes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import blake3

from jagaweb.backup.store.codec import decode_json, encode_json
from jagaweb.backup.store.pack import BlobEntry
from jagaweb.backup.store.sealing import Plain
from jagaweb.backup.targets.base import Target

INDEX_AAD = b"index"


class Location(NamedTuple):
    """A tuple rather than a frozen dataclass: an index holds one per chunk, and building tens of
    thousands of frozen dataclasses (one object.__setattr__ per field) was most of opening one."""

    pack: str
    offset: int
    length: int
    raw_length: int


class Index:
    """Loading keeps each index file's entries as read and makes the lookup table of locations only
    when a location is first asked for: a backup of an unchanged tree only asks whether a dozen
    blobs exist, and making tens of thousands of locations was most of opening its repository."""

    def __init__(self) -> None:
        self._blobs: dict[bytes, Location] = {}
        self._loaded: list[tuple[str, list[BlobEntry]]] = []  # in order, not yet in _blobs
        self._loaded_ids: set[str] | None = None  # their hex ids, made when first asked
        self.files: dict[str, list[str]] = {}  # index file name -> packs it lists

    @property
    def blobs(self) -> dict[bytes, Location]:
        if self._loaded:
            self._settle()
        return self._blobs

    def _settle(self) -> None:
        # Filled before the pending list is emptied: a worker thread asking meanwhile gets a true answer.
        for pack_id, entries in self._loaded:
            self._add(pack_id, entries)
        self._loaded, self._loaded_ids = [], None

    def __contains__(self, blob_id: bytes) -> bool:
        if blob_id in self._blobs:
            return True
        if not self._loaded:
            return False
        if self._loaded_ids is None:
            self._loaded_ids = {entry[0] for _, entries in self._loaded for entry in entries}
        return blob_id.hex() in self._loaded_ids

    def __len__(self) -> int:
        return len(self.blobs)

    def get(self, blob_id: bytes) -> Location | None:
        return self.blobs.get(blob_id)

    def add_pack(self, pack_id: str, entries: Iterable[BlobEntry]) -> None:
        """The first pack to list a blob is where it is looked up, in the order packs were added."""
        if self._loaded:
            listed = list(entries)
            self._loaded.append((pack_id, listed))
            if self._loaded_ids is not None:
                self._loaded_ids.update(entry[0] for entry in listed)
        else:
            self._add(pack_id, entries)

    def _add(self, pack_id: str, entries: Iterable[BlobEntry]) -> None:
        blobs, fromhex, make = self._blobs, bytes.fromhex, Location._make
        for hex_id, offset, length, raw_length in entries:
            blob_id = fromhex(hex_id)
            if blob_id not in blobs:
                blobs[blob_id] = make((pack_id, offset, length, raw_length))

    def packs(self) -> set[str]:
        return {location.pack for location in self.blobs.values()}

    def load(self, target: Target, sealer: Plain) -> None:
        for name in sorted(target.list("index")):
            if name.rsplit("/", 1)[-1].startswith(Target.TMP_PREFIX) or name in self.files:
                continue
            self.load_file(target, sealer, name)

    def load_file(self, target: Target, sealer: Plain, name: str) -> None:
        content: dict[str, list[BlobEntry]] = decode_json(target.read(name), sealer, INDEX_AAD)
        self._loaded.extend(content.items())
        if self._loaded_ids is not None:
            self._loaded_ids.update(entry[0] for entries in content.values() for entry in entries)
        self.files[name] = list(content)

    def listed_packs(self) -> set[str]:
        """Every pack an index file lists or a pack was added for, without making the lookup table."""
        found = {pack for packs in self.files.values() for pack in packs}
        found.update(pack for pack, _ in self._loaded)
        found.update(location.pack for location in self._blobs.values())
        return found


def write_index(target: Target, sealer: Plain, packs: dict[str, list[BlobEntry]]) -> str:
    stored = encode_json(packs, sealer, INDEX_AAD)
    name = f"index/{blake3.blake3(stored).hexdigest()}"
    target.write(name, stored)
    return name
