"""Backup operations asked for on a page or through the API, run by the worker so that a click never
waits for a backup, a verify or a restore. Each task returns the id of the BackupRun it made (also
when the operation failed: the run holds the error), so a page can follow the task to its run."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone
from django_tasks import task

from jagaweb.backup import operations
from jagaweb.backup.choices import Operation
from jagaweb.backup.models import BackupRun
from jagaweb.backup.runs import actor_label
from jagaweb.inventory.models import Site

Action = Callable[[Site, AbstractBaseUser], BackupRun]


def run_as(site_id: int, user_id: int, operation: Operation, action: Action) -> int:
    site = Site.objects.get(pk=site_id)
    user = get_user_model().objects.get(pk=user_id)
    started = timezone.now()
    try:
        return action(site, user).pk
    except Exception:
        # The operation recorded its failed run (error, step, alert); hand that run to whoever waits.
        failed = latest_run(site, operation, actor_label(user), started)
        if failed is None:
            raise
        return failed


def latest_run(site: Site, operation: Operation, actor: str, since: datetime) -> int | None:
    run = (BackupRun.objects.filter(site=site, operation=operation, actor=actor, started_at__gte=since)
           .order_by("-started_at", "-pk").only("pk").first())
    return run.pk if run is not None else None


@task()
def backup_now(site_id: int, user_id: int) -> int:
    """Back up the site now, in the user's name."""
    return run_as(site_id, user_id, Operation.BACKUP,
                  lambda site, user: operations.run_backup(site, user))


@task()
def verify_now(site_id: int, user_id: int, read_data: bool = True, sample: float = 1.0) -> int:
    """Check the site's backups now; with read_data, re-read `sample` of the packs."""
    return run_as(site_id, user_id, Operation.VERIFY, lambda site, user: operations.verify_backups(
        site, user, read_data=read_data, sample=sample))


@task()
def restore_now(site_id: int, user_id: int, snapshot_id: str, destination: str | None = None,
                paths: list[str] | None = None, delete: bool = False) -> int:
    """Restore files of a snapshot: the web root in place, or into `destination`."""
    target = Path(destination) if destination else None
    return run_as(site_id, user_id, Operation.RESTORE, lambda site, user: operations.restore_files(
        site, snapshot_id, user, destination=target, paths=paths or None, delete=delete))


@task()
def restore_database_now(site_id: int, user_id: int, snapshot_id: str, database: str) -> int:
    """Load the snapshot's database dump into `database` on the site's database server."""
    return run_as(site_id, user_id, Operation.RESTORE_DATABASE, lambda site, user: operations.restore_database(
        site, snapshot_id, database, user))
