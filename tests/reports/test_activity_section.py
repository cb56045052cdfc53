"""The daily activity log sections: a month of people's and system entries on a few sites of two organisations."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone, translation

from jagaweb.activity.choices import Severity
from jagaweb.activity.models import Event
from jagaweb.inventory.models import Organisation, Site
from jagaweb.reports.charts import LEVELS
from jagaweb.reports.choices import ProblemLevel
from jagaweb.reports.periods import day_scope, month_scope
from jagaweb.reports.sections.activity import DailyActivitySection, MonthlyActivityAppendix
from jagaweb.reports.sections.activity_data import label_for
from jagaweb.reports.sections.base import Part, Table

SVG = "{http://www.w3.org/2000/svg}"
YEAR, MONTH = 2025, 3
DAYS = [date(YEAR, MONTH, day) for day in range(1, 32)]
UNRECORDED = (date(2025, 3, 11), date(2025, 3, 12))  # Tuesday and Wednesday: working days
ATTACK_DAY = date(2025, 3, 20)


@dataclass
class World:
    org_a: Organisation
    org_b: Organisation
    sites: list[Site]  # in scope: two of org A, one of org B
    outside: Site  # of org B, not in scope
    budi: Any
    sari: Any

    @property
    def site_ids(self) -> list[int]:
        return [site.pk for site in self.sites]


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def system(when: datetime, job: str, verb: str, site: Site | None, severity: str = Severity.INFO,
           organisation: Organisation | None = None, **data: Any) -> Event:
    return Event(at=when, job=job, verb=verb, site=site, severity=severity,
                 organisation=organisation or (site.organisation if site else None), data=data)


def by_person(when: datetime, user: Any, verb: str, site: Site | None, label: str = "", **data: Any) -> Event:
    return Event(at=when, actor=user, verb=verb, site=site, organisation=site.organisation if site else None,
                 target_label=label, data=data)


def month_of_events(world: World) -> Iterator[Event]:
    for day in DAYS:
        for index, site in enumerate([*world.sites, world.outside]):
            yield system(at(day, 1, index), "backup.run", "backup.succeeded", site, operation="Backup",
                         site_name=site.name, summary="12 files")
            yield system(at(day, 2, index), "guard.check", "guard.checked", site, site_name=site.name, summary="clean")
        yield system(at(day, 3), "backup.verify", "backup.succeeded", world.sites[0], operation="Verification",
                     site_name=world.sites[0].name, summary="ok")
        if day not in UNRECORDED:
            yield by_person(at(day, 9, 30), world.budi, "inventory.changed", world.sites[0], world.sites[0].name,
                            kind="site", fields="name")
    for day in (date(2025, 3, 5), date(2025, 3, 12)):
        yield system(at(day, 10, 15), "monitor", "monitor.incident_opened", world.sites[1], Severity.WARNING,
                     site_name=world.sites[1].name, check="HTTP", cause="timeout")
        yield system(at(day, 10, 45), "monitor", "monitor.incident_resolved", world.sites[1],
                     site_name=world.sites[1].name, check="HTTP", duration="30 min")
    yield system(at(ATTACK_DAY, 14, 5), "guard.check", "guard.attack", world.sites[2], Severity.CRITICAL,
                 site_name=world.sites[2].name, summary="judol doorway page")
    for operation, minute in (("Backup", 0), ("Verification", 20), ("Backup", 40)):  # one job, two kinds of work
        yield system(at(ATTACK_DAY, 16, minute), "cli", "backup.succeeded", world.sites[0], operation=operation,
                     site_name=world.sites[0].name, summary="by hand")
    for day in (date(2025, 3, 3), date(2025, 3, 17)):
        yield by_person(at(day, 13), world.sari, "backup.requested", world.sites[2], operation="Backup",
                        site_name=world.sites[2].name)
    yield by_person(at(date(2025, 3, 3), 8), world.sari, "people.logged_in", None)
    yield by_person(at(UNRECORDED[0], 11), world.budi, "inventory.changed", world.outside, world.outside.name,
                    kind="site", fields="url")
    ten = date(2025, 3, 10)
    for org in (world.org_a, world.org_b):
        yield system(at(ten, 7), "renewals.remind", "renewals.reminded", None, organisation=org,
                     service=f"Domain {org.code}.go.id", days_left=30, period_end="2025-04-09")
    yield system(at(ten, 23, 59), "auth", "people.login_failed", None, Severity.WARNING, username="admin")


@pytest.fixture
def world(org_a: Organisation, org_b: Organisation) -> World:
    def site(slug: str, name: str, port: int, organisation: Organisation) -> Site:
        return Site.objects.create(slug=slug, name=name, url=f"http://127.0.0.1:{port}/", organisation=organisation)

    sites = [site("kominfo", "Portal Kominfo", 8081, org_a), site("ppid", "PPID Kominfo", 8082, org_a),
             site("disdik", "Portal Disdik", 8083, org_b)]
    outside = site("luar", "Portal Luar", 8084, org_b)
    users = get_user_model().objects
    budi = users.create_user("budi", "budi@example.go.id", "x", first_name="Budi", last_name="Santoso")
    sari = users.create_user("sari", "sari@example.go.id", "x", first_name="Sari", last_name="Wulandari")
    made = World(org_a, org_b, sites, outside, budi, sari)
    Event.objects.bulk_create(list(month_of_events(made)))
    return made


def in_scope(world: World, start: datetime, end: datetime, organisation: Organisation | None = None) -> Any:
    """The scope's events, worked out independently of the section's own query."""
    no_site = Q(site__isnull=True) & (Q(organisation=organisation) if organisation else Q())
    return Event.objects.filter(Q(site__in=world.sites) | no_site, at__gte=start, at__lt=end)


def table(part: Part, key: str) -> Table:
    return next(table for table in part.tables if table.key == key)


def rects(svg: str) -> list[ElementTree.Element]:
    return list(ElementTree.fromstring(svg).iter(f"{SVG}rect"))


def drawn(bars: list[ElementTree.Element]) -> list[int]:
    """The bars above zero (an empty bar is a 0.5 high sliver)."""
    return [index for index, bar in enumerate(bars) if float(bar.get("height", 0)) > 0.5]


def collect_day(world: World, day: date, **scope: Any) -> Part:
    with translation.override("en"):
        return DailyActivitySection().collect(day_scope(day, world.site_ids, **scope))


def test_day_lists_people_in_full_and_counts_system_work(world: World) -> None:
    part = collect_day(world, ATTACK_DAY)
    events = in_scope(world, at(ATTACK_DAY, 0), at(ATTACK_DAY + timedelta(days=1), 0))
    people, machine = events.filter(actor__isnull=False), events.filter(actor__isnull=True)
    assert part.figures["people_entries"] == people.count() == 1
    assert part.figures["system_entries"] == machine.count() == 3 + 3 + 1 + 1 + 3
    assert part.figures["critical_entries"] == events.filter(severity=Severity.CRITICAL).count() == 1
    assert part.figures["entries_by_person"] == {"budi": 1}
    assert part.figures["system_sites"] == 3
    assert table(part, "daily_people").rows == [
        (at(ATTACK_DAY, 9, 30), "Budi Santoso", "Portal Kominfo", "Changed site Portal Kominfo: name")]
    work = {(row[0], row[1]): row[2:] for row in table(part, "daily_system").rows}
    assert work[("backup.run", "Backup of the site finished")] == (3, 3, 0, at(ATTACK_DAY, 1), at(ATTACK_DAY, 1, 2))
    assert work[("backup.verify", "Verification of the site finished")][:2] == (1, 1)
    assert work[("guard.check", "Guard check of the site")][:2] == (3, 3)
    assert work[("guard.check", "Attack found on the site")][:3] == (1, 1, 1)
    assert work[("cli", "… of the site finished")][:2] == (3, 1)  # Backup and Verification: no common word
    assert sum(row[2] for row in table(part, "daily_system").rows) == machine.count()
    assert table(part, "daily_alerts").rows == [
        (at(ATTACK_DAY, 14, 5), "Critical", "guard.check", "Portal Disdik",
         "Attack found on Portal Disdik: judol doorway page")]
    critical = [problem for problem in part.problems if problem.level == ProblemLevel.CRITICAL]
    assert [problem.text for problem in critical] == ["1 critical events were recorded on 1 sites."]
    assert "holds 12 entries: 1 made by 1 officers and 11 made by the system" in part.paragraphs[0]


def test_day_charts_count_each_hour(world: World) -> None:
    part = collect_day(world, ATTACK_DAY)
    people, machine = (rects(chart.svg) for chart in part.charts)
    assert len(people) == len(machine) == 24
    assert drawn(people) == [9]
    assert drawn(machine) == [1, 2, 3, 14, 16]
    assert machine[14].get("fill") == LEVELS["bad"] and machine[1].get("fill") == LEVELS["info"]


def test_events_without_site_follow_the_organisation(world: World) -> None:
    ten = date(2025, 3, 10)
    everything = collect_day(world, ten)
    only_a = collect_day(world, ten, organisation_id=world.org_a.pk)
    work_all = {(row[0], row[1]): row[2] for row in table(everything, "daily_system").rows}
    work_a = {(row[0], row[1]): row[2] for row in table(only_a, "daily_system").rows}
    reminded = ("renewals.remind", "… ends in … days, on …")  # the service is a detail, left out
    assert (work_all[reminded], work_a[reminded]) == (2, 1)
    assert ("auth", "Failed login for …") in work_all and ("auth", "Failed login for …") not in work_a
    start, end = at(ten, 0), at(ten + timedelta(days=1), 0)
    assert only_a.figures["total_entries"] == in_scope(world, start, end, world.org_a).count()
    assert everything.figures["total_entries"] == in_scope(world, start, end).count()


def test_a_working_day_without_entries_is_a_problem_once_it_is_over(world: World) -> None:
    over = collect_day(world, UNRECORDED[0])
    assert over.figures["people_entries"] == 0  # budi's work on the site outside the scope does not count
    assert [problem.text for problem in over.problems] == [
        "No maintenance activity by officers was recorded on 11 March 2025, a working day."]
    with translation.override("en"):
        during = DailyActivitySection().collect(day_scope(UNRECORDED[0], world.site_ids,
                                                          now=at(UNRECORDED[0], 10)))
    assert during.problems == []
    sunday = collect_day(world, date(2025, 3, 2))
    assert sunday.figures["people_entries"] == 1 and sunday.problems == []


@pytest.fixture
def month(world: World) -> Part:
    with translation.override("en"):
        return MonthlyActivityAppendix().collect(month_scope(YEAR, MONTH, world.site_ids))


def test_month_counts_each_day(world: World, month: Part) -> None:
    rows = table(month, "log_days").rows
    assert [row[0] for row in rows] == DAYS
    for day, working, people, machine, warnings, critical in rows:
        events = in_scope(world, at(day, 0), at(day + timedelta(days=1), 0))
        assert people == events.filter(actor__isnull=False).count()
        assert machine == events.filter(actor__isnull=True).count()
        assert (warnings, critical) == (events.filter(severity=Severity.WARNING).count(),
                                        events.filter(severity=Severity.CRITICAL).count())
        if day.weekday() >= 5:
            assert working == "no"
    assert rows[10][:3] == (UNRECORDED[0], "yes", 0) and rows[11][:3] == (UNRECORDED[1], "yes", 0)
    assert month.figures["working_days"] == sum(1 for row in rows if row[1] == "yes")
    all_events = in_scope(world, at(DAYS[0], 0), at(date(2025, 4, 1), 0))
    assert month.figures["total_entries"] == all_events.count()
    assert month.figures["critical_entries"] == 1
    assert month.figures["entries_by_person"] == {"budi": 29, "sari": 3}
    assert month.figures["busiest_day"] == "2025-03-20"  # the attack and the two backups by hand


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZoneInfo("Asia/Jakarta"))


def test_month_lists_people_and_groups_system_work_per_day(world: World, month: Part) -> None:
    people = table(month, "log_people").rows
    assert len(people) == month.figures["people_entries"] == 32
    assert people[0] == (local(2025, 3, 1, 9, 30), "Budi Santoso", "Portal Kominfo",
                         "Changed site Portal Kominfo: name")
    assert (local(2025, 3, 3, 8, 0), "Sari Wulandari", None, "Logged in") in people
    assert all(row[2] != "Portal Luar" for row in people)
    work = table(month, "log_system").rows
    assert sum(row[3] for row in work) == month.figures["system_entries"]
    assert (ATTACK_DAY, "guard.check", "Attack found on the site", 1, 1, 1) in work
    assert (date(2025, 3, 12), "monitor", "The site is down", 1, 1, 1) in work
    per_day_backups = [row for row in work if row[1:3] == ("backup.run", "Backup of the site finished")]
    assert [row[3:5] for row in per_day_backups] == [(3, 3)] * 31


def test_month_problems_and_charts(month: Part) -> None:
    assert month.figures["working_days_without_people_entries"] == 2
    assert month.figures["unrecorded_working_days"] == [day.isoformat() for day in UNRECORDED]
    unrecorded, critical = month.problems
    assert "11 March 2025, 12 March 2025" in unrecorded.text and unrecorded.text.startswith("On 2 working days")
    assert critical.text == "1 critical events were recorded on 1 days of the month."
    people, machine = (rects(chart.svg) for chart in month.charts)
    assert len(people) == len(machine) == 31
    assert [day for day in range(1, 32) if day - 1 not in drawn(people)] == [11, 12]
    assert machine[ATTACK_DAY.day - 1].get("fill") == LEVELS["bad"]
    assert machine[4].get("fill") == LEVELS["fair"]  # the 5th: the site was down
    judged = month.figures["working_days_judged"]
    assert f"Officers recorded activity on {judged - 2} of the {judged} working days" in month.paragraphs[1]


def test_labels_keep_the_kind_of_work_and_leave_out_details() -> None:
    with translation.override("en"):
        assert label_for("backup.succeeded", {"operation": "Backup"}) == "Backup of the site finished"
        assert label_for("monitor.incident_resolved") == "The site is back up after …"
        assert label_for("jobs.run_failed", {"job": "backup.run"}) == "Job backup.run failed"
        assert label_for("monitor.window_created") == "Planned maintenance"
        assert label_for("no.such_verb") == "no.such_verb"


def test_entries_are_worded_in_indonesian(world: World) -> None:
    with translation.override("id"):
        part = MonthlyActivityAppendix().collect(month_scope(YEAR, MONTH, world.site_ids))
    assert "Maret 2025" in part.paragraphs[0]
    assert (local(2025, 3, 1, 9, 30), "Budi Santoso", "Portal Kominfo",
            "Mengubah website Portal Kominfo: name") in table(part, "log_people").rows
