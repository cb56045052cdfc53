"""What every visitor-activity page and the API share: the user's scope over the app's records, the
permissions behind its pages and buttons, and the site-level summaries that the overview, the site panel
and the dashboard column show.

The pages live in views_index (all sites), views_stats (one site's day, CSV), views_findings,
views_incidents (list, detail, close) and views_blocklist (the export).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone

from jagaweb.inventory.models import Site
from jagaweb.logwatch.models import (
    SEVERITY_ORDER,
    DailyVisitors,
    Incident,
    IncidentState,
    LogFinding,
    WatchState,
    severity_rank,
)
from jagaweb.people.scope import sees_everything, visible_sites

PAGE_SIZE = 50
VIEW_STATS = "logwatch.view_dailyvisitors"
VIEW_FINDINGS = "logwatch.view_logfinding"
VIEW_INCIDENTS = "logwatch.view_incident"
CHANGE_INCIDENT = "logwatch.change_incident"
EXPORT_BLOCKLIST = "logwatch.export_blocklist"
INGEST_NOW = "logwatch.ingest_logs"


def visible_days(user: Any) -> QuerySet[DailyVisitors]:
    days = DailyVisitors.objects.select_related("site")
    return days if sees_everything(user) else days.filter(site__in=visible_sites(user))


def visible_findings(user: Any) -> QuerySet[LogFinding]:
    findings = LogFinding.objects.select_related("site")
    return findings if sees_everything(user) else findings.filter(site__in=visible_sites(user))


def visible_incidents(user: Any) -> QuerySet[Incident]:
    incidents = Incident.objects.select_related("site")
    return incidents if sees_everything(user) else incidents.filter(site__in=visible_sites(user))


def site_or_404(request: HttpRequest, slug: str) -> Site:
    return get_object_or_404(visible_sites(request.user).select_related("organisation"), slug=slug)


def local_today() -> date:
    return timezone.localdate()


@dataclass
class OpenIncidents:
    by_severity: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_severity.values())

    @property
    def worst(self) -> str:
        return max(self.by_severity, key=severity_rank) if self.by_severity else ""


@dataclass
class SiteSummary:
    """A site's visitors today and yesterday, its open incidents and its last read."""

    today: DailyVisitors | None = None
    yesterday: DailyVisitors | None = None
    incidents: OpenIncidents = field(default_factory=OpenIncidents)
    state: WatchState | None = None


def open_incidents(site_ids: list[int]) -> dict[int, OpenIncidents]:
    rows = (Incident.objects.filter(site_id__in=site_ids, state=IncidentState.OPEN).order_by()
            .values_list("site_id", "severity").annotate(n=Count("pk")))
    found: dict[int, OpenIncidents] = defaultdict(OpenIncidents)
    for site_id, severity, count in rows:
        found[site_id].by_severity[severity] = count
    return found


def summaries(site_ids: list[int]) -> dict[int, SiteSummary]:
    """One query per kind of record for all the sites at once."""
    today = local_today()
    found: dict[int, SiteSummary] = {site_id: SiteSummary() for site_id in site_ids}
    days = DailyVisitors.objects.filter(site_id__in=site_ids, date__in=[today, today - timedelta(days=1)]).only(
        "site_id", "date", "requests", "visitors", "pages", "bandwidth", "exact")
    for day in days:
        if day.date == today:
            found[day.site_id].today = day
        else:
            found[day.site_id].yesterday = day
    for site_id, incidents in open_incidents(site_ids).items():
        found[site_id].incidents = incidents
    for state in WatchState.objects.filter(site_id__in=site_ids).only("site_id", "last_run_at", "last_lines",
                                                                       "last_error"):
        found[state.site_id].state = state
    return found


def severity_choices_from(minimum: str) -> list[str]:
    return SEVERITY_ORDER[SEVERITY_ORDER.index(minimum):] if minimum in SEVERITY_ORDER else SEVERITY_ORDER
