"""The dashboard column "visitors today": each site's unique visitors today and its open incidents, for a
page of sites in one query."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, IntegerField, OuterRef, Subquery, Value, When
from django.utils.translation import gettext_lazy as _

from jagaweb.dashboard.slots import Slot, register
from jagaweb.inventory.models import Site
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


register(Slot("logwatch", _("Visitors today"), "logwatch/slot.html", visitors_today, order=160))
