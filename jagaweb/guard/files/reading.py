"""Reading a hostile web root: bounded reads, no link ever followed, nothing but regular files opened."""

from __future__ import annotations

import os
import stat

from jagaweb.guard.rules.base import MEDIA_EXTENSIONS

# Signatures sit at the start (a prepended block, an image header) or at the end (an appended block, a
# footer); a 2 GB log or video is read only at both ends.
HEAD_BYTES = 1024 * 1024
TAIL_BYTES = 256 * 1024
MEDIA_HEAD_BYTES = 64 * 1024  # images and archives: enough for a PHP block in a header or comment
MEDIA_TAIL_BYTES = 64 * 1024
GAP_MARK = b"\n\n"  # between head and tail, so a pattern never spans the part that was not read

_OPEN_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
OPEN_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


def limits_for(name: str) -> tuple[int, int]:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext in MEDIA_EXTENSIONS:
        return MEDIA_HEAD_BYTES, MEDIA_TAIL_BYTES
    return HEAD_BYTES, TAIL_BYTES


def _read_at(fd: int, count: int, offset: int) -> bytes:
    chunks: list[bytes] = []
    while count > 0:
        chunk = os.pread(fd, count, offset)
        if not chunk:
            break
        chunks.append(chunk)
        count -= len(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def read_bounded(fd: int, size: int, head: int, tail: int) -> tuple[bytes, bool]:
    """The whole file when small, else its first `head` and last `tail` bytes. True when something was left out."""
    if size <= head + tail:
        # The file may have grown since fstat: read up to the cap, and say so if it was reached.
        data = _read_at(fd, head + tail, 0)
        return data, len(data) >= head + tail and size > head + tail
    return _read_at(fd, head, 0) + GAP_MARK + _read_at(fd, tail, size - tail), True


def open_regular(name: str, dir_fd: int) -> tuple[int, os.stat_result]:
    """Open `name` in `dir_fd` without following a link; OSError unless it is a regular file."""
    fd = os.open(name, _OPEN_FILE, dir_fd=dir_fd)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"not a regular file: {name}")
    except BaseException:
        os.close(fd)
        raise
    return fd, info
