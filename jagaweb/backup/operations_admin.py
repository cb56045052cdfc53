"""Saving backup media and plans, and the operations built on the store's prune and export."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.utils import timezone

from jagaweb.activity.log import Actor, record
from jagaweb.backup import verbs
from jagaweb.backup.choices import Operation, TargetKind
from jagaweb.backup.models import BackupPlan, BackupRun, BackupTarget, Snapshot, snapshots_to_forget
from jagaweb.backup.operations import open_repository, plan_of
from jagaweb.backup.runs import human_size, recorded_run
from jagaweb.inventory.models import Site

Progress = Callable[[int, int], None]


def save_target(actor: Actor, *, name: str, credentials: dict[str, str] | None = None, passphrase: str = "",
                **fields: Any) -> BackupTarget:
    target, _created = BackupTarget.objects.update_or_create(name=name, defaults=fields)
    if credentials:
        target.credentials = json.dumps(credentials)
    if passphrase:
        target.passphrase = passphrase
    target.full_clean()
    target.save()
    record(verbs.TARGET_CHANGED, actor=actor, target=target)
    return target


def trust_host_key(target: BackupTarget, actor: Actor) -> str:
    """Connect once to an SFTP medium, accept the host key it shows and keep it; returns its fingerprint.

    Later connections refuse any other key, so a server that was replaced (or impersonated) is noticed."""
    from jagaweb.backup.targets import build_target

    sftp = build_target(TargetKind.SFTP, host=target.host, port=target.port, username=target.username,
                        path=target.path, trust_on_first_use=True, **target.secrets())
    try:
        sftp.exists("config")
        target.host_key = str(sftp.seen_host_key)  # type: ignore[attr-defined]
        fingerprint = str(sftp.seen_fingerprint)  # type: ignore[attr-defined]
    finally:
        sftp.close()
    target.save(update_fields=["host_key"])
    record(verbs.TARGET_CHANGED, actor=actor, target=target)
    return fingerprint


def save_plan(site: Site, actor: Actor, **fields: Any) -> tuple[BackupPlan, bool]:
    from jagaweb.jobs.scheduler import sync_entries

    plan, created = BackupPlan.objects.update_or_create(site=site, defaults=fields)
    record(verbs.PLAN_CHANGED, actor=actor, site=site, target=plan, site_name=site.name)
    sync_entries()  # the site's backup jobs appear (or go) at once, not at the scheduler's next sync
    return plan, created


def restore_database(site: Site, snapshot_id: str, database: str, actor: Actor) -> BackupRun:
    from jagaweb.backup.site_sources import restore_site_database

    with recorded_run(site, Operation.RESTORE_DATABASE, actor, snapshot_id=snapshot_id) as run:
        repo = open_repository(site)
        try:
            info, manifest = repo.load_snapshot(snapshot_id)
            entry = restore_site_database(repo, manifest, site, database)
        finally:
            repo.target.close()
        run.snapshot_id, run.bytes_total = info.id, entry.size
        run.report = {"database": database, "dump": entry.path, "summary": f"{entry.path} -> {database}"}
    return run


def export_archive(site: Site, snapshot_id: str, out: Path, actor: Actor, fmt: str = "tar.zst",
                   volume_size: str | None = None, progress: Progress | None = None) -> BackupRun:
    from jagaweb.backup.store.export import export_snapshot

    with recorded_run(site, Operation.EXPORT, actor, snapshot_id=snapshot_id) as run:
        repo = open_repository(site)
        try:
            result = export_snapshot(repo, snapshot_id, out, fmt=fmt, volume_size=volume_size, progress=progress)
        finally:
            repo.target.close()
        files = [str(p) for p in getattr(result, "files", [out])]
        run.bytes_total = sum(Path(f).stat().st_size for f in files if Path(f).exists())
        run.report = {"files": files, "format": fmt, "summary": f"{len(files)} file(s), {fmt}"}
    return run


def prune_backups(site: Site, actor: Actor, dry_run: bool = False) -> BackupRun:
    from jagaweb.backup.store.prune import prune

    plan = plan_of(site)
    with recorded_run(site, Operation.PRUNE, actor) as run:
        repo = open_repository(site)
        try:
            with repo.locked():
                forget = snapshots_to_forget(plan, repo.snapshots(), timezone.localtime())
                report = prune(repo, [s.id for s in forget], dry_run=dry_run)
        finally:
            repo.target.close()
        if not dry_run:
            Snapshot.objects.filter(site=site, target=plan.target, snapshot_id__in=[s.id for s in forget]).delete()
        run.report = {
            "dry_run": dry_run, "forgotten": [s.id for s in forget], "packs_deleted": len(report.packs_deleted),
            "packs_repacked": len(report.packs_repacked), "bytes_freed": report.bytes_freed,
            "summary": f"{len(forget)} snapshot(s) forgotten, {len(report.packs_deleted)} pack(s) deleted, "
                       f"{len(report.packs_repacked)} repacked, {human_size(report.bytes_freed)} freed"
                       + (" (dry run)" if dry_run else ""),
        }
    return run
