"""The dashboard column "visitors today": each site's unique visitors today and its open incidents, for a
page of sites in one query."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.db.models import Case, Count, IntegerField, OuterRef, Subquery, Value, When
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from jagaweb.dashboard.cells import badge, lines, link, muted
from jagaweb.dashboard.slots import Slot, register
from jagaweb.inventory.models import Site
from jagaweb.logwatch.choices import Severity
from jagaweb.logwatch.models import SEVERITY_ORDER, DailyVisitors, Incident, IncidentState
from jagaweb.logwatch.views import local_today


@dataclass(frozen=True)
class VisitorsCell:
    visitors: int | None
    incidents: int
    worst: str


def visitors_today(site_ids: list[int]) -> dict[int, Any]:
    open_ones = Incident.objects.filter(site=OuterRef("pk"), state=IncidentState.OPEN).order_by()
    rank = Case(*(When(severity=name, then=Value(index)) for index, name in enumerate(SEVERITY_ORDER)),
                default=Value(-1), output_field=IntegerField())
    rows = Site.objects.filter(pk__in=site_ids).annotate(
        logwatch_visitors=Subquery(
            DailyVisitors.objects.filter(site=OuterRef("pk"), date=local_today()).values("visitors")[:1]),
        logwatch_incidents=Subquery(open_ones.values("site").annotate(n=Count("pk")).values("n")[:1]),
        logwatch_worst=Subquery(open_ones.annotate(rank=rank).order_by("-rank").values("severity")[:1]),
    ).values_list("pk", "logwatch_visitors", "logwatch_incidents", "logwatch_worst")
    return {pk: VisitorsCell(visitors, incidents or 0, worst or "") for pk, visitors, incidents, worst in rows}


# As `logwatch/_severity.html`: the two most urgent levels red, medium amber.
SEVERITY_LEVELS: dict[str, str] = {Severity.CRITICAL: "bad", Severity.HIGH: "bad", Severity.MEDIUM: "warning"}


def severity_label(severity: str) -> str:
    return str(Severity(severity).label) if severity in Severity.values else severity


def visitors_cell(cell: VisitorsCell | None, site: Site) -> SafeString:
    if cell is None or cell.visitors is None:
        visitors = muted(0)
    else:
        visitors = link(reverse("logwatch:site", args=[site.slug]), intcomma(cell.visitors))
    if not cell or not cell.incidents:
        return visitors
    worst = badge(SEVERITY_LEVELS.get(cell.worst, ""), severity_label(cell.worst))
    incidents = link(f"{reverse('logwatch:incident_list')}?site={site.slug}&state=open",
                     format_html("{} {}", worst, cell.incidents))
    return lines(visitors, incidents)


register(Slot("logwatch", _("Visitors today"), visitors_today, visitors_cell, order=160,
              permission="logwatch.view_dailyvisitors"))
