"""Pack files: many blobs in one file, so a backup writes tens of files rather than one per chunk.

Layout: blob bodies one after another, then the sealed trailer listing them, then the trailer's
length as 4 little-endian bytes. A pack is named by the BLAKE3 hash of its whole content, so a
read check can tell exactly which pack is damaged.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

import blake3

from jagaweb.backup.store.codec import decode_json, encode_json
from jagaweb.backup.store.sealing import DamagedData, Plain

PACK_TARGET_SIZE = 16 * 1024 * 1024
TRAILER_AAD = b"pack-trailer"

# One blob in a pack: id (hex), offset, stored length, raw length.
BlobEntry = tuple[str, int, int, int]


def pack_name(pack_id: str) -> str:
    return f"data/{pack_id[:2]}/{pack_id}"


@dataclass
class PackBuffer:
    sealer: Plain
    chunks: list[bytes] = field(default_factory=list)
    entries: list[BlobEntry] = field(default_factory=list)
    size: int = 0

    def add(self, blob_id: bytes, stored: bytes, raw_length: int) -> None:
        self.entries.append((blob_id.hex(), self.size, len(stored), raw_length))
        self.chunks.append(stored)
        self.size += len(stored)

    @property
    def full(self) -> bool:
        return self.size >= PACK_TARGET_SIZE

    def finish(self) -> tuple[str, bytes]:
        trailer = encode_json(self.entries, self.sealer, TRAILER_AAD)
        content = b"".join([*self.chunks, trailer, struct.pack("<I", len(trailer))])
        return blake3.blake3(content).hexdigest(), content


def read_trailer(content: bytes, sealer: Plain) -> list[BlobEntry]:
    if len(content) < 4:
        raise DamagedData("pack too short")
    (length,) = struct.unpack("<I", content[-4:])
    if length + 4 > len(content):
        raise DamagedData("pack trailer length is wrong")
    entries = decode_json(content[-4 - length:-4], sealer, TRAILER_AAD)
    return [tuple(e) for e in entries]
