"""What the last scan learnt: per file, the metadata it had and the hash of its content then.

A file whose size, mtime, ctime and inode still equal the recorded ones is not read again, even when
it differs from the snapshot (a known modification is not hashed on every rescan). Only files the
snapshot does not vouch for are kept: an unchanged site's state is nearly empty.

Format (little-endian): MAGIC, a 32-byte BLAKE3 of everything after it (keyed with the caller's key
when one is given, so a file written by anyone without the key is refused), three lengths (u32),
then a small JSON header (root, its device, hasher, snapshot id, count), the paths (UTF-8 with
surrogate escapes, NUL-separated: no path holds a NUL) and one fixed-size record per path: the packed
size/mtime/ctime/inode (manifest.FILE_KEY) and the raw digest. Loading is one checksum, one decode,
one split and a slice per record. A file that fails any check is ignored (a full rescan) and the
reason kept in `problem`; it is replaced by the next save.
"""

from __future__ import annotations

import contextlib
import json
import os
import struct
from pathlib import Path
from typing import NamedTuple

import blake3

from jagaweb.backup.store.manifest import FILE_KEY

MAGIC = b"JWINTEG1"
LENGTHS = struct.Struct("<III")
CHECKSUM = 32


class Scope(NamedTuple):
    """What the recorded hashes are valid for: another root, device or hash makes them worthless."""

    root: str
    device: int
    hasher: str  # hashing.hasher_name
    digest_size: int  # bytes


class IntegrityState:
    """The state file of one site's web root, at a path the caller chooses (in JagaWeb's data
    folder, out of the web server's reach). `key`: an optional secret making the checksum a MAC."""

    def __init__(self, path: Path | str, *, key: bytes | None = None) -> None:
        self.path = Path(path)
        self.key = key
        self.snapshot_id = ""  # what the last scan compared with, once read or saved
        self.problem = ""
        self.loaded = False  # the last read found a good state file
        self.stored: bytes | None = None  # the body as read or last written, to skip saving it again

    def checksum(self, body: bytes) -> bytes:
        if self.key is not None:
            return blake3.blake3(body, key=blake3.blake3(self.key).digest()).digest()
        return blake3.blake3(body).digest()

    def read(self, scope: Scope) -> dict[str, bytes]:
        """The records of the last scan (path -> FILE_KEY + digest), or {} with `problem` set."""
        self.problem, self.loaded, self.stored, self.snapshot_id = "", False, None, ""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            self.problem = f"cannot read the state file: {exc.strerror}"
            return {}
        try:
            records = self.decode(data, scope)
        except (ValueError, UnicodeDecodeError, struct.error, KeyError, TypeError) as exc:
            self.problem = str(exc) or type(exc).__name__
            return {}
        self.stored, self.loaded = data[len(MAGIC) + CHECKSUM:], True
        return records

    def decode(self, data: bytes, scope: Scope) -> dict[str, bytes]:
        if not data.startswith(MAGIC):
            raise ValueError("not an integrity state file")
        body = data[len(MAGIC) + CHECKSUM:]
        if data[len(MAGIC):len(MAGIC) + CHECKSUM] != self.checksum(body):
            raise ValueError("the state file fails its checksum (damaged, or written with another key)")
        header_size, paths_size, records_size = LENGTHS.unpack_from(body)
        if LENGTHS.size + header_size + paths_size + records_size != len(body):
            raise ValueError("the state file's lengths do not add up")
        at = LENGTHS.size
        header = json.loads(body[at:at + header_size])
        at += header_size
        if not isinstance(header, dict) or Scope(header["root"], header["device"], header["hasher"],
                                                 header["digest_size"]) != scope:
            raise ValueError("the state file belongs to another web root, device or hash")
        count, record_size = header["count"], FILE_KEY.size + scope.digest_size
        if not isinstance(count, int) or records_size != count * record_size:
            raise ValueError("the state file's records do not match its count")
        paths = body[at:at + paths_size].decode("utf-8", "surrogateescape").split("\0") if count else []
        if len(paths) != count:
            raise ValueError("the state file's paths do not match its count")
        records = body[at + paths_size:]
        snapshot_id = header.get("snapshot", "")
        self.snapshot_id = snapshot_id if isinstance(snapshot_id, str) else ""
        return dict(zip(paths, (records[n:n + record_size] for n in range(0, records_size, record_size)),
                        strict=True))

    def encode(self, scope: Scope, snapshot_id: str, records: dict[str, bytes]) -> bytes:
        paths = sorted(records)
        header = json.dumps({"root": scope.root, "device": scope.device, "hasher": scope.hasher,
                             "digest_size": scope.digest_size, "snapshot": snapshot_id,
                             "count": len(paths)}).encode()
        encoded_paths = "\0".join(paths).encode("utf-8", "surrogateescape")
        packed = b"".join(records[path] for path in paths)
        return LENGTHS.pack(len(header), len(encoded_paths), len(packed)) + header + encoded_paths + packed

    def save(self, scope: Scope, snapshot_id: str, records: dict[str, bytes]) -> bool:
        """Write atomically (temporary file, fsync, rename, fsync of the folder); False when the file
        already says exactly this."""
        body = self.encode(scope, snapshot_id, records)
        self.snapshot_id = snapshot_id
        if body == self.stored:
            return False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".tmp-{self.path.name}-{os.getpid()}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0), 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(MAGIC + self.checksum(body) + body)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        with contextlib.suppress(OSError):  # the rename lasts only once the folder is on disk too
            folder = os.open(self.path.parent, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)
        self.stored = body
        return True
