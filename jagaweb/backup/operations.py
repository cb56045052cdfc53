"""The backup operations, each in one place: views, API, the CLI and the periodic jobs call these."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from django.utils.translation import gettext as _

from jagaweb.activity.log import Actor
from jagaweb.backup.choices import Operation
from jagaweb.backup.models import BackupPlan, BackupRun, Snapshot
from jagaweb.backup.pipeline import BACKUP_STEPS, BackupContext
from jagaweb.backup.runs import recorded_run
from jagaweb.backup.store.extras import extra_paths, remove_extras
from jagaweb.backup.store.repository import Repository
from jagaweb.backup.store.restorer import Restorer
from jagaweb.backup.store.verify import Damage, Verifier
from jagaweb.inventory.models import Site
from jagaweb.steps import run_steps

Progress = Callable[[int, int], None]
WEBROOT = "webroot"


class BackupNotConfigured(Exception):
    """The site has no (enabled) backup plan."""


def plan_of(site: Site) -> BackupPlan:
    try:
        return site.backup_plan
    except BackupPlan.DoesNotExist:
        raise BackupNotConfigured(_("%(site)s has no backup plan.") % {"site": site.name}) from None


def run_backup(site: Site, actor: Actor, progress: Progress | None = None) -> BackupRun:
    plan = plan_of(site)
    with recorded_run(site, Operation.BACKUP, actor) as run:
        run_steps(BACKUP_STEPS, BackupContext(site=site, plan=plan, run=run, progress=progress),
                  on_step=lambda step: show_step(run, step.name))
    return run


def show_step(run: BackupRun, step: str) -> None:
    """Let the pages show which step a long run is in while it runs."""
    run.step = step
    BackupRun.objects.filter(pk=run.pk).update(step=step)


def open_repository(site: Site) -> Repository:
    plan = plan_of(site)
    return Repository.open(plan.target.open(site.slug), plan.target.passphrase or None)


def verify_backups(site: Site, actor: Actor, read_data: bool = False, sample: float = 1.0,
                   progress: Progress | None = None) -> BackupRun:
    with recorded_run(site, Operation.VERIFY, actor) as run:
        repo = open_repository(site)
        try:
            report = Verifier(repo, progress).run(read_data=read_data, sample=sample)
        finally:
            repo.target.close()
        run.report = {
            "summary": _("%(snapshots)d snapshots, %(packs)d packs, %(read)d packs read, %(chunks)d chunks checked")
            % {"snapshots": report.snapshots, "packs": report.packs, "read": report.packs_read,
               "chunks": report.chunks_checked},
            "read_data": read_data, "sample": sample, "problems": report.problems,
            "damage": [{"pack": d.pack, "problem": d.problem, "chunks": d.chunks, "affected": d.affected}
                       for d in report.damage],
        }
        if not report.ok:
            run.save()
            raise VerifyFailed(describe_damage(report.damage, report.problems))
    return run


class VerifyFailed(Exception):
    """The repository is damaged; the message names packs, snapshots and files."""


def describe_damage(damage: list[Damage], problems: list[str]) -> str:
    lines = list(problems)
    for item in damage:
        files = sum(len(paths) for paths in item.affected.values())
        lines.append(f"pack {item.pack}: {item.problem}; {len(item.chunks)} chunks, "
                     f"{files} files in {len(item.affected)} snapshots affected")
    return "\n".join(lines)


def restore_files(site: Site, snapshot_id: str, actor: Actor, destination: Path | None = None,
                  paths: list[str] | None = None, dry_run: bool = False, delete: bool = False,
                  progress: Progress | None = None) -> BackupRun:
    """Restore the web root in place (no destination) or any paths of the snapshot into a directory;
    with `delete`, files the snapshot does not have are removed too (the original state)."""
    with recorded_run(site, Operation.RESTORE, actor, snapshot_id=snapshot_id) as run:
        repo = open_repository(site)
        try:
            with repo.locked():
                info, manifest = repo.load_snapshot(snapshot_id)
                if destination is None:
                    if not site.web_root:
                        raise BackupNotConfigured(_("%(site)s has no web root path.") % {"site": site.name})
                    manifest, destination = manifest.subtree(WEBROOT), Path(site.web_root)
                report = Restorer(repo, manifest, progress).restore(destination, paths, dry_run=dry_run)
                extras = extra_paths(manifest, destination, paths) if delete else []
                if extras and not dry_run:
                    remove_extras(destination, extras)
        finally:
            repo.target.close()
        plan = report.plan
        run.snapshot_id, run.files, run.bytes_total = info.id, len(report.restored), report.bytes_written
        run.report = {
            "destination": str(destination), "dry_run": dry_run, "paths": paths or [],
            "create": plan.create, "replace": plan.replace, "unchanged": len(plan.unchanged),
            "restored": len(report.restored), "failed": report.failed, "delete": extras,
            "summary": (_("dry run: %(create)d to create, %(replace)d to replace, %(delete)d to delete, "
                          "%(unchanged)d unchanged") if dry_run else
                        _("%(create)d created, %(replace)d replaced, %(delete)d deleted, %(unchanged)d unchanged"))
            % {"create": len(plan.create), "replace": len(plan.replace), "delete": len(extras),
               "unchanged": len(plan.unchanged)},
        }
        if report.failed:
            run.save()
            raise RestoreIncomplete("; ".join(f"{p}: {e}" for p, e in list(report.failed.items())[:10]))
    return run


class RestoreIncomplete(Exception):
    """Some files could not be restored; the others were."""


def sync_snapshot_records(site: Site) -> int:
    """Bring the Snapshot rows in line with the repository (after a prune elsewhere, a lost database)."""
    plan = plan_of(site)
    repo = open_repository(site)
    try:
        present = {info.id: info for info in repo.snapshots() if info.source == site.slug}
    finally:
        repo.target.close()
    known = Snapshot.objects.filter(site=site, target=plan.target)
    known.exclude(snapshot_id__in=list(present)).delete()
    have = set(known.values_list("snapshot_id", flat=True))
    Snapshot.objects.bulk_create(
        Snapshot(site=site, target=plan.target, snapshot_id=info.id, taken_at=datetime.fromisoformat(info.time),
                 files=int(info.summary.get("files", 0)), size=int(info.summary.get("bytes_read", 0)),
                 new_bytes=int(info.summary.get("new_bytes", 0)), summary=info.summary)
        for snapshot_id, info in present.items() if snapshot_id not in have
    )
    return len(present)


# Re-exported so that callers find every operation in one module.
from jagaweb.backup.operations_admin import (  # noqa: E402
    export_archive,
    prune_backups,
    restore_database,
    save_plan,
    save_target,
    trust_host_key,
)

__all__ = [
    "BackupNotConfigured", "RestoreIncomplete", "VerifyFailed", "export_archive", "open_repository", "plan_of",
    "prune_backups", "restore_database", "restore_files", "run_backup", "save_plan", "save_target",
    "sync_snapshot_records", "trust_host_key", "verify_backups",
]
