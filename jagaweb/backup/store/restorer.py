"""Restores a snapshot, or some paths of it, into a directory; every file is checked against the
manifest hash before it replaces anything, and files already identical are left alone."""

from __future__ import annotations

import os
import secrets
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import blake3

from jagaweb.backup.store.manifest import Entry, EntryKind, Manifest
from jagaweb.backup.store.repository import Repository
from jagaweb.backup.store.sealing import DamagedData

PACK_CACHE = 3


class RestoreError(Exception):
    """A restored file did not match its manifest, or a path would leave the destination."""


@dataclass
class RestorePlan:
    create: list[str] = field(default_factory=list)
    replace: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


@dataclass
class RestoreReport:
    plan: RestorePlan
    restored: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    bytes_written: int = 0


def file_hash(path: Path) -> str:
    hasher = blake3.blake3()
    with open(path, "rb") as handle:
        while block := handle.read(1024 * 1024):
            hasher.update(block)
    return hasher.hexdigest()


def inside(dest: Path, relative: str) -> Path:
    target = (dest / relative).resolve() if relative else dest
    if target != dest and dest not in target.parents:
        raise RestoreError(f"{relative} would be written outside {dest}")
    return dest / relative


def matches(path: Path, entry: Entry) -> bool:
    if entry.kind == EntryKind.SYMLINK:
        return path.is_symlink() and os.readlink(path) == entry.target
    if entry.kind == EntryKind.DIR:
        return path.is_dir() and not path.is_symlink()
    try:
        st = path.lstat()
    except FileNotFoundError:
        return False
    return path.is_file() and not path.is_symlink() and st.st_size == entry.size and file_hash(path) == entry.hash


class Restorer:
    def __init__(
        self, repo: Repository, manifest: Manifest, progress: Callable[[int, int], None] | None = None
    ) -> None:
        self.repo = repo
        self.manifest = manifest
        self.progress = progress
        self.packs: OrderedDict[str, bytes] = OrderedDict()

    def plan(self, dest: Path, paths: list[str] | None = None) -> RestorePlan:
        plan = RestorePlan()
        for entry in self.selected(paths):
            target = inside(dest.resolve(), entry.path)
            if not target.exists() and not target.is_symlink():
                plan.create.append(entry.path)
            elif matches(target, entry):
                plan.unchanged.append(entry.path)
            else:
                plan.replace.append(entry.path)
        return plan

    def selected(self, paths: list[str] | None) -> list[Entry]:
        return self.manifest.select(paths) if paths else list(self.manifest)

    def restore(self, dest: Path, paths: list[str] | None = None, dry_run: bool = False) -> RestoreReport:
        dest = dest.resolve()
        dest.mkdir(parents=True, exist_ok=True)
        report = RestoreReport(plan=self.plan(dest, paths))
        if dry_run:
            return report
        todo = set(report.plan.create) | set(report.plan.replace)
        entries = [e for e in self.selected(paths) if e.path in todo]
        total = sum(e.size for e in entries)
        for entry in self.in_pack_order(entries):
            try:
                self.restore_entry(dest, entry)
            except (OSError, DamagedData, RestoreError) as exc:
                report.failed[entry.path] = str(exc)
                continue
            report.restored.append(entry.path)
            report.bytes_written += entry.size
            if self.progress:
                self.progress(report.bytes_written, total)
        self.apply_directory_metadata(dest, [e for e in entries if e.kind == EntryKind.DIR])
        return report

    def in_pack_order(self, entries: list[Entry]) -> list[Entry]:
        """Folders first, then files ordered by where their first chunk lives, to read packs once."""
        index = self.repo.load_index()

        def key(entry: Entry) -> tuple[int, str, int, str]:
            if entry.kind == EntryKind.DIR:
                return (0, "", 0, entry.path)
            location = index.get(bytes.fromhex(entry.chunks[0])) if entry.chunks else None
            return (1, location.pack if location else "", location.offset if location else 0, entry.path)

        return sorted(entries, key=key)

    def restore_entry(self, dest: Path, entry: Entry) -> None:
        target = inside(dest, entry.path)
        if entry.kind == EntryKind.DIR:
            if target.is_symlink() or (target.exists() and not target.is_dir()):
                target.unlink()
            target.mkdir(parents=True, exist_ok=True)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".jagaweb-restore-{secrets.token_hex(6)}-{target.name}")
        try:
            if entry.kind == EntryKind.SYMLINK:
                os.symlink(entry.target, temporary)
            else:
                self.write_file(temporary, entry)
            if target.is_dir() and not target.is_symlink():
                raise RestoreError(f"{entry.path} is a folder at the destination")
            os.replace(temporary, target)
        finally:
            if temporary.exists() or temporary.is_symlink():
                temporary.unlink()

    def write_file(self, temporary: Path, entry: Entry) -> None:
        hasher = blake3.blake3()
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            for chunk_id in entry.chunks:
                data = self.read_chunk(bytes.fromhex(chunk_id))
                hasher.update(data)
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        if hasher.hexdigest() != entry.hash:
            raise RestoreError(f"{entry.path}: restored content does not match the manifest hash")
        os.chmod(temporary, entry.mode)
        os.utime(temporary, ns=(entry.mtime_ns, entry.mtime_ns))
        if os.geteuid() == 0:
            os.chown(temporary, entry.uid, entry.gid)

    def read_chunk(self, blob_id: bytes) -> bytes:
        location = self.repo.load_index().get(blob_id)
        if location is None:
            raise DamagedData(f"chunk {blob_id.hex()} is missing from the repository")
        if location.pack not in self.packs:
            self.packs[location.pack] = self.repo.read_pack(location.pack)
            if len(self.packs) > PACK_CACHE:
                self.packs.popitem(last=False)
        return self.repo.read_blob(blob_id, self.packs)

    def apply_directory_metadata(self, dest: Path, dirs: list[Entry]) -> None:
        for entry in sorted(dirs, key=lambda e: e.path, reverse=True):
            target = inside(dest, entry.path)
            os.chmod(target, entry.mode)
            os.utime(target, ns=(entry.mtime_ns, entry.mtime_ns))
