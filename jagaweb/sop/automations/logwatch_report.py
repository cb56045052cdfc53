from __future__ import annotations

from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from jagaweb.activity.log import Actor
from jagaweb.inventory.models import Site
from jagaweb.sop.automations.base import Automation, Result
from jagaweb.sop.choices import AutomationKind

SERIOUS = ("high", "critical")


class LogwatchReportAutomation(Automation):
    """The site's latest day of visitor statistics and its open visitor-log incidents; serious open incidents
    leave the step to a person."""

    kind = AutomationKind.LOGWATCH_REPORT

    def run(self, site: Site, actor: Actor) -> list[Result]:
        # The visitor-log app is still growing: read its records defensively, never fail the run over them.
        try:
            from jagaweb.logwatch.models import DailyVisitors, Incident

            with transaction.atomic():  # a savepoint: a missing table must not break the caller's transaction
                day = DailyVisitors.objects.filter(site=site).order_by("-date").first()
                open_incidents = Incident.objects.filter(site=site, state="open")
                serious = open_incidents.filter(severity__in=SERIOUS).count()
                total = open_incidents.count()
        except (ImportError, DatabaseError) as exc:
            return [Result(False, _("Visitor logs are not available: %(error)s") % {"error": exc})]
        if day is None:
            return [Result(False, _("No visitor statistics for the site yet (are its access logs configured?)."))]
        label = _("Visitors on %(date)s: %(visitors)s visitors, %(requests)s requests; %(open)s open incidents, "
                  "%(serious)s serious") % {"date": f"{day.date:%Y-%m-%d}", "visitors": day.visitors,
                                           "requests": day.requests, "open": total, "serious": serious}
        return [Result(serious == 0, label, day, {"open_incidents": total, "serious_incidents": serious})]
