"""The availability section of the monthly report: a month of day rollups and incidents for four sites in two
organisations, the section's figures, table, charts and problems cross-checked against the database."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jagaweb.inventory.models import Organisation, Site
from jagaweb.monitor.choices import CheckKind, IncidentState, RollupPeriod, Status
from jagaweb.monitor.history import local_midnight
from jagaweb.monitor.models import Check, Incident, Rollup
from jagaweb.monitor.stats import histogram_of, merged, percentile
from jagaweb.reports.charts import LEVELS
from jagaweb.reports.periods import month_scope
from jagaweb.reports.sections.availability import AvailabilitySection
from jagaweb.reports.sections.base import Part

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"
DAYS = [date(2025, 1, 1) + timedelta(days=n) for n in range(31)]
NOW = timezone.make_aware(datetime(2025, 2, 3, 12, 0))
RUNS_A_DAY = 1440


def at(day: int, hour: int, minute: int = 0, month: int = 1, year: int = 2025) -> datetime:
    return timezone.make_aware(datetime(year, month, day, hour, minute))


def month_of_rollups(check: Check, ms: float = 150.0, slow_ms: float = 0.0, slow_share: float = 0.0,
                     down_on: dict[int, int] | None = None) -> None:
    """One day rollup per day of January; `down_on` maps a day of the month to its failed runs."""
    rollups = []
    for day in DAYS:
        down = (down_on or {}).get(day.day, 0)
        up = RUNS_A_DAY - down
        slow_count = int(up * slow_share)
        answers = [ms] * (up - slow_count) + [slow_ms] * slow_count
        rollups.append(Rollup(check_ref=check, period=RollupPeriod.DAY, start=local_midnight(day), up=up, down=down,
                              total_ms=sum(answers), max_ms=max(answers, default=0.0),
                              histogram=histogram_of(answers)))
    Rollup.objects.bulk_create(rollups)


def incident(check: Check, opened: datetime, resolved: datetime | None, **fields: Any) -> Incident:
    state = IncidentState.OPEN if resolved is None else IncidentState.RESOLVED
    return Incident.objects.create(site=check.site, check_ref=check, opened_at=opened, resolved_at=resolved,
                                   state=state, cause="HTTP 503", **fields)


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    kominfo = Organisation.objects.create(name="Dinas Komunikasi dan Informatika", code="diskominfo")
    disdik = Organisation.objects.create(name="Dinas Pendidikan", code="disdik")
    sites = {
        "good": Site.objects.create(slug="kominfo", name="Portal Kominfo", url="https://kominfo.example.go.id/",
                                    organisation=kominfo),
        "bad": Site.objects.create(slug="bappeda", name="Portal Bappeda", url="https://bappeda.example.go.id/",
                                   organisation=kominfo),
        "slow": Site.objects.create(slug="disdik", name="Portal Disdik", url="https://disdik.example.go.id/",
                                    organisation=disdik),
        "bare": Site.objects.create(slug="dinkes", name="Portal Dinkes", url="https://dinkes.example.go.id/",
                                    organisation=disdik),
    }
    good_http = Check.objects.create(site=sites["good"], kind=CheckKind.HTTP, status=Status.UP)
    good_tls = Check.objects.create(site=sites["good"], kind=CheckKind.TLS, status=Status.UP)
    bad_http = Check.objects.create(site=sites["bad"], kind=CheckKind.HTTP, status=Status.DOWN)
    bad_tcp = Check.objects.create(site=sites["bad"], kind=CheckKind.TCP, status=Status.UP)
    bad_tls = Check.objects.create(site=sites["bad"], kind=CheckKind.TLS, status=Status.UP)
    slow_http = Check.objects.create(site=sites["slow"], kind=CheckKind.HTTP, status=Status.UP)
    month_of_rollups(good_http)
    month_of_rollups(good_tls, down_on={5: 1440})  # a certificate check: not part of uptime
    month_of_rollups(bad_http, ms=400.0, down_on={10: 400, 20: 1200})
    month_of_rollups(bad_tcp, ms=20.0)
    month_of_rollups(slow_http, ms=900.0, slow_ms=4000.0, slow_share=0.2, down_on={3: 50})

    incident(bad_http, at(31, 22, month=12, year=2024), at(1, 2))  # 2 h inside January
    incident(bad_http, at(10, 8), at(10, 9, 40))  # overlaps the next one: together 08:00-10:00
    incident(bad_tcp, at(10, 9), at(10, 10))
    incident(bad_http, at(15, 1), at(15, 3), silenced=True)  # a maintenance window: not counted
    incident(bad_tls, at(20, 0), at(21, 0))  # counted, but a certificate incident is not downtime
    incident(bad_http, at(31, 23), None)  # still open: 1 h inside January
    incident(bad_http, at(2, 8, month=2), at(2, 9, month=2))  # February: not in the report
    incident(good_http, at(20, 8, month=12, year=2024), at(20, 9, month=12, year=2024))  # December only
    return sites


def collect(sites: dict[str, Site]) -> Part:
    return AvailabilitySection().collect(month_scope(2025, 1, [site.pk for site in sites.values()], now=NOW))


def expected(site: Site) -> dict[str, Any]:
    """The site's month straight from the rollups of its availability checks."""
    rollups = Rollup.objects.filter(check_ref__site=site, check_ref__kind__in=(CheckKind.HTTP, CheckKind.TCP),
                                    period=RollupPeriod.DAY, start__gte=local_midnight(DAYS[0]),
                                    start__lt=local_midnight(DAYS[-1] + timedelta(days=1)))
    sums = rollups.aggregate(up=Sum("up"), degraded=Sum("degraded"), down=Sum("down"), unknown=Sum("unknown"),
                             total=Sum("total_ms"))
    histogram = merged(rollups.values_list("histogram", flat=True))
    judged = sums["up"] + sums["degraded"] + sums["down"]
    return {"uptime": 100.0 * (sums["up"] + sums["degraded"]) / judged, "runs": judged + sums["unknown"],
            "p50": percentile(histogram, 0.5), "p95": percentile(histogram, 0.95),
            "average": sums["total"] / sum(histogram)}


