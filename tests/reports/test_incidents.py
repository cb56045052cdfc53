"""The incidents section: each incident of the month against the Waktu of the SOP an incident starts, counted
in the working calendar (Pemeliharaan Website: step 5, 1 day; step 6, 2 working hours; step 7, 3 days)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from jagaweb.activity.log import SystemJob
from jagaweb.inventory.models import Site
from jagaweb.monitor.choices import CheckKind, IncidentState, Status
from jagaweb.monitor.models import Check, Incident
from jagaweb.reports.charts import LEVELS
from jagaweb.reports.periods import month_scope
from jagaweb.reports.sections.base import Part
from jagaweb.reports.sections.incidents import IncidentsSection, IncidentWaktu, ways_to_end
from jagaweb.sop.cases import open_case
from jagaweb.sop.choices import CaseOrigin
from jagaweb.sop.definitions import builtin_text, get_definition
from jagaweb.sop.models import calendar_for

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"
NOW = timezone.make_aware(datetime(2025, 2, 1, 6, 0))


def at(day: int, hour: int, minute: int = 0, month: int = 1, year: int = 2025) -> datetime:
    return timezone.make_aware(datetime(year, month, day, hour, minute))


def incident(check: Check, opened: datetime, resolved: datetime | None, cause: str = "HTTP 503",
             **fields: Any) -> Incident:
    state = IncidentState.OPEN if resolved is None else IncidentState.RESOLVED
    return Incident.objects.create(site=check.site, check_ref=check, opened_at=opened, resolved_at=resolved,
                                   state=state, cause=cause, **fields)


@pytest.fixture
def world(site_a: Site, site_b: Site) -> dict[str, Any]:
    http_a = Check.objects.create(site=site_a, kind=CheckKind.HTTP, status=Status.UP)
    http_b = Check.objects.create(site=site_b, kind=CheckKind.HTTP, status=Status.DOWN)
    tcp_a = Check.objects.create(site=site_a, kind=CheckKind.TCP, status=Status.UP)
    operator = get_user_model().objects.create_user("budi", first_name="Budi", last_name="Santoso")
    found = {
        # Opened on New Year's Eve: 1 day to Jan 1 20:00 (a holiday), 2 working hours to Thu 09:30, 3 days.
        "new_year": incident(http_a, at(31, 20, month=12, year=2024), at(1, 3)),
        # 1 day to Thu 10:00, 2 working hours to 12:00, 3 days to Sun Jan 12 12:00.
        "quick": incident(http_a, at(8, 10), at(9, 10), acknowledged_by=operator, acknowledged_at=at(8, 10, 5)),
        # Friday 15:00: 1 day to Saturday, 2 working hours to Monday 09:30, 3 days to Thursday Jan 16 09:30.
        # Counted in calendar time alone it would be due on Tuesday Jan 14 17:00, before it was resolved.
        "weekend": incident(http_a, at(10, 15), at(15, 12), acknowledged_by=operator),
        # Monday 08:00: due Friday Jan 24 10:00, resolved on Saturday: over.
        "late": incident(http_a, at(20, 8), at(25, 8), cause="Connection refused " + "x" * 200),
        "window": incident(tcp_a, at(22, 1), at(22, 2), silenced=True),
        # Thursday 20:00, open: 1 day to Friday 20:00 (closed), 2 working hours to Mon Feb 3 09:30, 3 days.
        "open": incident(http_b, at(30, 20), None),
        "february": incident(http_b, at(1, 7, month=2), at(1, 8, month=2)),
    }
    open_case(title="Portal Kominfo: Connection refused", origin=CaseOrigin.MONITOR, actor=SystemJob("sop.events"),
              site=site_a, source=found["late"], now=at(20, 8, 5))
    return {"sites": [site_a, site_b], **found}


def collect(world: dict[str, Any], now: datetime = NOW) -> Part:
    return IncidentsSection().collect(month_scope(2025, 1, [site.pk for site in world["sites"]], now=now))


def rows_by_opening(part: Part) -> dict[datetime, tuple[Any, ...]]:
    return {row[2]: row for row in part.tables[0].rows}


def test_each_incident_is_judged_against_the_chained_waktu(world: dict[str, Any]) -> None:
    part = collect(world)
    rows = rows_by_opening(part)
    assert len(rows) == 6 and world["february"].opened_at not in rows
    expected = {
        "new_year": (at(5, 9, 30), "Within the Waktu"),
        "quick": (at(12, 12), "Within the Waktu"),
        "weekend": (at(16, 9, 30), "Within the Waktu"),
        "late": (at(24, 10), "Over the Waktu"),
        "open": (at(6, 9, 30, month=2), "Open, within the Waktu so far"),
        "window": (at(26, 9, 30), "Maintenance window (not counted)"),
    }
    for name, (due, verdict) in expected.items():
        row = rows[world[name].opened_at]
        assert (row[6], row[7]) == (due, verdict), name
    assert rows[world["quick"].opened_at][5] == "Budi Santoso"
    assert rows[world["late"].opened_at][1].endswith("…") and len(rows[world["late"].opened_at][1]) == 160
    assert rows[world["late"].opened_at][8] == "In progress"  # the SOP run the incident started
    assert rows[world["open"].opened_at][3] is None and rows[world["open"].opened_at][4] == NOW - at(30, 20)
    assert rows[world["weekend"].opened_at][4] == at(15, 12) - at(10, 15)


def test_the_same_incident_turns_over_once_its_waktu_passes(world: dict[str, Any]) -> None:
    rows = rows_by_opening(collect(world, now=at(7, 8, month=2)))
    assert rows[world["open"].opened_at][7] == "Over the Waktu"


def test_figures_cross_check_with_the_database(world: dict[str, Any]) -> None:
    figures = collect(world).figures
    counted = Incident.objects.filter(silenced=False, opened_at__lt=at(1, 0, month=2))
    assert figures["incidents"] == counted.count() == 5 and figures["silenced"] == 1 and figures["sites"] == 2
    assert (figures["within_waktu"], figures["over_waktu"], figures["open_within_waktu"]) == (3, 1, 1)
    assert figures["share_within_waktu"] == 75.0 and figures["still_open"] == 1 and figures["resolved"] == 4
    assert figures["unacknowledged"] == 3
    # Inside January: 3 h, 24 h, 117 h, 120 h and the open one's 28 h up to the month's end.
    assert figures["downtime_seconds"] == (3 + 24 + 117 + 120 + 28) * 3600
    assert figures["longest_seconds"] == 120 * 3600 and figures["longest_site"] == "Portal Kominfo"
    assert figures["waktu_sop"] == "pemeliharaan_website" and figures["waktu_steps"] == "5, 6, 7"
    assert figures["waktu_text"] == "1 days + 2 hours + 3 days"


def test_chart_prose_and_problems(world: dict[str, Any]) -> None:
    part = collect(world)
    svg = ET.fromstring(part.charts[0].svg)
    fills = [rect.get("fill") for rect in svg.findall(f"{SVG}rect")]
    # A bar piece and a legend square for each of within, over, still open.
    assert fills == [LEVELS["good"], LEVELS["good"], LEVELS["bad"], LEVELS["bad"], LEVELS["fair"], LEVELS["fair"]]
    assert [text.text for text in svg.findall(f"{SVG}text")] == [
        "within the Waktu: 3 (60.0%)", "over the Waktu: 1 (20.0%)", "still open: 1 (20.0%)"]
    assert part.paragraphs[0] == ("In January 2025, 5 monitoring incidents were open. They affected 2 sites, which "
                                  "were unavailable for 292.0 hours in total. 1 more fell in maintenance windows and "
                                  "are not counted.")
    assert "The SOP Pemeliharaan Website allows 1 days + 2 hours + 3 days" in part.paragraphs[1]
    texts = [problem.text for problem in part.problems]
    assert texts[0] == ("1 monitoring incident took longer than the SOP's Waktu (1 days + 2 hours + 3 days): "
                        "Portal Kominfo (2025-01-20 08:00).")
    assert texts[1] == "1 monitoring incident is still open: Portal Disdik (since 2025-01-30 20:00)."
    assert texts[2] == "3 monitoring incidents were never acknowledged by an operator."


def test_the_institutions_own_sop_sets_the_waktu(world: dict[str, Any], settings: Any, tmp_path: Path) -> None:
    text = builtin_text("pemeliharaan_website").replace("waktu: {value: 3, unit: days}",
                                                        "waktu: {value: 4, unit: hours}")
    (tmp_path / "pemeliharaan_website.yaml").write_text(text, encoding="utf-8")
    settings.SOP_DEFINITIONS_DIR = str(tmp_path)
    part = collect(world)
    rows = rows_by_opening(part)
    assert part.figures["waktu_text"] == "1 days + 2 hours + 4 hours"
    assert rows[world["quick"].opened_at][6:8] == (at(9, 16), "Within the Waktu")  # Thu 10:00 +2 h +4 h
    assert rows[world["weekend"].opened_at][6:8] == (at(13, 13, 30), "Over the Waktu")


def test_without_an_sop_for_incidents_nothing_is_measured(world: dict[str, Any], settings: Any,
                                                          tmp_path: Path) -> None:
    for name in ("pemeliharaan_website", "pemeliharaan_website_pn"):
        text = re.sub(r"  - event: incident.*\n    step: \d+\n", "", builtin_text(name))
        assert "event: incident" not in text
        (tmp_path / f"{name}.yaml").write_text(text, encoding="utf-8")
    settings.SOP_DEFINITIONS_DIR = str(tmp_path)
    part = collect(world)
    assert part.figures["untimed"] == 5 and part.figures["share_within_waktu"] is None
    assert part.paragraphs[1].startswith("No SOP in use sets a time for handling a monitoring incident")
    assert part.charts == []  # nothing to show against


def test_a_branching_sop_allows_its_longest_way(db: Any) -> None:
    definition = get_definition("permohonan_website_opd")
    ways = ways_to_end(definition, definition.start)
    decision = next(step for step in definition.steps if step.symbol == "decision")
    assert len(ways) == 2
    assert {way[way.index(decision) + 1].number for way in ways} == {decision.yes, decision.no}
    waktu = IncidentWaktu(definition, tuple(ways))
    calendar = calendar_for(None)
    start = at(6, 8)
    deadlines = [IncidentWaktu(definition, (way,)).deadline(start, calendar) for way in ways]
    assert waktu.deadline(start, calendar) == max(deadlines)  # type: ignore[type-var]
    assert deadlines[0] != deadlines[1]


def test_a_quiet_month(site_a: Site) -> None:
    part = IncidentsSection().collect(month_scope(2025, 1, [site_a.pk], now=NOW))
    assert part.paragraphs == ["No monitoring incident was open in January 2025."]
    assert part.charts == [] and part.problems == [] and part.tables[0].rows == []
    assert part.figures["incidents"] == 0 and part.figures["downtime_seconds"] == 0


def test_downtime_of_overlapping_checks_counts_once(site_a: Site) -> None:
    http = Check.objects.create(site=site_a, kind=CheckKind.HTTP, status=Status.UP)
    tcp = Check.objects.create(site=site_a, kind=CheckKind.TCP, status=Status.UP)
    tls = Check.objects.create(site=site_a, kind=CheckKind.TLS, status=Status.UP)
    incident(http, at(3, 8), at(3, 10))
    incident(tcp, at(3, 9), at(3, 11))
    incident(tls, at(4, 8), at(6, 8))  # not availability: counted, but no downtime
    figures = IncidentsSection().collect(month_scope(2025, 1, [site_a.pk], now=NOW)).figures
    assert figures["incidents"] == 3 and figures["downtime_seconds"] == 3 * 3600
    assert figures["longest_seconds"] == int(timedelta(days=2).total_seconds())
