"""A web root compared with the site's last trusted snapshot.

    report = compare_with_snapshot(Path("/var/www/portal"), manifest, state=IntegrityState(state_path))

Regular files whose size, mtime, ctime and inode equal the snapshot's entry are not read (the test the
backup itself uses to skip unchanged files; a chmod or chown moves ctime, so mode and owner are covered
too), nor are those whose metadata equal what the last scan recorded in `state`. The others are hashed
with the hash the snapshot used, so a file touched but not changed is unchanged.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Sequence
from pathlib import Path

from jagaweb.backup.sources.webroot import DEFAULT_EXCLUDES, prefixed
from jagaweb.backup.store.manifest import FILE_KEY, Entry, Manifest
from jagaweb.backup.store.walk import Excludes, compile_excludes
from jagaweb.guard.integrity.baseline import Baseline
from jagaweb.guard.integrity.choices import ChangeKind, PathKind
from jagaweb.guard.integrity.hashing import DEFAULT_HASHER, Hasher, hasher_name
from jagaweb.guard.integrity.hashpool import THREADS, Hashed, HashPool, Progress
from jagaweb.guard.integrity.links import leads_outside
from jagaweb.guard.integrity.report import Change, IntegrityReport, PathState, Skipped
from jagaweb.guard.integrity.state import IntegrityState, Scope
from jagaweb.guard.integrity.walk import TreeWalk, Walked, stat_key

ROOT_FLAGS = os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0)


def state_of_entry(entry: Entry) -> PathState:
    return PathState(entry.kind, entry.size, entry.mode, entry.uid, entry.gid, entry.hash, entry.target)


def state_of_path(kind: str, st: os.stat_result, digest: str = "", target: str = "") -> PathState:
    return PathState(kind, st.st_size if kind == PathKind.FILE else 0, stat.S_IMODE(st.st_mode), st.st_uid,
                     st.st_gid, digest, target)


def below_any(path: str, folders: Sequence[str]) -> bool:
    return any(not folder or path == folder or path.startswith(folder + "/") for folder in folders)


class Comparison:
    def __init__(self, baseline: Baseline, report: IntegrityReport) -> None:
        self.baseline, self.report = baseline, report
        self.present: list[int] = []  # baseline rows found besides those the walk kept

    def path(self, manifest_path: str) -> str:
        return manifest_path[len(self.baseline.prefix):]

    def add(self, kind: ChangeKind, manifest_path: str, old: PathState | None, new: PathState | None) -> None:
        self.report.changes.append(Change(self.path(manifest_path), kind, old, new))

    def against_snapshot(self, manifest_path: str, new: PathState) -> None:
        """One path as it is now against its snapshot entry, whatever their kinds."""
        number = self.baseline.index.get(manifest_path)
        if number is None:
            self.add(ChangeKind.ADDED, manifest_path, None, new)
            return
        self.present.append(number)
        old = state_of_entry(self.baseline.entry(number))
        if old.kind != new.kind:
            self.add(ChangeKind.TYPE, manifest_path, old, new)
            return
        if new.kind == PathKind.FILE and old.hash != new.hash:
            self.add(ChangeKind.MODIFIED, manifest_path, old, new)
        if new.kind == PathKind.SYMLINK and old.target != new.target:
            self.add(ChangeKind.TARGET, manifest_path, old, new)
        if (old.mode, old.uid, old.gid) != (new.mode, new.uid, new.gid):
            self.add(ChangeKind.PERMISSIONS, manifest_path, old, new)

    def deleted(self, walked: Walked, unknown: Sequence[str], is_excluded: Callable[[str], bool] | None) -> None:
        """Rows below the prefix that the walk did not meet; when every row was met, nothing to look for."""
        baseline = self.baseline
        if len(walked.kept) + len(self.present) == len(baseline):
            return
        met = set(walked.kept)
        met.update(self.present)
        for number in range(baseline.start, baseline.end):
            if number in met:
                continue
            path = baseline.paths[number]
            if below_any(path, unknown):
                continue  # could not be read, or below a folder that could not: unknown, not deleted
            if is_excluded is not None and is_excluded(path):
                continue  # left out of the comparison (and of newer backups) by an exclude
            self.add(ChangeKind.DELETED, path, state_of_entry(baseline.entry(number)), None)


def compare_with_snapshot(
    root: Path,
    manifest: Manifest,
    prefix: str = "webroot/",
    *,
    hasher: Hasher = DEFAULT_HASHER,
    state: IntegrityState | None = None,
    progress: Progress | None = None,
    excludes: Sequence[str] | None = None,
    snapshot_id: str = "",
    threads: int = THREADS,
) -> IntegrityReport:
    """Compare the tree at `root` with the snapshot's entries below `prefix`.

    `excludes`: web-root-relative patterns left out on both sides, as the backup leaves them out
    (None: the web root source's defaults; pass the site plan's WebRootSource(...).excludes).
    `state`: read before and saved after the scan. `snapshot_id` is recorded in the report and state.
    `progress(bytes hashed, bytes to hash)`. Raises OSError when `root` cannot be opened.
    """
    baseline = Baseline(manifest, prefix)
    patterns = list(DEFAULT_EXCLUDES if excludes is None else excludes)
    compiled = compile_excludes(tuple(prefixed(patterns, baseline.prefix.rstrip("/")) if baseline.prefix
                                      else [p.lstrip("/") for p in patterns]))
    report = IntegrityReport(root=str(root), snapshot_id=snapshot_id)
    root_fd = os.open(root, ROOT_FLAGS)  # the root itself may be a symlink, as the backup allows
    try:
        sample = hasher()
        scope = Scope(os.path.abspath(root), os.fstat(root_fd).st_dev, hasher_name(hasher),
                      len(sample.hexdigest()) // 2)
        records = state.read(scope) if state is not None else {}
        if state is not None:
            report.state_problem, report.state_used = state.problem, state.loaded
        pool = HashPool(hasher, threads, progress)
        try:
            walked = TreeWalk(baseline, compiled, records, pool.submit).run(root_fd)
        finally:
            hashed = pool.finish()
        comparison = Comparison(baseline, report)
        kept_records = compare_found(comparison, walked, hashed, root_fd, str(root))
        unknown = [*walked.unknown, *(item.path for item in hashed if item.error)]
        comparison.deleted(walked, unknown, excluded_path(compiled))
    finally:
        os.close(root_fd)
    report.paths_seen, report.files_seen = walked.paths, walked.files
    report.skipped.extend(walked.skipped)
    report.files_hashed = sum(1 for item in hashed if item.st is not None)
    report.bytes_hashed = sum(item.st.st_size for item in hashed if item.st is not None)
    if state is not None:
        try:
            state.save(scope, snapshot_id, kept_records)
        except OSError as exc:  # the report stands; the next scan hashes these files again
            report.state_problem = f"cannot save the state file {state.path}: {exc.strerror or exc}"
    report.sort()
    return report


def excluded_path(excludes: Excludes) -> Callable[[str], bool] | None:
    """A test of a whole manifest path against every pattern (the walk tests one name at a time, and
    does not enter an excluded folder)."""
    by_path, by_name = excludes.path, excludes.name
    if by_path is None:
        return None

    def excluded(path: str) -> bool:
        if by_path(path):
            return True
        return by_name is not None and any(by_name(part) for part in path.split("/"))

    return excluded


def compare_found(comparison: Comparison, walked: Walked, hashed: list[Hashed], root_fd: int,
                  root: str) -> dict[str, bytes]:
    """Every path the snapshot did not vouch for against its entry; the records for the next scan."""
    report, records = comparison.report, {}
    for path, st, record in walked.known:
        comparison.against_snapshot(path, state_of_path(PathKind.FILE, st, record[FILE_KEY.size:].hex()))
        records[path] = record
    for item in hashed:
        if item.st is None:
            if item.error:
                report.skipped.append(Skipped(comparison.path(item.path), item.error))
            continue
        comparison.against_snapshot(item.path, state_of_path(PathKind.FILE, item.st, item.digest))
        key = stat_key(item.st)
        if key and not item.racy:
            records[item.path] = key + bytes.fromhex(item.digest)
    for path, st in walked.folders:
        comparison.against_snapshot(path, state_of_path(PathKind.DIR, st))
    roots = tuple(dict.fromkeys((os.path.abspath(root), os.path.realpath(root))))
    for path, st, target in walked.links:
        comparison.against_snapshot(path, state_of_path(PathKind.SYMLINK, st, target=target))
        if leads_outside(root_fd, roots, comparison.path(path), target):
            report.links_outside.append((comparison.path(path), target))
    for path, st in walked.specials:
        comparison.against_snapshot(path, state_of_path(PathKind.SPECIAL, st))
    return records

