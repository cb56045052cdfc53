"""The dashboard column "backup": when the last backup ran and how it went."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from jagaweb.backup.choices import Operation
from jagaweb.backup.models import BackupRun
from jagaweb.dashboard.slots import Slot, register


def last_backups(site_ids: list[int]) -> dict[int, Any]:
    runs = (BackupRun.objects.filter(site_id__in=site_ids, operation=Operation.BACKUP)
            .order_by("site_id", "-started_at"))
    latest: dict[int, Any] = {}
    for run in runs.only("site_id", "state", "started_at", "finished_at", "bytes_total").iterator():
        latest.setdefault(run.site_id, run)
    return latest


register(Slot("backup", _("Backup"), "backup/slot.html", last_backups, order=200))
