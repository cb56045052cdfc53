"""The situation report's current state: each site's status now, since when, uptime over 24 hours and 7 days
(from hourly rollups), content age, certificate and domain days counted to the moment of issue."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jagaweb.inventory.models import Organisation, Site
from jagaweb.monitor.choices import CheckKind, IncidentState, RollupPeriod, Status
from jagaweb.monitor.models import Check, Incident, MonitorProfile, Rollup
from jagaweb.monitor.stats import histogram_of
from jagaweb.reports.charts import LEVELS
from jagaweb.reports.periods import situation_scope
from jagaweb.reports.sections.base import Part
from jagaweb.reports.sections.current_status import CurrentStatusSection

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"
NOW = timezone.make_aware(datetime(2025, 3, 10, 10, 30))
HOUR_ONE = timezone.make_aware(datetime(2025, 3, 2, 0, 0))  # hourly rollups from here up to NOW's hour


def check(site: Site, kind: str, status: str, **fields: Any) -> Check:
    return Check.objects.create(site=site, kind=kind, status=status, **fields)


def hourly(check_: Check, down: frozenset[datetime] | set[datetime] = frozenset(), ms: float = 200.0) -> None:
    rollups, start = [], HOUR_ONE
    while start < NOW.replace(minute=0):
        failed = 60 if start in down else 0
        rollups.append(Rollup(check_ref=check_, period=RollupPeriod.HOUR, start=start, up=60 - failed, down=failed,
                              total_ms=ms * (60 - failed), max_ms=ms, histogram=histogram_of([ms] * (60 - failed))))
        start += timedelta(hours=1)
    Rollup.objects.bulk_create(rollups)


def hours_from(first: datetime, count: int) -> set[datetime]:
    return {first + timedelta(hours=n) for n in range(count)}


@pytest.fixture
def world(db: Any) -> dict[str, Site]:
    kominfo = Organisation.objects.create(name="Dinas Komunikasi dan Informatika", code="diskominfo")
    disdik = Organisation.objects.create(name="Dinas Pendidikan", code="disdik")
    sites = {name: Site.objects.create(slug=name.lower(), name=f"Portal {name}", url=f"https://{name}.example.go.id/",
                                       organisation=kominfo if name in ("Kominfo", "Bappeda") else disdik)
             for name in ("Kominfo", "Bappeda", "Disdik", "Dinkes", "Dishub")}
    # Kominfo: up; 2 hours down yesterday. Its certificate ends in 10 days (the stored 30 is from an old run).
    hourly(check(sites["Kominfo"], CheckKind.HTTP, Status.UP), down=hours_from(NOW.replace(minute=0) - timedelta(
        hours=20), 2))
    check(sites["Kominfo"], CheckKind.HTTP, Status.DOWN, is_active=False, name="old address")
    check(sites["Kominfo"], CheckKind.TLS, Status.UP, facts={"not_after": (NOW + timedelta(days=10)).isoformat(),
                                                             "days_left": 30})
    check(sites["Kominfo"], CheckKind.DOMAIN, Status.UP, facts={"expires_on": "2025-06-01", "days_left": 90})
    check(sites["Kominfo"], CheckKind.FRESHNESS, Status.UP,
          facts={"content_date": (NOW - timedelta(days=3)).isoformat(), "age_days": 3})
    # Bappeda: down since 08:15 (two hours of rollups down), five hours down on March 5; stale after 30 days.
    bappeda_http = check(sites["Bappeda"], CheckKind.HTTP, Status.DOWN, message="HTTP 503")
    hourly(bappeda_http, down=hours_from(NOW.replace(hour=8, minute=0), 2)
           | hours_from(timezone.make_aware(datetime(2025, 3, 5, 1)), 5))
    Incident.objects.create(site=sites["Bappeda"], check_ref=bappeda_http, state=IncidentState.OPEN, cause="HTTP 503",
                            opened_at=NOW.replace(hour=8, minute=15))
    MonitorProfile.objects.create(site=sites["Bappeda"], stale_after_days=30)
    check(sites["Bappeda"], CheckKind.FRESHNESS, Status.DEGRADED,
          facts={"content_date": (NOW - timedelta(days=40)).isoformat(), "age_days": 39})
    check(sites["Bappeda"], CheckKind.DOMAIN, Status.DOWN, facts={"expires_on": "2025-03-05", "days_left": -4})
    # Disdik: answering, but its content is 20 days old (stale after the default 14).
    hourly(check(sites["Disdik"], CheckKind.HTTP, Status.UP))
    check(sites["Disdik"], CheckKind.FRESHNESS, Status.DEGRADED,
          facts={"content_date": (NOW - timedelta(days=20)).isoformat(), "age_days": 20})
    check(sites["Disdik"], CheckKind.TLS, Status.DEGRADED, facts={"days_left": 5})  # no date: the stored days
    # Dinkes has no checks; Dishub's first check has not run yet.
    check(sites["Dishub"], CheckKind.HTTP, Status.PENDING)
    return sites


def collect(sites: dict[str, Site]) -> Part:
    return CurrentStatusSection().collect(situation_scope([site.pk for site in sites.values()], now=NOW))


def test_each_site_now(world: dict[str, Site]) -> None:
    part = collect(world)
    rows = {row[1]: row for row in part.tables[0].rows}
    assert [row[1] for row in part.tables[0].rows] == ["Portal Bappeda", "Portal Kominfo", "Portal Dinkes",
                                                      "Portal Disdik", "Portal Dishub"]
    assert rows["Portal Kominfo"][2:] == ("Up", None, pytest.approx(100 * 22 / 24), pytest.approx(100 * 166 / 168),
                                          3, 10, 83)
    assert rows["Portal Bappeda"][2:] == ("Down", NOW.replace(hour=8, minute=15), pytest.approx(100 * 22 / 24),
                                          pytest.approx(100 * 161 / 168), 40, None, -5)
    assert rows["Portal Disdik"][2:] == ("Degraded", None, 100.0, 100.0, 20, 5, None)
    assert rows["Portal Dinkes"][2:] == ("Not monitored", None, None, None, None, None, None)
    assert rows["Portal Dishub"][2] == "Not checked yet"


def test_uptime_matches_the_rollups(world: dict[str, Site]) -> None:
    """Cross-check: the last 24 complete hours and the week from the rollup rows themselves."""
    part = collect(world)
    rows = {row[1]: row for row in part.tables[0].rows}
    for name in ("Portal Kominfo", "Portal Bappeda", "Portal Disdik"):
        hours = Rollup.objects.filter(check_ref__site__name=name, check_ref__kind=CheckKind.HTTP,
                                      check_ref__is_active=True)
        for column, since in ((4, NOW.replace(minute=0) - timedelta(hours=24)), (5, NOW.replace(minute=0) -
                                                                                timedelta(days=7))):
            chosen = hours.filter(start__gte=since)
            up, down = sum(chosen.values_list("up", flat=True)), sum(chosen.values_list("down", flat=True))
            assert rows[name][column] == pytest.approx(100 * up / (up + down)), (name, column)


def test_figures_chart_and_prose(world: dict[str, Site]) -> None:
    part = collect(world)
    figures = part.figures
    assert (figures["site_count"], figures["up"], figures["degraded"], figures["down"], figures["unknown"]) == (
        5, 1, 1, 1, 2)
    assert figures["stale_sites"] == 2 and figures["certificates_ending"] == 2 and figures["domains_ending"] == 1
    assert figures["average_uptime_24h"] == pytest.approx((100 * 22 / 24 * 2 + 100) / 3, abs=1e-4)
    assert figures["at"] == NOW.isoformat()
    svg = ET.fromstring(part.charts[0].svg)
    assert [rect.get("fill") for rect in svg.findall(f"{SVG}rect")][::2] == [
        LEVELS["good"], LEVELS["fair"], LEVELS["bad"], LEVELS["none"]]
    assert [text.text for text in svg.findall(f"{SVG}text")] == [
        "up: 1 (20.0%)", "degraded: 1 (20.0%)", "down: 1 (20.0%)", "unknown: 2 (40.0%)"]
    assert part.paragraphs[0] == ("At 2025-03-10 10:30 the 5 sites stood as follows: 1 up, 1 degraded, 1 down and "
                                  "2 without a current verdict.")
    assert part.paragraphs[1].startswith("The average availability was 94.44% over the last 24 hours")
    assert part.paragraphs[2] == ("Content is stale on 2 sites. 2 certificates end within 14 days or have ended. "
                                  "1 domain ends within 14 days or has ended.")


def test_problems_say_what_to_do(world: dict[str, Site]) -> None:
    problems = collect(world).problems
    assert [problem.text for problem in problems] == [
        "1 site is down now: Portal Bappeda (since 2025-03-10 08:15).",
        "2 sites have published no new content for longer than allowed: Portal Bappeda (40 days), "
        "Portal Disdik (20 days).",
        "2 sites' certificates end within 14 days or have ended: Portal Disdik (5 days), Portal Kominfo (10 days).",
        "1 site's domain ends within 14 days or has ended: Portal Bappeda (-5 days).",
    ]
    assert [problem.level for problem in problems] == ["critical", "warning", "critical", "critical"]
    assert all(problem.recommendation for problem in problems)


def test_queries_do_not_grow_with_the_sites(world: dict[str, Site]) -> None:
    with CaptureQueriesContext(connection) as few:
        collect(world)
    organisation = Organisation.objects.get(code="disdik")
    for n in range(5):
        site = Site.objects.create(slug=f"sekolah-{n}", name=f"Sekolah {n}", url=f"https://s{n}.example.go.id/",
                                   organisation=organisation)
        hourly(check(site, CheckKind.HTTP, Status.UP))
        check(site, CheckKind.TLS, Status.UP, facts={"days_left": 50})
        world[site.name] = site
    with CaptureQueriesContext(connection) as many:
        part = collect(world)
    assert len(part.tables[0].rows) == 10 and len(many.captured_queries) == len(few.captured_queries)
