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
    def __init__(self) -> None:
        self.blobs: dict[bytes, Location] = {}
        self.files: dict[str, list[str]] = {}  # index file name -> packs it lists

    def __contains__(self, blob_id: bytes) -> bool:
        return blob_id in self.blobs

    def __len__(self) -> int:
        return len(self.blobs)

    def get(self, blob_id: bytes) -> Location | None:
        return self.blobs.get(blob_id)

    def add_pack(self, pack_id: str, entries: Iterable[BlobEntry]) -> None:
        blobs, fromhex, make = self.blobs, bytes.fromhex, Location._make
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
        for pack_id, entries in content.items():
            self.add_pack(pack_id, entries)
        self.files[name] = list(content)


def write_index(target: Target, sealer: Plain, packs: dict[str, list[BlobEntry]]) -> str:
    stored = encode_json(packs, sealer, INDEX_AAD)
    name = f"index/{blake3.blake3(stored).hexdigest()}"
    target.write(name, stored)
    return name
