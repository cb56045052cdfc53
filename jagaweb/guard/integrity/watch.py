"""Real-time mode: which paths of a web root change, as they change (Linux inotify).

    watch(root, on_change=lambda paths: rescan(), stop=stop_event)

Every folder below the root is watched, and folders made later are added as their creation is seen
(their contents at that moment are reported, since files written before the watch existed raise no
event). Events are coalesced: `on_change` gets the set of changed paths (relative to the root) once
no event came for `debounce` seconds, or after `max_delay` of steady writing. RESCAN_ALL in the set
means events were lost (the kernel's queue overflowed): rescan everything.

Folders are reached as the integrity walk reaches them (opened relative to their parent, without
following a link) and watched through /proc/self/fd, so a folder swapped for a symlink is never
followed out of the root. When the kernel's watch limit is reached, WatchLimitError (with the limit)
is raised: the caller falls back to periodic rescans.
"""

from __future__ import annotations

import os
import stat
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from jagaweb.backup.store.walk import compile_excludes
from jagaweb.guard.integrity import inotify
from jagaweb.guard.integrity.inotify import Event, Inotify, WatchLimitError
from jagaweb.guard.integrity.walk import MAX_DEPTH, OPEN_FOLDER

RESCAN_ALL = ""
MASK = (inotify.IN_CREATE | inotify.IN_DELETE | inotify.IN_MODIFY | inotify.IN_CLOSE_WRITE | inotify.IN_ATTRIB
        | inotify.IN_MOVED_FROM | inotify.IN_MOVED_TO | inotify.IN_DELETE_SELF | inotify.IN_MOVE_SELF
        | inotify.IN_ONLYDIR | inotify.IN_EXCL_UNLINK)
NEW_FOLDER = inotify.IN_CREATE | inotify.IN_MOVED_TO
POLL = 0.1  # seconds between looks at `stop`

__all__ = ["RESCAN_ALL", "TreeWatch", "WatchLimitError", "watch"]


class TreeWatch:
    """The watches of one tree, and the folder each watch descriptor stands for."""

    def __init__(self, root: Path, excludes: Sequence[str] = ()) -> None:
        self.root = root
        self.excluded = compile_excludes(tuple(p.lstrip("/") for p in excludes))
        self.inotify = Inotify()
        self.folders: dict[int, str] = {}  # wd -> folder relative to the root ("" for the root)
        self.proc = Path("/proc/self/fd").is_dir()

    def close(self) -> None:
        self.inotify.close()

    def is_excluded(self, rel: str) -> bool:
        by_path, by_name = self.excluded.path, self.excluded.name
        return by_path is not None and bool(by_path(rel) or (by_name is not None and by_name(rel.rsplit("/", 1)[-1])))

    def start(self) -> set[str]:
        """Watch every folder (again, after lost events: a watch that exists is kept); every path found."""
        found: set[str] = set()
        fd = os.open(self.root, OPEN_FOLDER & ~os.O_NOFOLLOW)  # the root may be a link, as for a scan
        try:
            self.add_folder(fd, "", 0, found)
        finally:
            os.close(fd)
        return found

    def add_folder(self, fd: int, rel: str, depth: int, found: set[str]) -> None:
        """Watch the open folder and, recursively, the folders in it; their paths go into `found`."""
        where = f"/proc/self/fd/{fd}" if self.proc else str(self.root / rel)
        try:
            wd = self.inotify.add(where, MASK)
        except WatchLimitError:
            raise
        except OSError:
            return  # removed meanwhile: its parent's event tells
        known = self.folders.get(wd)
        if known is not None and known != rel and (not known or rel.startswith(known + "/")):
            return  # the same folder again below itself: a bind-mount loop
        self.folders[wd] = rel
        if depth >= MAX_DEPTH:
            return
        try:
            names = os.listdir(fd)
        except OSError:
            return  # removed meanwhile, or unreadable: nothing to watch in it
        for name in names:
            child = f"{rel}/{name}" if rel else name
            if self.is_excluded(child):
                continue
            found.add(child)
            try:
                if not stat.S_ISDIR(os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode):
                    continue
                sub = os.open(name, OPEN_FOLDER, dir_fd=fd)
            except OSError:
                continue  # gone, or swapped for a link: not followed
            try:
                self.add_folder(sub, child, depth + 1, found)
            finally:
                os.close(sub)

    def add_new(self, rel: str) -> set[str]:
        """A folder made (or moved in) since the start: watched, and everything already in it reported."""
        found: set[str] = set()
        opened: list[int] = []
        try:
            opened.append(os.open(self.root, OPEN_FOLDER & ~os.O_NOFOLLOW))
            for part in rel.split("/"):
                opened.append(os.open(part, OPEN_FOLDER, dir_fd=opened[-1]))
            self.add_folder(opened[-1], rel, rel.count("/") + 1, found)
        except WatchLimitError:
            raise
        except OSError:
            pass  # gone again, or not a folder any more: its events say so
        finally:
            for descriptor in reversed(opened):
                os.close(descriptor)
        return found

    def forget_below(self, rel: str) -> None:
        """A folder moved away: its watches and its subfolders' go (a move within the tree adds them again)."""
        for wd, folder in list(self.folders.items()):
            if folder == rel or folder.startswith(rel + "/"):
                self.inotify.remove(wd)
                del self.folders[wd]

    def changed(self, events: list[Event]) -> set[str]:
        paths: set[str] = set()
        for event in events:
            if event.mask & inotify.IN_Q_OVERFLOW:
                paths.add(RESCAN_ALL)
                self.start()  # folders made meanwhile were missed too
                continue
            folder = self.folders.get(event.wd)
            if event.mask & inotify.IN_IGNORED:
                self.folders.pop(event.wd, None)
                continue
            if folder is None or not event.name:
                continue  # a folder's own deletion or move: its parent's event names it
            rel = f"{folder}/{event.name}" if folder else event.name
            if self.is_excluded(rel):
                continue
            paths.add(rel)
            if event.mask & inotify.IN_ISDIR:
                if event.mask & inotify.IN_MOVED_FROM:
                    self.forget_below(rel)
                elif event.mask & NEW_FOLDER:
                    paths |= self.add_new(rel)
        return paths


def watch(root: Path, on_change: Callable[[set[str]], None], *, stop: threading.Event, debounce: float = 1.0,
          max_delay: float = 30.0, excludes: Sequence[str] = (), ready: threading.Event | None = None) -> None:
    """Watch `root` until `stop` is set, calling `on_change(paths)` from this thread; `ready` is set once
    every folder is watched (changes made before that may be missed: rescan after it).

    Raises WatchLimitError when the kernel's limits do not allow watching every folder, at the start or
    later as folders are made, and OSError when inotify is not available at all."""
    tree = TreeWatch(root, excludes)
    try:
        tree.start()
        if ready is not None:
            ready.set()
        pending: set[str] = set()
        first = last = 0.0
        while not stop.is_set():
            events = tree.inotify.read(POLL)
            now = time.monotonic()
            if events:
                found = tree.changed(events)
                if found:
                    first = first if pending else now
                    last = now
                    pending |= found
            if pending and (now - last >= debounce or now - first >= max_delay):
                batch, pending = pending, set()
                on_change(batch)
    finally:
        tree.close()
