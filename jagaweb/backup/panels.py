"""The "Backups" section of a site's page: the last backup, the plan's medium, a link to the backups."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from jagaweb.backup.choices import Operation, RunState
from jagaweb.backup.models import BackupPlan, BackupRun, Snapshot
from jagaweb.inventory.models import Site
from jagaweb.inventory.panels import Panel, register


def load(site: Site) -> dict[str, Any]:
    runs = BackupRun.objects.filter(site=site, operation=Operation.BACKUP).defer("report")
    return {
        "plan": BackupPlan.objects.select_related("target").filter(site=site).first(),
        "last": runs.first(),
        "last_good": runs.filter(state=RunState.SUCCEEDED).first(),
        "snapshots": Snapshot.objects.filter(site=site).count(),
    }


register(Panel("backup", _("Backups"), "backup/panel.html", load, order=200, permission="backup.view_backuprun"))
