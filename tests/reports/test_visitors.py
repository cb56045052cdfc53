"""The visitor statistics section: sums per day and per site, merged top pages and referrers, the problems,
cross-checked with the database."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from jagaweb.inventory.models import Organisation, Site
from jagaweb.logwatch.models import DailyVisitors
from jagaweb.reports.periods import month_scope
from jagaweb.reports.sections import visitors as section
from jagaweb.reports.sections.visitors import VisitorsSection

SVG = "{http://www.w3.org/2000/svg}"
MARCH = [date(2025, 3, day) for day in range(1, 32)]


@dataclass
class Sites:
    kominfo: Site
    dinkes: Site
    disdik: Site  # an access log, but nothing read from it
    nolog: Site
    outside: Site

    def ids(self) -> list[int]:
        return [self.kominfo.pk, self.dinkes.pk, self.disdik.pk, self.nolog.pk]


def site(slug: str, organisation: Organisation, logs: bool = True) -> Site:
    return Site.objects.create(slug=slug, name=f"Portal {slug.title()}", url=f"https://{slug}.example.go.id/",
                               organisation=organisation, access_logs=[f"/var/log/{slug}.log"] if logs else [])


def day_row(site: Site, day: date, **values: Any) -> DailyVisitors:
    return DailyVisitors(site=site, date=day, **values)


@pytest.fixture
def sites(db: Any) -> Sites:
    kominfo_org = Organisation.objects.create(name="Dinas Kominfo", code="kominfo")
    other_org = Organisation.objects.create(name="Dinas Pendidikan", code="disdik")
    return Sites(site("kominfo", kominfo_org), site("dinkes", kominfo_org), site("disdik", other_org),
                 site("nolog", other_org, logs=False), site("outside", other_org))


@pytest.fixture
def visited(sites: Sites) -> Sites:
    rows = [day_row(sites.kominfo, day, requests=1000 + 10 * day.day, visitors=100 + day.day, pages=400 + day.day,
                    bandwidth=1_000_000, not_found=50, crawler_requests=200,
                    top_pages={"/": 100 + day.day, "/berita": 50, f"/berita/{day.day}": 30},
                    top_referrers={"www.google.com": 20, "kominfo.example.go.id": 300, "www.kominfo.example.go.id": 5,
                                   "facebook.com": 3, "dinkes.example.go.id": 2})
            for day in MARCH]
    rows += [day_row(sites.dinkes, day, requests=2000, visitors=150, pages=400, bandwidth=2_000_000, not_found=900,
                     crawler_requests=100, exact=day.day > 2,
                     top_pages={"/": 60, "/jadwal": 10, **({"/layanan": 250} if day.day <= 2 else {})},
                     top_referrers={"www.google.com": 10, "dinkes.example.go.id": 100})
             for day in MARCH[:20]]
    # outside the period or the scope
    rows += [day_row(sites.kominfo, date(2025, 2, 28), requests=99_999, pages=99_999, top_pages={"/old": 99_999}),
             day_row(sites.kominfo, date(2025, 4, 1), requests=99_999, pages=99_999, top_pages={"/new": 99_999}),
             day_row(sites.outside, date(2025, 3, 5), requests=99_999, pages=99_999, top_pages={"/": 99_999},
                     top_referrers={"www.google.com": 99_999})]
    DailyVisitors.objects.bulk_create(rows)
    return sites


def collect(sites: Sites) -> Any:
    return VisitorsSection().collect(month_scope(2025, 3, sites.ids()))


def march(sites: Sites) -> Any:
    return DailyVisitors.objects.filter(site_id__in=sites.ids(), date__gte=MARCH[0], date__lte=MARCH[-1])


def test_totals_per_day_and_per_site(visited: Sites) -> None:
    figures = collect(visited).figures
    database = march(visited).aggregate(*(Sum(name) for name in section.SUMS))
    assert {name: figures[name] for name in section.SUMS} == {name: database[f"{name}__sum"]
                                                              for name in section.SUMS}
    assert (figures["requests"], figures["visitors"], figures["pages"]) == (35_960 + 40_000, 3_596 + 3_000,
                                                                            12_896 + 8_000)
    assert figures["crawler_share"] == round(100 * 8_200 / 75_960, 2)
    assert figures["not_found_share"] == round(100 * 19_550 / 75_960, 2)
    assert (figures["sites"], figures["sites_with_figures"], figures["days_with_figures"]) == (4, 2, 31)
    assert figures["per_day"]["2025-03-01"] == {"requests": 3_010, "visitors": 251, "pages": 801}
    assert figures["per_day"]["2025-03-31"] == {"requests": 1_310, "visitors": 131, "pages": 431}
    assert (figures["busiest_day"], figures["busiest_day_requests"]) == ("2025-03-20", 3_200)
    assert figures["per_site"][str(visited.dinkes.pk)] == {
        "requests": 40_000, "visitors": 3_000, "pages": 8_000, "bandwidth": 40_000_000, "not_found": 18_000,
        "crawler_requests": 2_000, "days": 20, "inexact": 2}


def test_top_pages_and_referrers_are_merged_over_days(visited: Sites) -> None:
    part = collect(visited)
    kominfo, dinkes = visited.kominfo.pk, visited.dinkes.pk
    assert [(page["site_id"], page["page"], page["requests"]) for page in part.figures["top_pages"]] == [
        (kominfo, "/", 3_596), (kominfo, "/berita", 1_550), (dinkes, "/", 1_200), (dinkes, "/layanan", 500),
        (dinkes, "/jadwal", 200), (kominfo, "/berita/1", 30), (kominfo, "/berita/10", 30), (kominfo, "/berita/11", 30),
        (kominfo, "/berita/12", 30), (kominfo, "/berita/13", 30)]
    # a site's referrals from its own pages (with or without www.) are left out, another site's are not
    assert part.figures["top_referrers"] == [{"referrer": "www.google.com", "requests": 820},
                                             {"referrer": "facebook.com", "requests": 93},
                                             {"referrer": "dinkes.example.go.id", "requests": 62}]
    tables = {table.key: table for table in part.tables}
    assert tables["top_pages"].rows[0] == ("/", "Portal Kominfo", 3_596, pytest.approx(100 * 3_596 / 12_896))
    assert tables["top_referrers"].rows[0] == ("www.google.com", 820, pytest.approx(100 * 820 / 75_960))


def test_tables_prose_and_charts(visited: Sites) -> None:
    part = collect(visited)
    tables = {table.key: table for table in part.tables}
    per_site = tables["visitors_per_site"].rows
    assert per_site[0] == ("Portal Dinkes", "Dinas Kominfo", 40_000, 3_000, 8_000, 40_000_000, 18_000, 5.0, 20)
    assert per_site[1][:5] == ("Portal Kominfo", "Dinas Kominfo", 35_960, 3_596, 12_896)
    assert per_site[2:] == [("Portal Disdik", "Dinas Pendidikan", *[None] * 6, 0),
                            ("Portal Nolog", "Dinas Pendidikan", *[None] * 6, 0)]
    assert "summed over the days" in tables["visitors_per_site"].note
    per_day = tables["visitors_per_day"].rows
    assert len(per_day) == 31 and per_day[19] == (date(2025, 3, 20), 3_200, 270, 820, 3_000_000)

    assert part.paragraphs[0].startswith("Visitor figures are available for 2 of the 4 sites.")
    assert "75,960 requests, 20,896 page views and 6,596 visitors (daily unique visitors summed)" in part.paragraphs[0]
    assert "the busiest day was" in part.paragraphs[1] and "3,200 requests" in part.paragraphs[1]
    assert "The most requested page was / on Portal Kominfo." in part.paragraphs[2]
    assert "1 site has no access log configured" in part.paragraphs[3]
    assert "75,960 requests from 6,596 visitors" in part.summary[0]

    lines, leaders = (ET.fromstring(chart.svg) for chart in part.charts)
    polylines = lines.findall(f"{SVG}polyline")
    assert len(polylines) == 3 and all(len(line.get("points", "").split()) == 31 for line in polylines)
    assert len(leaders.findall(f"{SVG}rect")) == 2


def test_problems(visited: Sites) -> None:
    part = collect(visited)
    assert part.figures["silent_sites"] == [visited.disdik.pk]
    assert part.figures["sites_without_logs"] == [visited.nolog.pk]
    assert part.figures["many_not_found_sites"] == [visited.dinkes.pk]
    silent, without, not_found = part.problems
    assert silent.level == "warning" and "Portal Disdik" in silent.text
    assert without.level == "notice" and "Portal Nolog" in without.text
    assert not_found.level == "notice" and "Portal Dinkes" in not_found.text and "20%" in not_found.text


def test_top_pages_stop_reading_sites_that_cannot_reach_the_top(visited: Sites, monkeypatch: Any) -> None:
    organisation = Organisation.objects.get(code="kominfo")
    small = [site(f"desa-{n}", organisation) for n in range(15)]
    DailyVisitors.objects.bulk_create(day_row(village, day, requests=3, pages=1, top_pages={"/": 1, "/x": 1})
                                      for village in small for day in MARCH[:20])
    monkeypatch.setattr(section, "PAGES_CHUNK", 1)
    ids = [*visited.ids(), *(village.pk for village in small)]
    with CaptureQueriesContext(connection) as queries:
        part = VisitorsSection().collect(month_scope(2025, 3, ids))
    merged: Counter[tuple[int, str]] = Counter()
    for site_id, pages in DailyVisitors.objects.filter(site_id__in=ids, date__range=(MARCH[0], MARCH[-1]))\
            .values_list("site_id", "top_pages"):
        merged.update({(site_id, path): count for path, count in pages.items()})
    every_site = sorted(merged.items(), key=lambda item: (-item[1], item[0]))[:10]
    assert [((page["site_id"], page["page"]), page["requests"]) for page in part.figures["top_pages"]] == every_site
    # kominfo and dinkes were read; the villages' 20 page views are below the 10th page (30)
    assert sum('"top_pages"' in query["sql"] for query in queries.captured_queries) == 2


def test_a_month_without_figures(sites: Sites) -> None:
    part = collect(sites)
    assert part.figures["requests"] == 0 and part.figures["busiest_day"] is None
    assert part.charts == [] and part.figures["top_pages"] == []
    assert part.paragraphs[0] == "No visitor figures were recorded for the 4 sites during the period."
    assert [problem.level for problem in part.problems] == ["warning", "notice"]
    assert [row[1:] for row in part.tables[0].rows] == [(None,) * 4] * 31
    assert part.tables[0].rows[-1][0] == date(2025, 3, 1) + timedelta(days=30)
