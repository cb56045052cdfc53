"""A small ctypes wrapper over Linux inotify (libc's inotify_init1, inotify_add_watch, inotify_rm_watch);
events are read with os.read and parsed here. The standard library has no inotify, and the watcher is
not worth a dependency."""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import select
import struct
from pathlib import Path
from typing import NamedTuple

IN_MODIFY = 0x00000002
IN_ATTRIB = 0x00000004
IN_CLOSE_WRITE = 0x00000008
IN_MOVED_FROM = 0x00000040
IN_MOVED_TO = 0x00000080
IN_CREATE = 0x00000100
IN_DELETE = 0x00000200
IN_DELETE_SELF = 0x00000400
IN_MOVE_SELF = 0x00000800
IN_Q_OVERFLOW = 0x00004000
IN_IGNORED = 0x00008000
IN_ONLYDIR = 0x01000000
IN_EXCL_UNLINK = 0x04000000
IN_ISDIR = 0x40000000

EVENT = struct.Struct("iIII")  # wd, mask, cookie, length of the name that follows
READ_SIZE = 256 * 1024
SYSCTL = Path("/proc/sys")


class Event(NamedTuple):
    wd: int
    mask: int
    name: str  # "" for events about the watched folder itself


class WatchLimitError(OSError):
    """The kernel's inotify limits are reached: watch fewer folders, raise the limit, or rescan periodically."""


def limit(name: str) -> str:
    """A limit as sysctl names it, e.g. "fs.inotify.max_user_watches = 8192"; "?" when unreadable."""
    try:
        return f"{name} = {(SYSCTL / name.replace('.', '/')).read_text().strip()}"
    except OSError:
        return f"{name} = ?"


def parse(data: bytes) -> list[Event]:
    events, at = [], 0
    while at + EVENT.size <= len(data):
        wd, mask, _cookie, length = EVENT.unpack_from(data, at)
        raw = data[at + EVENT.size:at + EVENT.size + length]
        events.append(Event(wd, mask, os.fsdecode(raw.split(b"\0", 1)[0])))
        at += EVENT.size + length
    return events


class Inotify:
    def __init__(self) -> None:
        self.libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        self.libc.inotify_init1.argtypes = [ctypes.c_int]
        self.libc.inotify_add_watch.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
        self.libc.inotify_rm_watch.argtypes = [ctypes.c_int, ctypes.c_int]
        fd = self.libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if fd < 0:
            number = ctypes.get_errno()
            if number == errno.EMFILE:
                raise WatchLimitError(number, "too many inotify instances for this user "
                                      f"({limit('fs.inotify.max_user_instances')})")
            raise OSError(number, f"inotify is not available: {os.strerror(number)}")
        self.fd = fd
        self.poller = select.poll()
        self.poller.register(fd, select.POLLIN)

    def add(self, path: str, mask: int) -> int:
        wd = self.libc.inotify_add_watch(self.fd, os.fsencode(path), mask)
        if wd < 0:
            number = ctypes.get_errno()
            if number == errno.ENOSPC:
                # In a container the user namespace's own limit may be the lower one.
                raise WatchLimitError(number, "the inotify watch limit is reached ("
                                      f"{limit('fs.inotify.max_user_watches')}, {limit('user.max_inotify_watches')})"
                                      ": raise it, or rescan periodically")
            raise OSError(number, os.strerror(number), path)
        return int(wd)

    def remove(self, wd: int) -> None:
        self.libc.inotify_rm_watch(self.fd, wd)  # fails only when the watch is already gone

    def read(self, timeout: float) -> list[Event]:
        """The events queued within `timeout` seconds ([] when none)."""
        if not self.poller.poll(max(0, int(timeout * 1000))):
            return []
        try:
            return parse(os.read(self.fd, READ_SIZE))
        except BlockingIOError:
            return []

    def close(self) -> None:
        os.close(self.fd)
