from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from jagaweb.activity.log import Actor, actor_label
from jagaweb.backup.choices import RunState
from jagaweb.backup.models import BackupRun
from jagaweb.backup.operations import BackupNotConfigured, run_backup
from jagaweb.backup.runs import summary_of
from jagaweb.inventory.models import Site
from jagaweb.sop.automations.base import Automation, Result
from jagaweb.sop.choices import AutomationKind


class BackupRunAutomation(Automation):
    """A backup of the site by its backup plan; the BackupRun (with its snapshot) is the evidence."""

    kind = AutomationKind.BACKUP_RUN

    def run(self, site: Site, actor: Actor) -> list[Result]:
        started = timezone.now()
        try:
            run = run_backup(site, actor)
        except BackupNotConfigured as exc:
            return [Result(False, str(exc))]
        except Exception as exc:
            # The backup recorded its failed run (error, step, alert) before raising: that run is the evidence.
            failed = (BackupRun.objects.filter(site=site, actor=actor_label(actor), started_at__gte=started)
                      .order_by("-pk").first())
            return [Result(False, _("Backup failed: %(error)s") % {"error": exc}, failed)]
        ok = run.state == RunState.SUCCEEDED
        return [Result(ok, _("Backup: %(summary)s") % {"summary": summary_of(run)}, run,
                       {"snapshot": run.snapshot_id, "files": run.files})]
