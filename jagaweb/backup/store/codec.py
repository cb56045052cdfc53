"""How a blob is stored: zstd-compressed when that helps, then sealed with its id as associated data."""

from __future__ import annotations

import json
import threading
from typing import Any

import zstandard

from jagaweb.backup.store.sealing import DamagedData, Plain

RAW, ZSTD = 0, 1
# Level 2 rather than zstd's default 3: about a sixth less compression time for 3% more stored
# bytes, which leaves a repository the size of restic's (its "auto" mode) on web roots and dumps.
LEVEL = 2
_local = threading.local()


def _compressor() -> zstandard.ZstdCompressor:
    if not hasattr(_local, "c"):
        _local.c = zstandard.ZstdCompressor(level=LEVEL)
        _local.d = zstandard.ZstdDecompressor()
    return _local.c


def _decompressor() -> zstandard.ZstdDecompressor:
    _compressor()
    return _local.d


def encode(data: bytes | memoryview, sealer: Plain, aad: bytes = b"") -> bytes:
    packed = _compressor().compress(data)
    body = bytes([ZSTD]) + packed if len(packed) < len(data) else bytes([RAW]) + bytes(data)
    return sealer.seal(body, aad)


def decode(stored: bytes, sealer: Plain, aad: bytes = b"", raw_length: int | None = None) -> bytes:
    body = sealer.open(stored, aad)
    if not body:
        raise DamagedData("empty blob")
    flag, payload = body[0], body[1:]
    if flag == RAW:
        return payload
    if flag != ZSTD:
        raise DamagedData(f"unknown blob encoding {flag}")
    try:
        if raw_length is not None:
            return _decompressor().decompress(payload, max_output_size=raw_length)
        return _decompressor().decompress(payload)
    except zstandard.ZstdError as exc:
        raise DamagedData(f"cannot decompress: {exc}") from None


def encode_json(value: Any, sealer: Plain, aad: bytes = b"") -> bytes:
    return encode(json.dumps(value, separators=(",", ":")).encode(), sealer, aad)


def decode_json(stored: bytes, sealer: Plain, aad: bytes = b"") -> Any:
    try:
        return json.loads(decode(stored, sealer, aad))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DamagedData(f"not valid metadata: {exc}") from None
