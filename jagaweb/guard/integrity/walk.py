"""The web root walked for a comparison: every path with its lstat, the files the snapshot or the last
scan vouch for set aside on the spot.

Each folder is opened relative to its parent's descriptor with O_NOFOLLOW, names are stat'ed relative
to it, and symlinks are read, never followed: neither a link nor a folder swapped for a link during the
walk leads out of the root. A folder met again on the way down (a bind-mount loop) or deeper than
MAX_DEPTH is skipped with a reason.

Speed: an unchanged rescan is one lstat per path and, for a regular file, one dict lookup and one
struct.pack compared with the snapshot's packed size/mtime/ctime/inode (what manifest.Compact keeps
for the backup). Nothing else is made for such a file: its row number goes on a list, so the paths
gone from the tree can be found without a set of the paths seen. One thread: on a warm page cache the
walk is bound by the interpreter, which threads would share, not speed up.
"""

from __future__ import annotations

import os
import stat
import struct
from collections.abc import Callable
from dataclasses import dataclass, field

from jagaweb.backup.store.manifest import FILE_KEY
from jagaweb.backup.store.walk import Excludes
from jagaweb.guard.integrity.baseline import Baseline
from jagaweb.guard.integrity.report import Skipped

OPEN_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
MAX_DEPTH = 64  # deeper is a trap (or a loop of bind mounts), not a web site

# A regular file neither the snapshot nor the state vouches for: (name in its folder, path, lstat).
ToHash = tuple[str, str, os.stat_result]
# Called with the folder's descriptor while it is open (the callee duplicates it if it keeps it).
HashBatch = Callable[[int, list[ToHash]], None]


def stat_key(st: os.stat_result) -> bytes:
    """manifest.file_key of a file as it is now; b"" (equal to nothing) for values out of range."""
    try:
        return FILE_KEY.pack(st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    except struct.error:
        return b""


@dataclass(slots=True)
class Walked:
    kept: list[int] = field(default_factory=list)  # baseline rows of files the snapshot vouches for
    known: list[tuple[str, os.stat_result, bytes]] = field(default_factory=list)  # (path, lstat, state record)
    folders: list[tuple[str, os.stat_result]] = field(default_factory=list)
    links: list[tuple[str, os.stat_result, str]] = field(default_factory=list)  # (path, lstat, target)
    specials: list[tuple[str, os.stat_result]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # manifest paths of what was skipped: not "deleted"
    paths: int = 0
    files: int = 0


class TreeWalk:
    def __init__(self, baseline: Baseline, excludes: Excludes, records: dict[str, bytes],
                 hash_batch: HashBatch) -> None:
        self.baseline, self.excludes, self.records, self.hash_batch = baseline, excludes, records, hash_batch
        self.found = Walked()

    def run(self, root_fd: int) -> Walked:
        st = os.fstat(root_fd)
        self.folder(root_fd, self.baseline.prefix, 0, {(st.st_dev, st.st_ino)})
        return self.found

    def skip(self, path: str, reason: str) -> None:
        """`path`: a manifest path (the root's own is the prefix without its "/")."""
        self.found.skipped.append(Skipped(path[len(self.baseline.prefix):] or ".", reason))
        self.found.unknown.append(path)

    def folder(self, fd: int, rel_base: str, depth: int, above: set[tuple[int, int]]) -> None:
        """Everything in the open folder `fd`, whose manifest path is `rel_base` (ending in "/")."""
        found, records = self.found, self.records
        index_get, keys, kept = self.baseline.index.get, self.baseline.keys, found.kept
        by_path, by_name = self.excludes.path, self.excludes.name
        lstat, pack, is_file, is_dir, is_link = os.stat, FILE_KEY.pack, stat.S_ISREG, stat.S_ISDIR, stat.S_ISLNK
        try:
            names = os.listdir(fd)
        except OSError as exc:
            self.skip(rel_base.rstrip("/"), exc.strerror or str(exc))
            return
        to_hash: list[ToHash] = []
        folders: list[tuple[str, str, os.stat_result]] = []
        files = excluded = 0
        for name in names:
            rel = rel_base + name
            if by_path is not None and (by_path(rel) or (by_name is not None and by_name(name))):
                excluded += 1
                continue
            try:
                st = lstat(name, dir_fd=fd, follow_symlinks=False)
            except FileNotFoundError:
                continue  # gone since the listing: a deleted path, as if it had not been listed
            except OSError as exc:
                self.skip(rel, exc.strerror or str(exc))
                continue
            mode = st.st_mode
            if is_file(mode):
                files += 1
                number = index_get(rel)
                try:
                    key = pack(st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
                except struct.error:
                    key = b""
                if number is not None and key and keys[number] == key:
                    kept.append(number)  # unchanged since the snapshot: not read, nothing made
                    continue
                record = records.get(rel)
                if record is not None and key and record[:FILE_KEY.size] == key:
                    found.known.append((rel, st, record))  # changed before the last scan, not since
                else:
                    to_hash.append((name, rel, st))
            elif is_dir(mode):
                folders.append((name, rel, st))
            elif is_link(mode):
                try:
                    found.links.append((rel, st, os.readlink(name, dir_fd=fd)))
                except OSError as exc:
                    self.skip(rel, exc.strerror or str(exc))
            else:
                found.specials.append((rel, st))  # FIFO, socket, device: never opened
        found.paths += len(names) - excluded
        found.files += files
        if to_hash:
            self.hash_batch(fd, to_hash)
        for name, rel, st in folders:
            found.folders.append((rel, st))
            self.subfolder(fd, name, rel, st, depth + 1, above)

    def subfolder(self, parent: int, name: str, rel: str, st: os.stat_result, depth: int,
                  above: set[tuple[int, int]]) -> None:
        identity = (st.st_dev, st.st_ino)
        if identity in above:
            self.skip(rel, "the folder contains itself (a bind-mount loop): not walked again")
            return
        if depth > MAX_DEPTH:
            self.skip(rel, f"deeper than {MAX_DEPTH} folders: not walked")
            return
        try:
            fd = os.open(name, OPEN_FOLDER, dir_fd=parent)
        except OSError as exc:  # ELOOP: swapped for a symlink since the listing, and not followed
            self.skip(rel, exc.strerror or str(exc))
            return
        try:
            opened = os.fstat(fd)
            if (opened.st_dev, opened.st_ino) != identity:
                self.skip(rel, "replaced by another folder during the scan")
                return
            above.add(identity)
            self.folder(fd, rel + "/", depth, above)
            above.discard(identity)
        finally:
            os.close(fd)
