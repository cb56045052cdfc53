"""The attacks section: counts from incidents (capped rows included), per day, top sources, incidents, per site
and the problems, cross-checked with the database."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.db.models import Sum
from django.utils import timezone

from jagaweb.inventory.models import Organisation, Site
from jagaweb.logwatch.models import Incident, IncidentState, LogFinding
from jagaweb.reports.periods import month_scope, situation_scope
from jagaweb.reports.sections.attacks import AttacksSection

SVG = "{http://www.w3.org/2000/svg}"


def at(month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(2025, month, day, hour, minute))


@dataclass
class Sites:
    kominfo: Site
    dinkes: Site
    disdik: Site
    nolog: Site
    outside: Site

    def ids(self) -> list[int]:
        return [self.kominfo.pk, self.dinkes.pk, self.disdik.pk, self.nolog.pk]


def incident(site: Site, ip: str, rows: list[tuple[datetime, str]], *, severity: str = "medium",
             state: str = IncidentState.CLOSED, beyond: dict[str, int] | None = None,
             last_seen: datetime | None = None) -> Incident:
    """An incident with its finding rows; `beyond` counts findings without rows (the cap), seen up to last_seen."""
    beyond = beyond or {}
    categories = Counter(category for _time, category in rows) + Counter(beyond)
    times = [time for time, _category in rows]
    made = Incident.objects.create(site=site, ip=ip, state=state, severity=severity, first_seen=min(times),
                                   last_seen=last_seen or max(times), finding_count=sum(categories.values()),
                                   stored_findings=len(rows), categories=dict(categories))
    LogFinding.objects.bulk_create(
        LogFinding(site=site, incident=made, time=time, ip=ip, category=category, rule=f"{category}-rule",
                   severity=severity, request=f"GET /?q={number} HTTP/1.1", file="/var/log/access.log", line=number)
        for number, (time, category) in enumerate(rows, start=1))
    return made


@pytest.fixture
def sites(db: Any) -> Sites:
    kominfo_org = Organisation.objects.create(name="Dinas Kominfo", code="kominfo")
    other_org = Organisation.objects.create(name="Dinas Pendidikan", code="disdik")

    def site(slug: str, organisation: Organisation, logs: bool = True) -> Site:
        return Site.objects.create(slug=slug, name=f"Portal {slug.title()}", url=f"https://{slug}.example.go.id/",
                                   organisation=organisation, access_logs=[f"/var/log/{slug}.log"] if logs else [])

    return Sites(site("kominfo", kominfo_org), site("dinkes", kominfo_org), site("disdik", other_org),
                 site("nolog", other_org, logs=False), site("outside", other_org))


@pytest.fixture
def attacked(sites: Sites) -> Sites:
    for site in (sites.kominfo, sites.dinkes, sites.disdik):
        incident(site, "45.142.120.7", [(at(3, 5, 9, n), "sqli") for n in range(3)], severity="high")
        incident(site, "10.0.0.5", [(at(3, 6, 8), "probing")], severity="info")  # private: never a blocking advice
    # capped: 4 rows kept, 96 more counted, the last at 14:00
    incident(sites.kominfo, "185.220.101.9", [(at(3, 10, 10, n), "scanner") for n in range(4)],
             beyond={"scanner": 96}, last_seen=at(3, 10, 14))
    incident(sites.dinkes, "91.240.118.50", [(at(3, 20, 3), "webshell"), (at(3, 20, 4), "webshell")],
             severity="critical", state=IncidentState.OPEN)
    # crosses the start: 2 rows in February, 3 in March
    incident(sites.disdik, "185.220.101.20", [(at(2, 28, 22), "lfi")] * 2 + [(at(3, 1, 1), "lfi")] * 3)
    # crosses the end, capped: the 10 beyond its rows ended in April, so only its 2 March rows count
    incident(sites.kominfo, "185.220.101.30", [(at(3, 31, 23), "xss")] * 2, beyond={"xss": 10},
             last_seen=at(4, 1, 2), severity="low", state=IncidentState.OPEN)
    # crosses the start, capped: its rows are February's, the 5 beyond them ended on 2 March
    incident(sites.dinkes, "185.220.101.40", [(at(2, 27, 20), "sqli")] * 2, beyond={"sqli": 5}, last_seen=at(3, 2, 6))
    # outside the report: April, and a site outside the scope
    incident(sites.kominfo, "185.220.101.50", [(at(4, 3), "rce")], severity="critical", state=IncidentState.OPEN)
    incident(sites.outside, "45.142.120.7", [(at(3, 5), "sqli")] * 7)
    return sites


def collect(sites: Sites) -> Any:
    return AttacksSection().collect(month_scope(2025, 3, sites.ids(), now=at(4, 1, 9)))


def parsed(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_counts_come_from_incidents_including_the_findings_beyond_the_kept_rows(attacked: Sites) -> None:
    part = collect(attacked)
    figures = part.figures
    assert figures["by_category"] == {
        "sqli": {"findings": 14, "sources": 2, "sites": 3}, "scanner": {"findings": 100, "sources": 1, "sites": 1},
        "webshell": {"findings": 2, "sources": 1, "sites": 1}, "lfi": {"findings": 3, "sources": 1, "sites": 1},
        "xss": {"findings": 2, "sources": 1, "sites": 1}, "probing": {"findings": 3, "sources": 1, "sites": 3},
    }
    assert figures["findings"] == 124
    assert figures["findings_beyond_rows"] == 96 + 5
    scope = month_scope(2025, 3, attacked.ids())
    rows = LogFinding.objects.filter(site_id__in=scope.site_ids, time__gte=scope.start, time__lt=scope.end).count()
    assert figures["findings"] == rows + figures["findings_beyond_rows"]
    inside = Incident.objects.filter(site_id__in=scope.site_ids, first_seen__gte=scope.start, last_seen__lt=scope.end)
    assert inside.aggregate(n=Sum("finding_count"))["n"] == 124 - 3 - 2 - 5  # less the three crossing incidents
    assert (figures["sources"], figures["sites"], figures["sites_attacked"]) == (7, 4, 3)
    assert figures["sites_without_logs"] == 1


def test_findings_per_day_add_up_and_put_the_uncounted_rows_on_the_last_day(attacked: Sites) -> None:
    figures = collect(attacked).figures
    per_day = {day: count for day, count in figures["per_day"].items() if count}
    assert per_day == {"2025-03-01": 3, "2025-03-02": 5, "2025-03-05": 9, "2025-03-06": 3, "2025-03-10": 100,
                       "2025-03-20": 2, "2025-03-31": 2}
    assert len(figures["per_day"]) == 31
    assert sum(figures["per_day"].values()) == figures["findings"]
    assert figures["busiest_day"] == "2025-03-10"


def test_top_sources_incidents_and_sites(attacked: Sites) -> None:
    part = collect(attacked)
    figures = part.figures
    assert [(source["ip"], source["findings"], source["sites"]) for source in figures["top_sources"]] == [
        ("185.220.101.9", 100, 1), ("45.142.120.7", 9, 3), ("185.220.101.40", 5, 1), ("10.0.0.5", 3, 3),
        ("185.220.101.20", 3, 1), ("185.220.101.30", 2, 1), ("91.240.118.50", 2, 1)]
    assert figures["incidents_opened"] == 9 == Incident.objects.filter(
        site_id__in=attacked.ids(), first_seen__gte=at(3, 1, 0), first_seen__lt=at(4, 1, 0)).count()
    assert figures["incidents_by_severity"] == {"high": 3, "info": 3, "medium": 1, "critical": 1, "low": 1}
    assert figures["still_open_by_severity"] == {"critical": 1, "low": 1}
    assert figures["incidents_still_open"] == 2
    kominfo = figures["per_site"][str(attacked.kominfo.pk)]
    assert kominfo == {"findings": 3 + 1 + 100 + 2, "sources": 4, "incidents": 4, "top_category": "scanner"}
    assert sum(site["findings"] for site in figures["per_site"].values()) == 124
    assert str(attacked.nolog.pk) not in figures["per_site"]

    tables = {table.key: table for table in part.tables}
    sources = tables["attack_sources"]
    assert sources.rows[1][:4] == ("45.142.120.7", 9, "SQL injection", 3)
    assert sources.rows[1][4:] == (at(3, 5, 9, 0), at(3, 5, 9, 2))
    assert "7 distinct sources" in sources.note
    sites = tables["attack_sites"].rows
    assert sites[0] == ("Portal Kominfo", "Dinas Kominfo", 106, 4, 4, 1, "Scanner or bad bot")
    assert sites[-1] == ("Portal Nolog", "Dinas Pendidikan", 0, 0, 0, 0, "no access log")
    categories = tables["attack_categories"].rows
    assert categories[0][:2] == ("Scanner or bad bot", 100) and categories[0][2] == pytest.approx(100 * 100 / 124)
    assert sum(row[1] for row in tables["attacks_per_day"].rows) == 124
    assert "101 findings beyond the first 500" in tables["attacks_per_day"].note
    assert tables["attack_incidents"].rows[0] == ("Critical", 1, 1)


def test_problems_name_the_campaign_source_and_the_open_critical_site(attacked: Sites) -> None:
    part = collect(attacked)
    assert part.figures["many_site_sources"] == ["45.142.120.7"]  # 10.0.0.5 is private: a proxy, never blocked
    assert part.figures["open_critical_sites"] == [attacked.dinkes.pk]  # not April's incident on kominfo
    critical, campaign = part.problems
    assert critical.level == "critical" and "Portal Dinkes" in critical.text
    assert "min_severity=critical&open_only=true" in critical.recommendation
    assert campaign.level == "warning"
    assert "45.142.120.7 (sites: 3, findings: 9)" in campaign.text and "10.0.0.5" not in campaign.text
    assert "/logwatch/blocklist/" in campaign.recommendation
    assert "/api/logwatch/incidents/blocklist/?kind=nginx&within=32d" in campaign.recommendation


def test_prose_and_charts(attacked: Sites) -> None:
    part = collect(attacked)
    assert part.paragraphs[0].startswith("During the period 124 attack findings from 7 distinct source addresses")
    assert "aimed at 3 of the 4 sites" in part.paragraphs[0] and "Scanner or bad bot (80.6% of" in part.paragraphs[0]
    assert "The busiest day was" in part.paragraphs[1] and "100 attack findings" in part.paragraphs[1]
    assert "1 site has no access log configured" in part.paragraphs[2]
    assert part.paragraphs[3].startswith("9 incidents (one source attacking one site) were opened")
    assert "2 of them are still open" in part.paragraphs[3]
    assert "124 attack findings" in part.summary[0]
    categories, days, severities = (parsed(chart.svg) for chart in part.charts)
    assert len(categories.findall(f"{SVG}rect")) == 6
    assert len(days.findall(f"{SVG}rect")) == 31
    assert len(severities.findall(f"{SVG}rect")) == 2 * 5  # a share and a legend mark per severity


def test_situation_report_looks_at_the_last_seven_days(attacked: Sites) -> None:
    scope = situation_scope(attacked.ids(), now=at(3, 21, 12))
    part = AttacksSection().collect(scope)
    assert part.figures["findings"] == 2
    assert part.figures["by_category"] == {"webshell": {"findings": 2, "sources": 1, "sites": 1}}
    assert len(part.figures["per_day"]) == 8
    assert part.figures["incidents_opened"] == 1
    assert part.figures["open_critical_sites"] == [attacked.dinkes.pk]
    days = parsed(part.charts[1].svg)
    assert len(days.findall(f"{SVG}rect")) == 8
    assert "14/03" in [label.text for label in days.findall(f"{SVG}text")]
    assert [day for day, _count in part.tables[1].rows] == [date(2025, 3, 14) + timedelta(days=n) for n in range(8)]


def test_a_quiet_month(sites: Sites) -> None:
    part = collect(sites)
    assert part.figures["findings"] == 0 and part.figures["busiest_day"] is None
    assert part.charts == [] and part.problems == []
    assert part.paragraphs[0] == "No attacks were detected in the access logs of the 4 sites during the period."
    assert part.paragraphs[-1] == "No incident was opened in the period."
    assert {table.key: len(table.rows) for table in part.tables} == {
        "attack_categories": 0, "attacks_per_day": 31, "attack_sources": 0, "attack_incidents": 5, "attack_sites": 4}


def test_an_incident_with_no_finding_inside_the_period_is_left_out(sites: Sites) -> None:
    # rows before the start, capped, the rest ending after the end: nothing is known to fall inside
    incident(sites.kominfo, "185.220.101.60", [(at(2, 27), "sqli")], beyond={"sqli": 40}, last_seen=at(4, 2))
    part = collect(sites)
    assert part.figures["findings"] == 0 and part.figures["sources"] == 0
    assert part.figures["incidents_opened"] == 0
