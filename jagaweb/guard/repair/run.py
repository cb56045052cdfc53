"""One repair: what the steps (steps.py) share, and the few operations they are made of.

The rule every operation keeps: nothing in the web root is overwritten or removed until what is
there now is in the quarantine, checked right before (`preserve`); content equal to the trusted
snapshot is never taken as evidence, so a rerun after a crash does not quarantine the originals it
has already put back.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from jagaweb.backup.store.manifest import Entry, EntryKind, Manifest
from jagaweb.backup.store.repository import Repository
from jagaweb.guard.repair.changes import Change, ChangeKind, PathType, ancestors, split
from jagaweb.guard.repair.errors import RepairError
from jagaweb.guard.repair.journal import Journal
from jagaweb.guard.repair.quarantine import Quarantine
from jagaweb.guard.repair.report import RepairReport
from jagaweb.guard.repair.webroot import DIR_FLAGS, Seen, WebRoot, look_at
from jagaweb.guard.repair.writer import SnapshotWriter, make_folder, remove_leftover, set_folder_metadata

# (step name, paths handled, paths in the step); a restored file is in place once its batch is.
Progress = Callable[[str, int, int], None]
Items = list[tuple[str, Seen]]


def change_between(seen: Seen, entry: Entry | None) -> ChangeKind:
    """The kind of change for a path the change list did not name (found below a changed one)."""
    if entry is None:
        return ChangeKind.ADDED
    if seen.kind != entry.kind:
        return ChangeKind.TYPE
    if seen.kind == PathType.SYMLINK:
        return ChangeKind.TARGET
    if seen.kind == PathType.FILE and (seen.hashes is None or seen.hashes.blake3 != entry.hash):
        return ChangeKind.MODIFIED
    return ChangeKind.PERMISSIONS


@dataclass
class RepairRun:
    """The context of the steps; built by repair_tree."""

    root: WebRoot
    root_text: str
    repo: Repository
    snapshot: Manifest  # the web root part of the snapshot, paths relative to the root
    changes: list[Change]
    journal: Journal
    quarantine: Quarantine
    key: bytes  # for the names of temporary files (writer.py)
    progress: Progress | None = None
    resumed: bool = False
    targets: dict[str, Entry] = field(default_factory=dict)  # paths put back from the snapshot
    failures: dict[str, str] = field(default_factory=dict)
    error: str = ""
    kinds: dict[str, ChangeKind] = field(init=False)

    def __post_init__(self) -> None:
        self.kinds = {change.path: change.kind for change in self.changes}

    # ---- what the change list asks for ----
    def kind_of(self, relative: str) -> ChangeKind | None:
        return self.kinds.get(relative)

    def added(self) -> list[Change]:
        """Paths the snapshot does not have: removed, deepest first."""
        found = [change for change in self.changes if self.snapshot.get(change.path) is None]
        return sorted(found, key=lambda change: change.path, reverse=True)

    def to_restore(self) -> dict[str, Entry]:
        """Paths the snapshot has; a folder that is no real folder now comes back with all it held."""
        wanted: dict[str, Entry] = {}
        for change in self.changes:
            entry = self.snapshot.get(change.path)
            if entry is None:
                continue
            wanted[change.path] = entry
            st = self.root.lstat(change.path) if entry.kind == EntryKind.DIR else None
            if entry.kind == EntryKind.DIR and (st is None or not stat.S_ISDIR(st.st_mode)):
                wanted.update((inner.path, inner) for inner in self.snapshot.select([change.path]))
        return wanted

    def report_progress(self, step: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(step, done, total)

    def failed(self, relative: str, step: str, error: Exception) -> None:
        self.failures.setdefault(relative, f"{step}: {error}")

    # ---- keeping evidence ----
    def preserve(self, relative: str, change: str | None = None) -> Items:
        """Quarantine what is at `relative` (all of it, when it is a folder the snapshot has not got
        there) unless it is exactly the snapshot's or kept already; every item looked at, parents
        first. Raises when something could not be kept: then nothing of it may be touched."""
        entry = self.snapshot.get(relative)
        seen = self.root.look(relative)
        if seen is None:
            return []
        if seen.kind == PathType.DIR and entry is not None and entry.kind == EntryKind.DIR:
            self.keep(relative, seen, entry, change)  # the folder's own permissions, not what it holds
            return [(relative, seen)]
        items: Items = []
        for path, _ in self.root.walk(relative):
            item = seen if path == relative else self.root.look(path)
            if item is not None:
                self.keep(path, item, self.snapshot.get(path), change if path == relative else None)
                items.append((path, item))
        return items

    def keep(self, relative: str, seen: Seen, entry: Entry | None, change: str | None) -> None:
        if seen.trusted(entry):
            return  # the snapshot's own content is no evidence (and is what a rerun finds put back)
        kind = change or self.kind_of(relative) or change_between(seen, entry)
        self.quarantine.keep(self.root, relative, kind, seen)

    def remove_items(self, items: Items) -> None:
        """Remove preserved items, children first. One that changed since it was preserved is
        preserved again; one that appeared since makes its folder's removal fail (rerun)."""
        for path, seen in reversed(items):
            folder, name = split(path)
            with self.root.folder(folder) as fd:
                try:
                    st = os.stat(name, dir_fd=fd, follow_symlinks=False)
                except FileNotFoundError:
                    continue
                if stat.S_ISDIR(st.st_mode):
                    os.rmdir(name, dir_fd=fd)
                    continue
                if not same_file(st, seen.st):
                    again = look_at(fd, name, path)
                    if again is not None:
                        self.keep(path, again, self.snapshot.get(path), None)
                os.unlink(name, dir_fd=fd)

    # ---- putting the snapshot back ----
    @contextmanager
    def folder_for_writing(self, relative: str, writer: SnapshotWriter) -> Iterator[int]:
        """The folder at `relative`, put back as a real folder where it is missing or something else."""
        for path in [*ancestors(relative), relative] if relative else []:
            st = self.root.lstat(path)
            if st is not None and stat.S_ISDIR(st.st_mode):
                continue
            entry = self.snapshot.get(path)
            if entry is None or entry.kind != EntryKind.DIR:
                raise RepairError(f"{path} is no folder in the snapshot")
            self.restore(path, entry, writer)
        with self.root.folder(relative) as fd:
            yield fd

    def restore(self, relative: str, entry: Entry, writer: SnapshotWriter) -> bool:
        """Put the snapshot's `entry` at `relative`; False when it was there already."""
        self.targets[relative] = entry
        folder, name = split(relative)
        with self.folder_for_writing(folder, writer) as fd:
            remove_leftover(fd, name, self.key)
            seen = look_at(fd, name, relative)
            if seen is not None and seen.trusted(entry):
                return False
            items = self.preserve(relative) if seen is not None else []
            if entry.kind == EntryKind.DIR:
                if seen is not None and seen.kind == PathType.DIR:
                    self.fix_folder(fd, name, entry)
                else:
                    self.remove_items(items)
                    make_folder(fd, name, entry)
            else:
                if seen is not None and seen.kind == PathType.DIR:
                    self.remove_items(items)  # a folder (and all it held) where a file belongs
                if entry.kind != EntryKind.SYMLINK:
                    kept = seen.st if seen is not None and seen.kind != PathType.DIR else None
                    writer.prepare_file(fd, name, entry, relative, kept)
                    if writer.full():
                        self.commit_writes(writer)
                    return True  # journaled when its batch is in place
                writer.write_symlink(fd, name, entry)
        self.journal.append("restored", path=relative)
        return True

    def commit_writes(self, writer: SnapshotWriter) -> None:
        done, failed = writer.commit(self.recheck)
        for path, error in failed.items():
            self.failed(path, "restore", error)
        self.journal.append_many([("restored", {"path": path}) for path in done])

    def recheck(self, relative: str, folder_fd: int, name: str, kept: os.stat_result | None) -> None:
        """Right before a path is replaced: if it changed since it was preserved, preserve it again."""
        try:
            now: os.stat_result | None = os.stat(name, dir_fd=folder_fd, follow_symlinks=False)
        except FileNotFoundError:
            now = None
        if now is None and kept is None:
            return
        if now is not None and kept is not None and same_file(now, kept):
            return
        self.preserve(relative)

    @staticmethod
    def fix_folder(folder_fd: int, name: str, entry: Entry) -> None:
        fd = os.open(name, DIR_FLAGS, dir_fd=folder_fd)
        try:
            set_folder_metadata(fd, entry, writable=True)
        finally:
            os.close(fd)

    def remove(self, change: Change, removed_before: set[str]) -> bool:
        """Remove an added path (a folder with all it holds) once it is in quarantine. Journaled
        without an fsync each (the step's last line makes them durable): a run stopped before that
        finds the path gone with its evidence kept, and journals it then."""
        if self.root.lstat(change.path) is None:  # gone, or behind a link that is not followed
            if change.path in self.quarantine.by_path and change.path not in removed_before:
                self.journal.append("removed", durable=False, path=change.path)
            return False
        self.remove_items(self.preserve(change.path, change.kind))
        self.journal.append("removed", durable=False, path=change.path)
        return True

    def settle_folders(self) -> None:
        """Owner, mode and time of the snapshot's folders around what changed, once nothing more is
        added or removed in them (both change a folder's time; and it is filled while writable)."""
        touched = {path for relative in [*self.targets, *(change.path for change in self.changes)]
                   for path in ancestors(relative)}
        touched.update(path for path, entry in self.targets.items() if entry.kind == EntryKind.DIR)
        for path in sorted(touched, key=lambda p: p.count("/"), reverse=True):
            entry = self.snapshot.get(path)
            if entry is None or entry.kind != EntryKind.DIR:
                continue
            try:
                self.preserve(path)
                with self.root.folder(path) as fd:
                    set_folder_metadata(fd, entry)
            except (OSError, RepairError) as exc:
                self.failed(path, "settle folders", exc)

    # ---- the result ----
    def check(self) -> None:
        for path, entry in sorted(self.targets.items()):
            seen = self.root.look(path)
            if seen is None or not seen.trusted(entry):
                self.failures.setdefault(path, "check: not as in the snapshot")
        for change in self.added():
            if self.root.lstat(change.path) is not None:
                self.failures.setdefault(change.path, "check: still present")

    def report(self) -> RepairReport:
        return RepairReport(
            quarantined=list(self.quarantine.records),
            restored=sorted({line["path"] for line in self.journal.of("restored")}),
            removed=sorted({line["path"] for line in self.journal.of("removed")}),
            failures=dict(sorted(self.failures.items())),
            error=self.error,
            resumed=self.resumed,
            evidence=self.quarantine.folder / "evidence.json",
        )


def same_file(now: os.stat_result, before: os.stat_result) -> bool:
    return (now.st_ino, now.st_size, now.st_mtime_ns, now.st_ctime_ns, now.st_mode) == (
        before.st_ino, before.st_size, before.st_mtime_ns, before.st_ctime_ns, before.st_mode)
