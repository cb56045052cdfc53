"""The dashboard's monitoring columns, for one page of sites at a time:

- "Status": up, degraded, down or unknown (from the site's checks) and a link to an open incident;
- "Uptime · response": uptime over 24 hours and 30 days, and the day's response times as a sparkline;
- "Certificate · domain · content": days until the certificate and the domain expire, and when the
  content was last updated.

Status and facts are one query each over the page's checks (the engine keeps each check's state on
its row); uptime and the sparkline come from the rollups through `monitor.history`, read together.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import OuterRef, Subquery
from django.db.models.fields.json import KT
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jagaweb.dashboard.slots import Slot, register
from jagaweb.monitor import history
from jagaweb.monitor.charts import Sparkline, sparkline
from jagaweb.monitor.choices import CheckKind, IncidentState, RollupPeriod, Status
from jagaweb.monitor.models import Check, Incident
from jagaweb.monitor.rollups import floor

# A site's status is its worst check's; pending checks have not spoken yet.
SEVERITY: dict[str, int] = {Status.DOWN: 3, Status.DEGRADED: 2, Status.UP: 1, Status.UNKNOWN: 0}
DAY, MONTH = timedelta(hours=24), timedelta(days=30)
FACT_KINDS = (CheckKind.TLS, CheckKind.DOMAIN, CheckKind.FRESHNESS)


@dataclass
class SiteStatus:
    status: str = Status.PENDING
    problems: list[str] = field(default_factory=list)  # what the failing checks say, for the tooltip
    incident_id: int | None = None
    incident_since: datetime | None = None
    checks: int = 0


def site_statuses(site_ids: list[int], kinds: Sequence[str] | None = None) -> dict[int, SiteStatus]:
    """Each site's overall status, its checks' complaints and its newest open incident: one query.

    `kinds` narrows the checks that count (the public page: only whether the site answers)."""
    open_incidents = Incident.objects.filter(check_ref=OuterRef("pk"), state=IncidentState.OPEN).order_by("-opened_at")
    checks = Check.objects.filter(site_id__in=site_ids, is_active=True).order_by()  # no join to sort by site name
    if kinds is not None:
        checks = checks.filter(kind__in=kinds)
    rows = (checks
            .annotate(incident_id=Subquery(open_incidents.values("pk")[:1]),
                      incident_since=Subquery(open_incidents.values("opened_at")[:1]))
            .values_list("site_id", "status", "message", "incident_id", "incident_since"))
    statuses: dict[int, SiteStatus] = {}
    for site_id, status, message, incident_id, since in rows:
        state = statuses.setdefault(site_id, SiteStatus())
        state.checks += 1
        if status in SEVERITY and (state.status not in SEVERITY or SEVERITY[status] > SEVERITY[state.status]):
            state.status = status
        if status == Status.DOWN and message:
            state.problems.insert(0, message)  # the worst first: it is the one shown under the badge
        elif status == Status.DEGRADED and message:
            state.problems.append(message)
        if incident_id is not None and (state.incident_since is None or since > state.incident_since):
            state.incident_id, state.incident_since = incident_id, since
    return statuses


@dataclass(frozen=True)
class Availability:
    day: float | None
    month: float | None
    spark: Sparkline | None


def availability(site_ids: list[int], now: datetime | None = None) -> dict[int, Availability]:
    """Uptime over 24 hours and 30 days, and hourly response times: one read of the rollups.

    The month's rollups and the day's are fetched together (their spans overlap, so each row is
    counted in whichever of the two spans it belongs to)."""
    now = now or timezone.now()
    ends = history.covered_until()
    spans = {"day": history.cover(now - DAY, now, ends), "month": history.cover(now - MONTH, now, ends)}
    totals = {name: {pk: history.Figures() for pk in site_ids} for name in spans}
    current = floor(now, RollupPeriod.HOUR)
    hours: dict[int, dict[datetime, history.Figures]] = defaultdict(lambda: defaultdict(history.Figures))
    for row in history.rows(site_ids, spans["day"] + spans["month"]):
        for name, segments in spans.items():
            if any(period == row.period and first <= row.start < end for period, first, end in segments):
                totals[name][row.site_id].add(row)
                if name == "day" and row.period != RollupPeriod.DAY:
                    # An hour rollup starts on its hour already; only minutes need flooring (in local time).
                    hour = row.start if row.period == RollupPeriod.HOUR else floor(row.start, RollupPeriod.HOUR)
                    hours[row.site_id][hour].add(row)
    starts = [current - timedelta(hours=n) for n in range(23, -1, -1)]
    return {pk: Availability(
        day=totals["day"][pk].uptime, month=totals["month"][pk].uptime,
        spark=sparkline([hours[pk][start].average_ms if start in hours[pk] else None for start in starts]),
    ) for pk in site_ids}


@dataclass
class SiteFacts:
    certificate_days: int | None = None
    domain_days: int | None = None
    content_date: str | None = None
    content_age: int | None = None
    stale: bool = False


def site_facts(site_ids: list[int]) -> dict[int, SiteFacts]:
    """Certificate and domain days left, newest content: the soonest expiry and the freshest content."""
    rows = (Check.objects.filter(site_id__in=site_ids, is_active=True, kind__in=FACT_KINDS).order_by()
            .annotate(days=KT("facts__days_left"), content=KT("facts__content_date"), age=KT("facts__age_days"))
            .values_list("site_id", "kind", "status", "days", "content", "age"))
    found: dict[int, SiteFacts] = {}
    for site_id, kind, status, days, content, age in rows:
        facts = found.setdefault(site_id, SiteFacts())
        if kind == CheckKind.TLS and days is not None:
            facts.certificate_days = min_or(facts.certificate_days, int(days))
        elif kind == CheckKind.DOMAIN and days is not None:
            facts.domain_days = min_or(facts.domain_days, int(days))
        elif kind == CheckKind.FRESHNESS and content and (facts.content_date is None or content > facts.content_date):
            facts.content_date, facts.content_age = content, int(age) if age is not None else None
            facts.stale = status == Status.DEGRADED
    return found


def min_or(current: int | None, value: int) -> int:
    return value if current is None else min(current, value)


def status_slot(site_ids: list[int]) -> dict[int, Any]:
    return dict(site_statuses(site_ids))


def availability_slot(site_ids: list[int]) -> dict[int, Any]:
    return dict(availability(site_ids))


def facts_slot(site_ids: list[int]) -> dict[int, Any]:
    return dict(site_facts(site_ids))


register(Slot("monitor_status", _("Status"), "monitor/slot_status.html", status_slot, order=10))
register(Slot("monitor_availability", _("Uptime 24 h · 30 d, response time"), "monitor/slot_availability.html",
              availability_slot, order=20))
register(Slot("monitor_facts", _("Certificate · domain · content"), "monitor/slot_facts.html", facts_slot,
              order=30))
