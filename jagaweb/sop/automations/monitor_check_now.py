from __future__ import annotations

from django.utils.translation import gettext as _

from jagaweb.activity.log import Actor
from jagaweb.inventory.models import Site
from jagaweb.monitor.choices import CheckKind, Status
from jagaweb.monitor.models import Check
from jagaweb.monitor.operations import run_now
from jagaweb.sop.automations.base import Automation, Result
from jagaweb.sop.choices import AutomationKind

AVAILABLE = (Status.UP, Status.DEGRADED)  # degraded still answers: the site is available


class MonitorCheckNowAutomation(Automation):
    """Each active availability (HTTP) check of the site, run now; each stored result is evidence."""

    kind = AutomationKind.MONITOR_CHECK_NOW

    def run(self, site: Site, actor: Actor) -> list[Result]:
        checks = list(Check.objects.filter(site=site, is_active=True, kind=CheckKind.HTTP).order_by("pk"))
        if not checks:
            return [Result(False, _("The site has no active availability check."))]
        results = []
        for check in checks:
            outcome = run_now(check, actor)
            stored = check.results.order_by("-at", "-pk").first()
            label = _("%(check)s: %(status)s %(message)s") % {
                "check": check, "status": Status(outcome.status).label, "message": outcome.message[:200]}
            results.append(Result(outcome.status in AVAILABLE, label.strip(), stored or check,
                                  {"status": outcome.status, "check": check.pk}))
        return results
