"""The month generator: three sites in two organisations filled for a past month, every kind of record made
and inside the month, the same figures again for the same seed, and history's monthly uptime for every site."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.db.models import F, Max, Min, Q, Sum
from django.utils import timezone

from jagaweb.activity.log import SystemJob, record
from jagaweb.activity.models import Event
from jagaweb.backup.choices import Operation, RunState
from jagaweb.backup.models import BackupRun, Snapshot
from jagaweb.backup.store.repository import SnapshotInfo
from jagaweb.backup.store.retention import select
from jagaweb.demo.month import MonthFill, fill_month
from jagaweb.demo.month.base import Month
from jagaweb.guard.choices import FindingState, RunKind
from jagaweb.guard.models import Finding, GuardRun
from jagaweb.inventory.models import Organisation, Site
from jagaweb.logwatch.models import DailyVisitors, LogFinding
from jagaweb.logwatch.models import Incident as LogIncident
from jagaweb.monitor import history
from jagaweb.monitor.choices import CheckKind, RollupPeriod
from jagaweb.monitor.models import Check, Incident, MaintenanceWindow, Rollup
from jagaweb.renewals.models import Reminder, Renewal, Service
from jagaweb.sop.choices import CaseOrigin
from jagaweb.sop.models import Case, Complaint, Run, RunStep, WebsiteRequest

YEAR, MONTH = 2026, 10


@pytest.fixture
def sites(org_a: Organisation, org_b: Organisation) -> list[Site]:
    return [
        Site.objects.create(slug="kominfo", name="Portal Kominfo", url="https://kominfo.contohkab.go.id/",
                            organisation=org_a),
        Site.objects.create(slug="ppid", name="PPID Kominfo", url="https://ppid.contohkab.go.id/", organisation=org_a),
        Site.objects.create(slug="disdik", name="Portal Disdik", url="https://disdik.contohkab.go.id/",
                            organisation=org_b),
    ]


@pytest.fixture
def filled(sites: list[Site]) -> MonthFill:
    return fill_month([site.pk for site in sites], YEAR, MONTH, seed=7)


def test_fills_every_kind_and_counts_what_it_made(filled: MonthFill, sites: list[Site]) -> None:
    ids = [site.pk for site in sites]
    made = filled.as_dict()
    assert all(count > 0 for count in made.values()), made
    in_db = {
        "checks": Check.objects.filter(site__in=ids).count(),
        "rollups": Rollup.objects.filter(check_ref__site__in=ids).count(),
        "monitor_incidents": Incident.objects.filter(site__in=ids).count(),
        "maintenance_windows": MaintenanceWindow.objects.filter(site__in=ids).count(),
        "backup_runs": BackupRun.objects.filter(site__in=ids).count(),
        "snapshots": Snapshot.objects.filter(site__in=ids).count(),
        "guard_runs": GuardRun.objects.filter(site__in=ids).count(),
        "guard_findings": Finding.objects.filter(site__in=ids).count(),
        "daily_visitors": DailyVisitors.objects.filter(site__in=ids).count(),
        "log_findings": LogFinding.objects.filter(site__in=ids).count(),
        "log_incidents": LogIncident.objects.filter(site__in=ids).count(),
        "services": Service.objects.count(),
        "renewals": Renewal.objects.count(),
        "reminders": Reminder.objects.count(),
        "cases": Case.objects.filter(site__in=ids).count(),
        "complaints": Complaint.objects.filter(site__in=ids).count(),
        "website_requests": WebsiteRequest.objects.count(),
        "sop_runs": Run.objects.count(),
        "sop_steps": RunStep.objects.count(),
        "system_events": Event.objects.filter(actor__isnull=True).count(),
        "people_events": Event.objects.filter(actor__isnull=False).count(),
    }
    assert {name: made[name] for name in in_db} == in_db
    days = len(Month.of(YEAR, MONTH).days)
    assert filled.daily_visitors == 3 * days
    assert Rollup.objects.filter(period=RollupPeriod.DAY, check_ref__kind=CheckKind.HTTP).count() == 3 * days
    assert Rollup.objects.filter(period=RollupPeriod.HOUR).count() == 3 * 24
    assert BackupRun.objects.filter(operation=Operation.BACKUP, actor="sistem:backup.run").count() == 3 * days
    assert BackupRun.objects.filter(operation=Operation.BACKUP, state=RunState.FAILED).exists()
    assert Finding.objects.filter(verdict__in=["judol", "defaced"]).exists()
    assert GuardRun.objects.filter(kind=RunKind.RESTORE).count() == 1
    assert Finding.objects.filter(state=FindingState.REPAIRED).exists()
    assert Finding.objects.filter(state=FindingState.APPROVED).exists()
    assert set(Case.objects.values_list("origin", flat=True)) >= {CaseOrigin.MONITOR, CaseOrigin.COMPLAINT}
    assert RunStep.objects.filter(completed_at__isnull=False).exists()
    # rows written with keys of their own leave the tables' sequences past them (PostgreSQL)
    generated = GuardRun.objects.aggregate(last=Max("pk"))["last"]
    assert GuardRun.objects.create(site=sites[0]).pk > generated
    record("people.logged_in", actor=SystemJob("test"))


def test_events_name_what_they_are_about(filled: MonthFill) -> None:
    incident = Incident.objects.filter(silenced=False).first()
    assert incident is not None
    opened = Event.objects.get(verb="monitor.incident_opened", target_id=str(incident.pk))
    assert opened.at == incident.opened_at and opened.site_id == incident.site_id
    assert opened.data["cause"] == incident.cause
    resolved = Event.objects.get(verb="monitor.incident_resolved", target_id=str(incident.pk))
    assert resolved.at == incident.resolved_at
    backups = Event.objects.filter(verb__in=["backup.succeeded", "backup.failed"], job="backup.run").count()
    assert backups == BackupRun.objects.filter(actor="sistem:backup.run").count()
    checks = GuardRun.objects.filter(kind=RunKind.CHECK).count()
    assert Event.objects.filter(verb__in=["guard.checked", "guard.attack"]).count() == checks
    assert Event.objects.filter(actor__isnull=False, verb="people.logged_in").exists()
    assert all(Event.objects.filter(verb=verb).exists() for verb in
               ["monitor.incident_acknowledged", "guard.approved", "renewals.renewed", "sop.step_completed",
                "sop.case_closed", "logwatch.incident_opened"])


def test_everything_is_inside_the_month(filled: MonthFill) -> None:
    month = Month.of(YEAR, MONTH)
    moments: dict[str, Any] = {
        "events": Event.objects.aggregate(first=Min("at"), last=Max("at")),
        "rollups": Rollup.objects.aggregate(first=Min("start"), last=Max("start")),
        "incidents": Incident.objects.aggregate(first=Min("opened_at"), last=Max("resolved_at")),
        "backups": BackupRun.objects.aggregate(first=Min("started_at"), last=Max("finished_at")),
        "snapshots": Snapshot.objects.aggregate(first=Min("taken_at"), last=Max("taken_at")),
        "guard": GuardRun.objects.aggregate(first=Min("started_at"), last=Max("finished_at")),
        "findings": Finding.objects.aggregate(first=Min("created_at"), last=Max("created_at")),
        "log findings": LogFinding.objects.aggregate(first=Min("time"), last=Max("created_at")),
        "log incidents": LogIncident.objects.aggregate(first=Min("opened_at"), last=Max("closed_at")),
        "cases": Case.objects.aggregate(first=Min("opened_at"), last=Max("closed_at")),
        "runs": Run.objects.aggregate(first=Min("started_at"), last=Max("finished_at")),
        "steps": RunStep.objects.aggregate(first=Min("started_at"), last=Max("completed_at")),
        "renewals": Renewal.objects.aggregate(first=Min("recorded_at"), last=Max("recorded_at")),
        "reminders": Reminder.objects.aggregate(first=Min("sent_at"), last=Max("sent_at")),
        "complaints": Complaint.objects.aggregate(first=Min("received_at"), last=Max("received_at")),
        "requests": WebsiteRequest.objects.aggregate(first=Min("submitted_at"), last=Max("submitted_at")),
    }
    for name, found in moments.items():
        assert month.start <= found["first"] <= found["last"] < month.end, name
    visitor_days = DailyVisitors.objects.aggregate(first=Min("date"), last=Max("date"))
    assert (visitor_days["first"], visitor_days["last"]) == (date(YEAR, MONTH, 1), date(YEAR, MONTH, 31))


def figures(sites: list[Site]) -> dict[str, Any]:
    """What a report would read, by site position rather than key (a second fill makes new rows)."""
    uptime = history.monthly([site.pk for site in sites], YEAR, MONTH)
    downs = Rollup.objects.filter(period=RollupPeriod.DAY).aggregate(down=Sum("down"), ms=Sum("total_ms"))
    return {
        "uptime": [uptime[site.pk].uptime for site in sites],
        "p95": [uptime[site.pk].p95 for site in sites],
        "rollups": downs,
        "verbs": Counter(Event.objects.values_list("verb", flat=True)),
        "visitors": DailyVisitors.objects.aggregate(requests=Sum("requests"))["requests"],
        "log ips": sorted(LogIncident.objects.values_list("ip", "severity", "finding_count")),
        "cases": sorted(Case.objects.values_list("origin", "state", "title")),
        "steps": sorted(RunStep.objects.filter(completed_at__isnull=False).values_list("number", "completed_at")),
    }


def test_the_same_seed_gives_the_same_month(sites: list[Site]) -> None:
    ids = [site.pk for site in sites]

    def rolled_back(seed: int) -> tuple[MonthFill, dict[str, Any]]:
        """A fill and its figures, undone afterwards so that the next fill starts from the same database."""
        with transaction.atomic():
            made = fill_month(ids, YEAR, MONTH, seed=seed)
            seen = figures(sites)
            transaction.set_rollback(True)
        assert not Event.objects.exists()
        return made, seen

    first, seen = rolled_back(3)
    _other, other_seen = rolled_back(4)
    assert fill_month(ids, YEAR, MONTH, seed=3) == first
    assert figures(sites) == seen
    assert other_seen["uptime"] != seen["uptime"] and other_seen["cases"] != seen["cases"]


def test_history_gives_every_site_its_monthly_uptime(filled: MonthFill, sites: list[Site]) -> None:
    found = history.monthly([site.pk for site in sites], YEAR, MONTH)
    for site in sites:
        day_rollups = Rollup.objects.filter(check_ref__site=site, check_ref__kind=CheckKind.HTTP,
                                            period=RollupPeriod.DAY)
        totals = day_rollups.aggregate(up=Sum("up"), degraded=Sum("degraded"), down=Sum("down"))
        judged = totals["up"] + totals["degraded"] + totals["down"]
        uptime = found[site.pk].uptime
        assert uptime is not None and 90.0 < uptime <= 100.0
        assert uptime == pytest.approx(100.0 * (totals["up"] + totals["degraded"]) / judged)
        assert found[site.pk].p95 is not None
    down_minutes = Rollup.objects.filter(period=RollupPeriod.DAY, check_ref__kind=CheckKind.HTTP).aggregate(
        down=Sum("down"))["down"]
    incidents = Incident.objects.count()
    assert down_minutes >= 3 * incidents  # an incident opens after three failed runs, one a minute
    assert Incident.objects.filter(Q(resolved_at__isnull=True) | Q(state="open")).count() == 0


def test_sop_steps_are_due_as_the_engine_counts_them(filled: MonthFill) -> None:
    from jagaweb.sop.runs import due_for

    timed = RunStep.objects.filter(waktu_value__isnull=False).select_related("run__organisation")
    assert timed.exists()
    for step in timed:
        assert step.due_at == due_for(step)
    # `sop.overdue` runs every five minutes: a step done later than that after its due time was reminded first
    late = RunStep.objects.filter(completed_at__gt=F("due_at") + timedelta(minutes=5))
    assert late.exists()
    for step in late:
        assert step.reminded_at is not None and step.due_at is not None and step.completed_at is not None
        assert step.due_at < step.reminded_at <= step.completed_at
    for step in RunStep.objects.filter(reminded_at__isnull=False):
        assert step.due_at is not None and step.reminded_at is not None and step.due_at < step.reminded_at


def test_records_agree_with_each_other(filled: MonthFill, sites: list[Site]) -> None:
    """What one capability keeps matches what another says about it, as the real code would leave it."""
    for incident in LogIncident.objects.all():
        findings = LogFinding.objects.filter(incident=incident)
        assert findings.count() == incident.finding_count == sum(incident.categories.values())
        assert findings.aggregate(first=Min("time"))["first"] == incident.first_seen
    month_end = Month.of(YEAR, MONTH).end
    for site in sites:
        plan = site.backup_plan
        kept = list(Snapshot.objects.filter(site=site))
        infos = [SnapshotInfo(id=s.snapshot_id, time=s.taken_at.isoformat(), source=site.slug, tags=[], summary={})
                 for s in kept]
        _keep, forget = select(infos, plan.policy(), timezone.localtime(month_end))
        assert {info.id for info in forget} <= {s.snapshot_id for s in kept if s.trusted}
        assert site.guard_profile.trusted_snapshot in kept
        last = BackupRun.objects.filter(site=site, operation=Operation.BACKUP, state=RunState.SUCCEEDED).first()
        assert last is not None and Snapshot.objects.filter(snapshot_id=last.snapshot_id).exists()
    repaired = Finding.objects.filter(state=FindingState.REPAIRED).first()
    assert repaired is not None
    restore = GuardRun.objects.get(kind=RunKind.RESTORE)
    assert restore.check_run_id == repaired.run_id


def test_refuses_a_month_that_has_not_ended(sites: list[Site]) -> None:
    today = timezone.localdate()
    with pytest.raises(ValueError, match="has not ended"):
        fill_month([site.pk for site in sites], today.year, today.month)