def svg_of(part: Part, index: int) -> ET.Element:
    return ET.fromstring(part.charts[index].svg)


def test_table_has_each_site_with_the_databases_figures(world: dict[str, Site]) -> None:
    part = collect(world)
    table = part.tables[0]
    assert [row[:2] for row in table.rows] == [
        ("Dinas Komunikasi dan Informatika", "Portal Bappeda"), ("Dinas Komunikasi dan Informatika", "Portal Kominfo"),
        ("Dinas Pendidikan", "Portal Dinkes"), ("Dinas Pendidikan", "Portal Disdik")]
    rows = {row[1]: row for row in table.rows}
    for key in ("good", "bad", "slow"):
        site, want = world[key], expected(world[key])
        _org, _name, uptime, p50, p95, average, runs, *_rest = rows[site.name]
        assert uptime == pytest.approx(want["uptime"])
        assert (p50, p95, average, runs) == (pytest.approx(want["p50"]), pytest.approx(want["p95"]),
                                             pytest.approx(want["average"]), want["runs"])
    assert rows["Portal Bappeda"][2] == pytest.approx(100 * (2 * 31 * RUNS_A_DAY - 1600) / (2 * 31 * RUNS_A_DAY))
    assert rows["Portal Kominfo"][2] == 100.0  # its failing certificate check does not count
    assert rows["Portal Dinkes"][2:] == (None, None, None, None, 0, 0, timedelta(0))
    # Incidents: Dec 31 - Jan 1, two on Jan 10, the certificate and the open one; downtime 2 h + 2 h + 1 h.
    assert rows["Portal Bappeda"][7:] == (5, timedelta(hours=5))
    assert rows["Portal Kominfo"][7:] == (0, timedelta(0))


