"""The dashboard's monitoring columns, for one page of sites at a time:

- "Status": up, degraded, down or unknown (from the site's checks) and a link to an open incident;
- "Uptime · response": uptime over 24 hours and 30 days, and the day's response times as a sparkline;
- "Certificate · domain · content": days until the certificate and the domain expire, and when the
  content was last updated.

Status and facts are one query each over the page's checks (the engine keeps each check's state on
its row); uptime and the sparkline come from the rollups in two statements (`monitor.glance`). Each
column draws its cells with `monitor.slot_cells`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models.fields.json import KT
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jagaweb.dashboard.slots import Slot, register
from jagaweb.monitor import slot_cells as cells
from jagaweb.monitor.charts import Sparkline, sparkline
from jagaweb.monitor.choices import CheckKind, IncidentState, Status
from jagaweb.monitor.glance import glance
from jagaweb.monitor.models import Check, Incident

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
    """Each site's overall status, its checks' complaints and its newest open incident: two queries.

    `kinds` narrows the checks that count (the public page: only whether the site answers). The open
    incidents are a query of their own: as a subquery per check, PostgreSQL scanned the incidents once
    per check (14 ms for a page of 50 sites)."""
    checks = Check.objects.filter(site_id__in=site_ids, is_active=True).order_by()  # no join to sort by site name
    if kinds is not None:
        checks = checks.filter(kind__in=kinds)
    statuses: dict[int, SiteStatus] = {}
    for site_id, status, message in checks.values_list("site_id", "status", "message"):
        state = statuses.setdefault(site_id, SiteStatus())
        state.checks += 1
        if status in SEVERITY and (state.status not in SEVERITY or SEVERITY[status] > SEVERITY[state.status]):
            state.status = status
        if status == Status.DOWN and message:
            state.problems.insert(0, message)  # the worst first: it is the one shown under the badge
        elif status == Status.DEGRADED and message:
            state.problems.append(message)
    incidents = Incident.objects.filter(site_id__in=list(statuses), state=IncidentState.OPEN, check_ref__is_active=True)
    if kinds is not None:
        incidents = incidents.filter(check_ref__kind__in=kinds)
    for site_id, incident_id, since in incidents.order_by("opened_at").values_list("check_ref__site_id", "pk",
                                                                                   "opened_at"):
        if site_id in statuses:  # oldest first: the newest open incident is the one kept
            statuses[site_id].incident_id, statuses[site_id].incident_since = incident_id, since
    return statuses


@dataclass(frozen=True)
class Availability:
    day: float | None
    month: float | None
    spark: Sparkline | None


def availability(site_ids: list[int], now: datetime | None = None) -> dict[int, Availability]:
    """Uptime over 24 hours and 30 days and the day's hourly response times (`monitor.glance`)."""
    found = glance(site_ids, DAY, MONTH, now or timezone.now())
    return {pk: Availability(day=seen.day, month=seen.month, spark=sparkline(seen.hourly_ms))
            for pk, seen in found.items()}


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


register(Slot("monitor_status", _("Status"), status_slot, cells.status_cell, order=10,
              permission="monitor.view_check"))
register(Slot("monitor_availability", _("Uptime 24 h · 30 d, response time"), availability_slot,
              cells.availability_cell, order=20, permission="monitor.view_check"))
register(Slot("monitor_facts", _("Certificate · domain · content"), facts_slot, cells.facts_cell, order=30,
              permission="monitor.view_check"))
