"""The dashboard column "backup": when the last backup ran and how it went."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from jagaweb.backup.choices import Operation, RunState
from jagaweb.backup.models import BackupRun
from jagaweb.dashboard.cells import ago, link, muted
from jagaweb.dashboard.slots import Slot, register
from jagaweb.inventory.models import Site

LEVELS: dict[str, str] = {RunState.SUCCEEDED: "ok", RunState.FAILED: "bad"}


def last_backups(site_ids: list[int]) -> dict[int, Any]:
    runs = (BackupRun.objects.filter(site_id__in=site_ids, operation=Operation.BACKUP)
            .order_by("site_id", "-started_at"))
    latest: dict[int, Any] = {}
    for run in runs.only("site_id", "state", "started_at", "finished_at", "bytes_total").iterator():
        latest.setdefault(run.site_id, run)
    return latest


def last_backup_cell(run: BackupRun | None, site: Site) -> SafeString:
    if run is None:
        return muted(_("no backup"))
    return link(reverse("backup:site", args=[site.slug]), ago(run.started_at), title=run.get_state_display(),
                css=f"badge {LEVELS.get(run.state, 'warning')}")


register(Slot("backup", _("Backup"), last_backups, last_backup_cell, order=200,
              permission="backup.view_backuprun"))
