"""Content hashes of the files whose metadata no longer vouch for them.

The hash must be the one the snapshot recorded (`Entry.hash`): the archiver takes plain, unkeyed
BLAKE3 of the whole content in plain and encrypted repositories alike (only chunk ids are keyed), so
the default is `blake3.blake3`. Files are opened relative to their folder's descriptor without
following a link, and only when they are regular files: a FIFO swapped in after the listing cannot
block the scan (O_NONBLOCK), a symlink swapped in cannot lead out of the web root (O_NOFOLLOW).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from typing import Protocol

import blake3

OPEN_FILE = (os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
             | getattr(os, "O_NOCTTY", 0))
WHOLE = 4 * 1024 * 1024  # files up to this size are read in one call; larger ones a block at a time
BLOCK = 1024 * 1024


class HashObject(Protocol):
    name: str

    def update(self, data: bytes, /) -> object: ...

    def hexdigest(self) -> str: ...


Hasher = Callable[[], HashObject]
DEFAULT_HASHER: Hasher = blake3.blake3


class NotRegular(OSError):
    """What was a regular file when listed is something else when opened."""


def hasher_name(hasher: Hasher) -> str:
    """Recorded in the state file, so hashes of one kind are never taken for another's."""
    sample = hasher()
    return f"{sample.name}:{len(sample.hexdigest())}"


def hash_file(dir_fd: int, name: str, hasher: Hasher) -> tuple[os.stat_result, str]:
    """(fstat before reading, hex digest of the content). The stat is the one the hash belongs to: a
    file written during the read has a newer mtime, so the next scan reads it again."""
    fd = os.open(name, OPEN_FILE, dir_fd=dir_fd)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegular(f"{name} is no longer a regular file")
        digest = hasher()
        if st.st_size <= WHOLE:
            # One more byte than the size, to take in a file that grew since fstat in the same call.
            data = os.read(fd, st.st_size + 1)
            while data:
                digest.update(data)
                data = os.read(fd, BLOCK)
        else:
            while block := os.read(fd, BLOCK):
                digest.update(block)
        return st, digest.hexdigest()
    finally:
        os.close(fd)
