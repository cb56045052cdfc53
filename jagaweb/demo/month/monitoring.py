"""A month of monitoring: each site's checks (HTTP, TLS, domain, content freshness) with the state the engine
keeps, a day rollup of every check for every day (and hours of the last day), outages that open and resolve
incidents the way `monitor.transitions` does (three failed runs open one, two good runs resolve it), a few
planned maintenance windows whose outages are silenced, and the activity the engine and people record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from jagaweb.activity.choices import Severity
from jagaweb.demo.month.base import Fill
from jagaweb.demo.month.monitor_rollups import ROLLUP_COLUMNS, Span, http_rollups, other_rollups
from jagaweb.demo.month.monitor_state import (
    STALE_AFTER_DAYS,
    STATE_FIELDS,
    common,
    end_states,
    expiry_notices,
    stale_notices,
)
from jagaweb.demo.month.renewals import DomainPlan
from jagaweb.demo.month.rows import Table
from jagaweb.monitor import verbs
from jagaweb.monitor.checks import kind_of
from jagaweb.monitor.checks.conditions import DEFAULT_STATUS_CONDITION, Observed
from jagaweb.monitor.checks.domain import WARN_DAYS as DOMAIN_WARN_DAYS
from jagaweb.monitor.choices import CheckKind, IncidentState
from jagaweb.monitor.models import Check, Incident, MaintenanceWindow, MonitorProfile, Rollup
from jagaweb.people.choices import RoleKind

FAILURES_TO_OPEN, SUCCESSES_TO_RESOLVE = 3, 2  # the profile's defaults, which the generated profiles keep
JOB = "monitor"
CHECKS: dict[str, tuple[str, int]] = {  # kind -> (name, interval in seconds)
    CheckKind.HTTP: ("Beranda", 60), CheckKind.TLS: ("Sertifikat TLS", 43200),
    CheckKind.DOMAIN: ("Domain", 86400), CheckKind.FRESHNESS: ("Pembaruan konten", 21600),
}
REFUSED = "[Errno 111] Connection refused"
ACKNOWLEDGED = 0.25  # the share of the longer incidents someone acknowledges while they last


@dataclass
class Outage:
    span: Span
    cause: str
    window: MaintenanceWindow | None = None

    @property
    def opened_at(self) -> datetime:  # the third failed run
        return self.span.start + timedelta(minutes=FAILURES_TO_OPEN - 1)

    @property
    def resolved_at(self) -> datetime:  # the second good run
        return self.span.end + timedelta(minutes=SUCCESSES_TO_RESOLVE - 1)


@dataclass
class SitePlan:
    typical_ms: float
    outages: list[Outage] = field(default_factory=list)
    blips: list[Span] = field(default_factory=list)  # too short to open an incident
    updates: list[date] = field(default_factory=list)  # days new content appeared, oldest first

    def spans(self) -> list[Span]:
        return sorted([outage.span for outage in self.outages] + self.blips, key=lambda span: span.start)


@dataclass
class MonitorResult:
    checks: dict[tuple[int, str], Check]  # (site id, kind) -> check
    incidents: list[Incident]
    windows: list[MaintenanceWindow]


def cause_of(fill: Fill, host: str) -> str:
    roll = fill.rng.random()
    if roll < 0.45:
        status = fill.rng.choice([500, 502, 503, 503, 504])
        ms = fill.rng.uniform(20, 3000)
        observed = Observed(status=status, response_ms=ms, size=0, redirects=0, final_url="", text=lambda: "")
        summary = _("HTTP %(status)s in %(ms)s ms") % {"status": status, "ms": f"{ms:.0f}"}
        return f"{summary}: {DEFAULT_STATUS_CONDITION.failure(observed)}"
    if roll < 0.8:
        return _("%(host)s did not answer within %(timeout)s s.") % {"host": host, "timeout": "10"}
    if roll < 0.93:
        return _("Could not connect to %(host)s: %(reason)s") % {"host": host, "reason": REFUSED}
    return _("%(host)s closed the connection without answering.") % {"host": host}


def outage_minutes(fill: Fill, flaky: bool) -> int:
    roll = fill.rng.random()
    if roll < (0.45 if flaky else 0.7):
        return fill.rng.randint(FAILURES_TO_OPEN, 15)
    if roll < (0.8 if flaky else 0.96):
        return fill.rng.randint(16, 90)
    return fill.rng.randint(120, 360 if flaky else 240)


def free(taken: list[Span], candidate: Span) -> bool:
    margin = timedelta(minutes=30)
    return all(candidate.end + margin <= span.start or span.end + margin <= candidate.start for span in taken)


def plan_site(fill: Fill, site_index: int, flaky: bool, windows: list[MaintenanceWindow]) -> SitePlan:
    rng, month = fill.rng, fill.month
    site = fill.sites[site_index]
    plan = SitePlan(typical_ms=rng.lognormvariate(5.4, 0.55))  # a median near 220 ms, a few sites much slower
    taken: list[Span] = []
    for window in windows:
        span = Span(window.starts_at + timedelta(minutes=rng.randint(10, 40)), rng.randint(15, 80))
        plan.outages.append(Outage(span, cause_of(fill, site.hostname or site.slug), window))
        taken.append(Span(window.starts_at, int((window.ends_at - window.starts_at).total_seconds() // 60)))
    latest = int((month.end - month.start).total_seconds() // 60) - 8 * 60  # resolved well before the month ends
    count = rng.randint(4, 9) if flaky else rng.choices([0, 1, 2, 3], weights=[30, 35, 22, 13])[0]
    for _attempt in range(count * 3):
        if len(plan.outages) - len(windows) >= count:
            break
        span = Span(month.start + timedelta(minutes=rng.randint(60, latest)), outage_minutes(fill, flaky))
        if free(taken, span):
            taken.append(span)
            plan.outages.append(Outage(span, cause_of(fill, site.hostname or site.slug)))
    for _blip in range(rng.randint(0, 8)):
        span = Span(month.start + timedelta(minutes=rng.randint(0, latest)), rng.randint(1, FAILURES_TO_OPEN - 1))
        if free(taken, span):
            taken.append(span)
            plan.blips.append(span)
    plan.outages.sort(key=lambda outage: outage.span.start)
    plan.updates = content_updates(fill, stale=rng.random() < 0.12)
    return plan


def content_updates(fill: Fill, stale: bool) -> list[date]:
    """Days new content appeared, from three weeks before the month on; a stale site goes quiet for weeks."""
    rng, first = fill.rng, fill.month.days[0] - timedelta(days=21)
    gap_low, gap_high = (12, 30) if stale else (1, 5)
    days, day = [], first + timedelta(days=rng.randint(0, 3))
    while day <= fill.month.last_day:
        days.append(day)
        day += timedelta(days=rng.randint(gap_low, gap_high))
    return days


def stale_days(fill: Fill, updates: list[date]) -> set[date]:
    stale = set()
    for day in fill.month.days:
        newest = max((update for update in updates if update <= day), default=updates[0])
        if (day - newest).days > STALE_AFTER_DAYS:
            stale.add(day)
    return stale


def plan_windows(fill: Fill) -> dict[int, list[MaintenanceWindow]]:
    """A few evening maintenance windows on sites, planned by a person a day or two ahead."""
    rng, month = fill.rng, fill.month
    chosen = rng.sample(range(len(fill.sites)), max(1, len(fill.sites) // 40))
    windows: dict[int, list[MaintenanceWindow]] = {}
    for index in sorted(chosen):
        day = rng.choice(month.days[3:-3])
        starts = month.at(day, rng.choice([21, 21.5, 22, 22.5]))
        window = MaintenanceWindow(site=fill.sites[index], starts_at=starts,
                                   ends_at=starts + timedelta(hours=rng.randint(2, 4)),
                                   reason=rng.choice(["Pembaruan CMS dan plugin", "Migrasi server",
                                                      "Pemeliharaan basis data", "Pembaruan sistem operasi"]),
                                   created_by=fill.people.pick(rng, RoleKind.SUPERVISOR))
        windows[index] = [window]
    return windows


def make_checks(fill: Fill) -> tuple[dict[tuple[int, str], Check], list[Check]]:
    """The sites' checks, keyed (site id, kind): the ones a site already has, and the new ones (to be saved once
    their state is set); and the monitoring profiles."""
    sites = {site.pk: site for site in fill.sites}
    checks = {(check.site_id, check.kind): check for check in
              Check.objects.filter(site__in=fill.sites, kind__in=list(CHECKS)).order_by("pk")}
    for check in checks.values():
        check.site = sites[check.site_id]
    MonitorProfile.objects.bulk_create([MonitorProfile(site=site) for site in fill.sites], ignore_conflicts=True)
    new = [Check(site=site, kind=kind, name=name, interval=interval, config=kind_of(kind).clean_config({}),
                 created_at=fill.month.start) for site in fill.sites for kind, (name, interval) in CHECKS.items()
           if (site.pk, kind) not in checks]
    for check in new:
        fill.keys.key(check)
        checks[(check.site.pk, check.kind)] = check
    return checks, new


def record_incident(fill: Fill, incident: Incident, check: Check, window: MaintenanceWindow | None) -> None:
    events, site = fill.events, check.site
    opened = {**common(check, window), "cause": incident.cause, "opened_at": incident.opened_at.isoformat()}
    events.system(verbs.INCIDENT_OPENED, incident.opened_at, JOB, site=site, target=incident,
                  severity=Severity.CRITICAL, **opened)
    assert incident.resolved_at is not None
    seconds = round((incident.resolved_at - incident.opened_at).total_seconds())
    events.system(verbs.INCIDENT_RESOLVED, incident.resolved_at, JOB, site=site, target=incident,
                  **common(check, window), cause=incident.cause, duration=duration_text(seconds), seconds=seconds)
    if incident.acknowledged_at is not None and incident.acknowledged_by is not None:
        events.person(verbs.INCIDENT_ACKNOWLEDGED, incident.acknowledged_at, incident.acknowledged_by, site=site,
                      target=incident, site_name=site.name, check=str(check))


def duration_text(seconds: int) -> str:
    """How long an incident lasted, worded as `monitor.alerts.incident_resolved` words it."""
    start = datetime(2000, 1, 1)
    return timesince(start, start + timedelta(seconds=seconds))


def make_incidents(fill: Fill, checks: dict[tuple[int, str], Check], plans: dict[int, SitePlan]) -> list[Incident]:
    rng = fill.rng
    made: list[tuple[Incident, MaintenanceWindow | None]] = []
    for index, site in enumerate(fill.sites):
        check = checks[(site.pk, CheckKind.HTTP)]
        for outage in plans[index].outages:
            incident = Incident(site=site, check_ref=check, state=IncidentState.RESOLVED, opened_at=outage.opened_at,
                                resolved_at=outage.resolved_at, cause=outage.cause[:500],
                                last_message=_("HTTP %(status)s in %(ms)s ms") % {
                                    "status": 200, "ms": f"{plans[index].typical_ms:.0f}"},
                                silenced=outage.window is not None)
            minutes = outage.span.minutes
            if outage.window is None and minutes >= 8 and rng.random() < ACKNOWLEDGED:
                incident.acknowledged_by = fill.people.pick(rng)
                incident.acknowledged_at = outage.opened_at + timedelta(minutes=rng.uniform(2, min(minutes - 3, 45)))
            made.append((incident, outage.window))
    fill.save(Incident, [incident for incident, _window in made])
    fill.counts.monitor_incidents += len(made)
    for incident, window in made:
        record_incident(fill, incident, incident.check_ref, window)
    return [incident for incident, _window in made]


def save_windows(fill: Fill, windows: dict[int, list[MaintenanceWindow]]) -> None:
    every = [window for planned in windows.values() for window in planned]
    fill.save(MaintenanceWindow, every)
    fill.counts.maintenance_windows += len(every)
    for window in every:
        assert window.site is not None and window.created_by is not None
        planned_on = fill.month.day_of(window.starts_at) - timedelta(days=fill.rng.randint(1, 2))
        fill.events.person(verbs.WINDOW_CREATED, fill.month.at(planned_on, fill.rng.uniform(9, 15)), window.created_by,
                           site=window.site, target=window, object=str(window))


def fill_monitoring(fill: Fill, domains: dict[int, DomainPlan]) -> MonitorResult:
    rng = fill.rng
    checks, new = make_checks(fill)
    windows = plan_windows(fill)
    flaky = set(rng.sample(range(len(fill.sites)), max(1, len(fill.sites) // 12)))
    plans = {index: plan_site(fill, index, index in flaky, windows.get(index, [])) for index in range(len(fill.sites))}
    end_states(fill, checks, {site.pk: plans[index] for index, site in enumerate(fill.sites)}, domains)
    fill.save(Check, new)
    fill.counts.checks += len(new)
    fresh = {id(check) for check in new}
    Check.objects.bulk_update([check for check in checks.values() if id(check) not in fresh], STATE_FIELDS,
                              batch_size=500)
    save_windows(fill, windows)
    incidents = make_incidents(fill, checks, plans)
    rollups = Table(Rollup, ROLLUP_COLUMNS)
    for index, site in enumerate(fill.sites):
        plan = plans[index]
        stale = stale_days(fill, plan.updates)
        rows = http_rollups(fill, checks[(site.pk, CheckKind.HTTP)], plan.spans(), plan.typical_ms)
        rows += other_rollups(fill, checks[(site.pk, CheckKind.TLS)], set())
        domain = domains[site.pk]
        rows += other_rollups(fill, checks[(site.pk, CheckKind.DOMAIN)],
                              {day for day in fill.month.days
                               if (domain.expires_on(fill.month.at(day, 12)) - day).days < DOMAIN_WARN_DAYS})
        rows += other_rollups(fill, checks[(site.pk, CheckKind.FRESHNESS)], stale)
        for row in rows:
            rollups.add(*row)
        stale_notices(fill, checks[(site.pk, CheckKind.FRESHNESS)], plan.updates, stale)
        expiry_notices(fill, checks[(site.pk, CheckKind.DOMAIN)], domains[site.pk])
    rollups.flush()
    fill.counts.rollups += rollups.written
    return MonitorResult(checks=checks, incidents=incidents,
                         windows=[window for planned in windows.values() for window in planned])