def test_figures_sum_up_the_sites(world: dict[str, Site]) -> None:
    figures = collect(world).figures
    uptimes = [expected(world[key])["uptime"] for key in ("good", "bad", "slow")]
    assert figures["site_count"] == 4 and figures["sites_measured"] == 3 and figures["sites_without_data"] == 1
    assert figures["average_uptime"] == pytest.approx(sum(uptimes) / 3, abs=1e-4)
    assert figures["lowest_site"] == "Portal Bappeda"
    assert figures["sites_below_99"] == 1 and figures["sites_below_99_9"] == 2  # Bappeda; and Disdik at 99.89 %
    assert figures["slow_sites"] == 1
    assert figures["median_p95_ms"] == pytest.approx(expected(world["bad"])["p95"], abs=0.1)  # the middle of three
    assert figures["checks_run"] == sum(expected(world[key])["runs"] for key in ("good", "bad", "slow"))
    assert figures["incidents"] == 5 and figures["downtime_seconds"] == 5 * 3600


def test_daily_chart_has_a_bar_per_day_coloured_by_its_uptime(world: dict[str, Site]) -> None:
    part = collect(world)
    assert [chart.title for chart in part.charts] == ["Availability per day, all sites", "Response time per day",
                                                      "The 2 sites with the lowest uptime"]
    bars = svg_of(part, 0).findall(f"{SVG}rect")
    assert len(bars) == len(DAYS)
    # Jan 20: Bappeda at 58.33 %, the others 100 %: a mean of 86.1 %, red; the scale starts at 80 %.
    assert bars[19].get("fill") == LEVELS["bad"] and "86.11%" in (bars[19].findtext(f"{SVG}title") or "")
    assert bars[0].get("fill") == LEVELS["good"]
    assert "starts at 80%" in str(part.charts[0].caption)
    lines = svg_of(part, 1).findall(f"{SVG}polyline")
    assert len(lines) == 2 and all(len((line.get("points") or "").split()) == len(DAYS) for line in lines)
    lowest = svg_of(part, 2)
    assert len(lowest.findall(f"{SVG}rect")) == 2
    labels = [text.text or "" for text in lowest.findall(f"{SVG}text")]
    assert labels[0].startswith("Portal Bappeda (98.2") and labels[2].startswith("Portal Disdik (99.88")


def test_prose_and_problems_name_the_sites(world: dict[str, Site]) -> None:
    part = collect(world)
    assert part.paragraphs[0] == ("Across 3 sites the average availability in January 2025 was 99.36%. "
                                  "1 site fell below the 99% target, and 2 below 99.9%.")
    assert part.summary == part.paragraphs[:1]
    texts = [problem.text for problem in part.problems]
    assert texts[0].startswith("1 site was available less than the 99% target: Portal Bappeda (98.20%)")
    assert texts[1].startswith("1 site answered slowly") and "Portal Disdik" in texts[1]
    assert texts[2] == "1 site has no availability measurements for the period: Portal Dinkes."
    assert all(problem.recommendation for problem in part.problems)


def test_queries_do_not_grow_with_the_sites(world: dict[str, Site]) -> None:
    with CaptureQueriesContext(connection) as few:
        collect(world)
    organisation = Organisation.objects.get(code="disdik")
    for n in range(6):
        site = Site.objects.create(slug=f"sekolah-{n}", name=f"Sekolah {n}", url=f"https://s{n}.example.go.id/",
                                   organisation=organisation)
        check = Check.objects.create(site=site, kind=CheckKind.HTTP, status=Status.UP)
        month_of_rollups(check)
        incident(check, at(5, 8), at(5, 9))
        world[f"school-{n}"] = site
    with CaptureQueriesContext(connection) as many:
        part = collect(world)
    assert len(part.tables[0].rows) == 10
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_site_without_data_only_is_said_plainly(db: Any) -> None:
    organisation = Organisation.objects.create(name="Dinas Kesehatan", code="dinkes")
    site = Site.objects.create(slug="dinkes", name="Portal Dinkes", url="https://dinkes.example.go.id/",
                               organisation=organisation)
    part = AvailabilitySection().collect(month_scope(2025, 1, [site.pk], now=NOW))
    assert part.paragraphs == ["No availability was measured in January 2025: the site has no availability check "
                               "with results for the period."]
    assert len(part.charts) == 2 and part.figures["average_uptime"] is None
    assert len(ET.fromstring(part.charts[0].svg).findall(f"{SVG}rect")) == len(DAYS)  # grey stubs
