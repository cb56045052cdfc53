"""File integrity of a web root against the site's last trusted backup snapshot (issue #5).

    from jagaweb.guard.integrity import IntegrityState, compare_with_snapshot
    info, manifest = repo.load_snapshot(snapshot_id)
    report = compare_with_snapshot(Path(site_root), manifest, state=IntegrityState(state_path),
                                   excludes=WebRootSource(site_root, plan_excludes).excludes,
                                   snapshot_id=info.id)
    report.added, report.modified, report.deleted, report.permissions, report.type_changes, ...

`watch.watch()` adds an optional real-time mode (Linux inotify) that tells which paths changed; the
caller then rescans, which with a state costs an lstat per path. A pure library: neither Django nor
the database is needed.
"""

from jagaweb.guard.integrity.choices import ChangeKind, PathKind
from jagaweb.guard.integrity.compare import compare_with_snapshot
from jagaweb.guard.integrity.report import Change, IntegrityReport, PathState, Skipped
from jagaweb.guard.integrity.state import IntegrityState

__all__ = [
    "Change",
    "ChangeKind",
    "IntegrityReport",
    "IntegrityState",
    "PathKind",
    "PathState",
    "Skipped",
    "compare_with_snapshot",
]
