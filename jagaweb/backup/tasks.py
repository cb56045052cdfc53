"""Backup operations asked for on a page or through the API, run by the worker so that a click never
waits for a backup, a verify or a restore. Each task returns the id of the BackupRun it made (also
when the operation failed: the run holds the error), so a page can follow the task to its run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.contrib.auth.base_user import AbstractBaseUser
from django_tasks import task

from jagaweb.backup import operations
from jagaweb.backup.choices import Operation
from jagaweb.backup.models import BackupRun
from jagaweb.inventory.models import Site
from jagaweb.jobs.on_behalf import run_on_behalf


def run_as(site_id: int, user_id: int, operation: Operation, action: Callable[[Site, AbstractBaseUser], BackupRun],
           ) -> int:
    return run_on_behalf(site_id, user_id, action, BackupRun.objects.filter(operation=operation))


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
