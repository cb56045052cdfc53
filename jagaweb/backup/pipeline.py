"""A site's backup as ordered steps: open the medium, lock, find the parent, read the web root, the
system paths and the database dump into one snapshot, record it, apply retention."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from jagaweb.backup.models import BackupPlan, BackupRun, Snapshot, snapshots_to_forget
from jagaweb.backup.site_sources import database_source
from jagaweb.backup.sources.paths import ExtraPathsSource
from jagaweb.backup.sources.webroot import WebRootSource
from jagaweb.backup.store.archiver import Archiver, Progress
from jagaweb.backup.store.manifest import Manifest
from jagaweb.backup.store.repository import Repository, SnapshotInfo
from jagaweb.backup.targets.base import Target
from jagaweb.inventory.models import Site
from jagaweb.steps import Step


@dataclass
class BackupContext:
    site: Site
    plan: BackupPlan
    run: BackupRun
    progress: Progress | None = None
    target: Target | None = None
    repo: Repository | None = None
    lock: AbstractContextManager[Repository] | None = None
    parent: tuple[SnapshotInfo, Manifest] | None = None
    archiver: Archiver | None = None
    info: SnapshotInfo | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def repository(self) -> Repository:
        assert self.repo is not None, "the repository is opened by the first step"
        return self.repo

    @property
    def reader(self) -> Archiver:
        assert self.archiver is not None, "the archiver is started before the sources are read"
        return self.archiver


class OpenRepository(Step[BackupContext]):
    name = "open the backup medium"

    def run(self, context: BackupContext) -> None:
        context.target = context.plan.target.open(context.site.slug)
        context.repo = Repository.open_or_init(context.target, context.plan.target.passphrase or None)

    def cleanup(self, context: BackupContext) -> None:
        if context.target is not None:
            context.target.close()


class TakeLock(Step[BackupContext]):
    name = "lock the repository"

    def run(self, context: BackupContext) -> None:
        context.lock = context.repository.locked()
        context.lock.__enter__()

    def cleanup(self, context: BackupContext) -> None:
        if context.lock is not None:
            context.lock.__exit__(None, None, None)


class FindParent(Step[BackupContext]):
    """The newest snapshot of this site: its unchanged files are taken without reading them again."""

    name = "find the previous snapshot"

    def run(self, context: BackupContext) -> None:
        mine = [s for s in context.repository.snapshots() if s.source == context.site.slug]
        if mine:
            context.parent = context.repository.load_snapshot(mine[-1].id)


class StartArchiver(Step[BackupContext]):
    name = "start the snapshot"

    def run(self, context: BackupContext) -> None:
        parent = context.parent[1] if context.parent else None
        context.archiver = Archiver(context.repository, parent=parent, progress=context.progress)

    def cleanup(self, context: BackupContext) -> None:
        if context.archiver is not None and context.info is None:
            context.archiver.abort()


class ReadWebRoot(Step[BackupContext]):
    name = "back up the web root"

    def run(self, context: BackupContext) -> None:
        if not context.site.web_root:
            context.warnings.append("the site has no web root path: files were not backed up")
            return
        report = WebRootSource(context.site.web_root, context.plan.excludes).add_to(context.reader)
        context.warnings += report.warnings


class ReadSystemPaths(Step[BackupContext]):
    name = "back up the system paths"

    def run(self, context: BackupContext) -> None:
        if context.plan.extra_paths:
            context.warnings += ExtraPathsSource(context.plan.extra_paths).add_to(context.reader).warnings


class DumpDatabase(Step[BackupContext]):
    name = "dump the database"

    def run(self, context: BackupContext) -> None:
        source = database_source(context.site) if context.plan.include_database else None
        if source is not None:
            context.warnings += source.add_to(context.reader).warnings


class SaveSnapshot(Step[BackupContext]):
    name = "save the snapshot"

    def run(self, context: BackupContext) -> None:
        parent_id = context.parent[0].id if context.parent else None
        meta: dict[str, object] = {"site": context.site.slug, "url": context.site.url,
                                   "warnings": context.warnings[:50]}
        context.info = context.reader.finish(source=context.site.slug, meta=meta, parent_id=parent_id)


class RecordSnapshot(Step[BackupContext]):
    name = "record the snapshot"

    def run(self, context: BackupContext) -> None:
        assert context.info is not None
        summary = context.info.summary
        taken = datetime.fromisoformat(context.info.time)
        Snapshot.objects.create(
            site=context.site, target=context.plan.target, snapshot_id=context.info.id, taken_at=taken,
            files=int(summary["files"]), size=int(summary["bytes_read"]), new_bytes=int(summary["new_bytes"]),
            summary=summary,
        )
        run = context.run
        run.snapshot_id, run.files = context.info.id, int(summary["files"])
        run.bytes_total, run.bytes_new = int(summary["bytes_read"]), int(summary["new_bytes"])
        run.report = {"warnings": context.warnings, "summary": summary}


class ApplyRetention(Step[BackupContext]):
    """Forget snapshots the plan no longer keeps (their data goes at the next prune)."""

    name = "apply the retention policy"

    def run(self, context: BackupContext) -> None:
        forget = snapshots_to_forget(context.plan, context.repository.snapshots(), timezone.localtime())
        for info in forget:
            context.repository.forget(info.id)
        Snapshot.objects.filter(
            site=context.site, target=context.plan.target, snapshot_id__in=[i.id for i in forget]
        ).delete()
        context.run.report["forgotten"] = [i.id for i in forget]


BACKUP_STEPS: list[Step[BackupContext]] = [
    OpenRepository(), TakeLock(), FindParent(), StartArchiver(), ReadWebRoot(), ReadSystemPaths(),
    DumpDatabase(), SaveSnapshot(), RecordSnapshot(), ApplyRetention(),
]
