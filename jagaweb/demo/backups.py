"""The demo's backups: one medium in the demo's data directory and a plan for every sample site, on a
short schedule so that backups appear within a minute of the start and every ten minutes after."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from jagaweb.activity.log import SystemJob
from jagaweb.backup import operations
from jagaweb.backup.choices import TargetKind
from jagaweb.backup.models import BackupPlan, BackupTarget
from jagaweb.inventory.models import Site
from jagaweb.jobs.models import ScheduleEntry

MEDIUM = "Cakram demo"
# A demo needs no secret, but its backups show encryption at work; fixed, so a kept data directory
# can still read the backups of an earlier run.
PASSPHRASE = "jagaweb-demo-backup"  # noqa: S105
BACKUP_EVERY = timedelta(minutes=10)
VERIFY_EVERY = timedelta(hours=1)
FIRST_VERIFY_AFTER = timedelta(minutes=5)  # once the first backups exist


def backup_folder(data_dir: Path) -> Path:
    return data_dir / "demo" / "backups"


def set_up_backups(data_dir: Path, sites: Sequence[Site], actor: SystemJob) -> BackupTarget:
    medium = operations.save_target(
        actor, name=MEDIUM, kind=TargetKind.LOCAL, path=str(backup_folder(data_dir)), passphrase=PASSPHRASE,
        notes="Folder di direktori data demo; di server sungguhan: cakram eksternal, USB atau NAS.",
    )
    for site in sites:
        if not BackupPlan.objects.filter(site=site).exists():  # a plan changed in an earlier run stays
            operations.save_plan(site, actor, target=medium, include_database=False, excludes=["*.tmp"])
    site_ids = [site.pk for site in sites]
    # save_plan made the entries, due now; the demo wants them more often than a real server.
    ScheduleEntry.objects.filter(job="backup.run", site_id__in=site_ids).update(
        interval=BACKUP_EVERY, interval_is_custom=True)
    verifies = ScheduleEntry.objects.filter(job="backup.verify", site_id__in=site_ids)
    verifies.filter(interval_is_custom=False).update(next_due_at=timezone.now() + FIRST_VERIFY_AFTER)
    verifies.update(interval=VERIFY_EVERY, interval_is_custom=True)
    return medium
