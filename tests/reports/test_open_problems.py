"""Open problems in the situation report: the cases open at the moment of issue with their analysis, alternative
solutions and status (SOP step, holder, due time), the overdue first, cross-checked with the database."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from jagaweb.inventory.models import Site
from jagaweb.reports.periods import situation_scope
from jagaweb.reports.sections.problems import OpenProblemsSection
from jagaweb.sop.choices import CaseOrigin, StepState
from jagaweb.sop.models import Case, RunStep
from tests.reports.test_service import CaseSpec, StepSpec, make_cases, month_of_cases, steps_after
from tests.sop.world import at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
SVG = "{http://www.w3.org/2000/svg}"
NOW = at(2026, 3, 20, 10)
LONG = "Halaman depan menampilkan tautan judi online tersembunyi. " * 20


@pytest.fixture
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def world(org_a, org_b):
    sites = [Site.objects.create(slug=f"situs-{n}", name=f"Situs {n}", url=f"http://127.0.0.1:90{n}/",
                                 organisation=org_a if n < 3 else org_b) for n in range(1, 4)]
    one, two, outside = sites
    specs = {
        "A": CaseSpec(one, org_a, at(2026, 3, 19, 9), None, CaseOrigin.GUARD, steps_after(at(2026, 3, 19, 9), [None]),
                      title="Spam judi di beranda", analysis="Berkas index.php disisipi", solution="Pulihkan cadangan"),
        "B": CaseSpec(one, org_a, at(2026, 3, 10, 9), None, CaseOrigin.MONITOR,
                      [StepSpec(5, at(2026, 3, 10, 9), at(2026, 3, 25, 9))], title="Situs lambat"),
        "C": CaseSpec(one, org_a, at(2026, 3, 18, 9), None, CaseOrigin.COMPLAINT,
                      [StepSpec(4, at(2026, 3, 18, 9), at(2026, 3, 18, 9, 3), state=StepState.WAITING)],
                      title="Keluhan formulir"),
        "D": CaseSpec(one, org_a, at(2026, 3, 1, 9), None, CaseOrigin.STAFF, steps_after(at(2026, 3, 2, 9), [None]),
                      title="Berita tidak tampil", description=LONG),
        "E": CaseSpec(one, org_a, at(2026, 3, 15, 9), at(2026, 3, 16, 9), CaseOrigin.STAFF,
                      steps_after(at(2026, 3, 15, 9), [1]), title="Sudah selesai"),
        "F": CaseSpec(one, org_a, at(2026, 3, 5, 9), at(2026, 3, 21, 9), CaseOrigin.STAFF, [], title="Ditutup besok"),
        "G": CaseSpec(one, org_a, at(2026, 3, 21, 9), None, CaseOrigin.GUARD, [], title="Belum terjadi"),
        "H": CaseSpec(two, org_a, at(2026, 3, 19, 12), None, CaseOrigin.LOGWATCH,
                      [StepSpec(3, at(2026, 3, 19, 12), at(2026, 3, 23, 12))], title="Pemindaian massal"),
        "I": CaseSpec(None, org_b, at(2026, 3, 12, 9), None, CaseOrigin.STAFF,
                      [StepSpec(6, at(2026, 3, 12, 9), None)], title="Surat edaran", solution="Terbitkan ulang"),
        "J": CaseSpec(outside, org_b, at(2026, 3, 19, 9), None, CaseOrigin.GUARD,
                      steps_after(at(2026, 3, 19, 9), [None]), title="Di luar cakupan"),
    }
    cases = dict(zip(specs, make_cases(list(specs.values())), strict=True))
    budi = get_user_model().objects.create_user("budi", first_name="Budi", last_name="Santoso")
    RunStep.objects.filter(run=cases["D"].run).update(assignee=budi, escalated_to="supervisor")
    return {"sites": sites, "in_scope": sites[:2], "cases": cases}


def collect(world, organisation_id=None):
    scope = situation_scope([site.pk for site in world["in_scope"]], now=NOW, organisation_id=organisation_id)
    return OpenProblemsSection().collect(scope)


def test_open_cases_in_order_with_their_status(world):
    part = collect(world)
    [table] = part.tables
    assert [row[1] for row in table.rows] == ["Spam judi di beranda", "Berita tidak tampil", "Situs lambat",
                                              "Pemindaian massal", "Keluhan formulir", "Ditutup besok", "Surat edaran"]
    in_scope = Q(site__in=world["in_scope"]) | Q(site__isnull=True)
    open_now = Case.objects.filter(in_scope, opened_at__lte=NOW).exclude(closed_at__lte=NOW)
    assert part.figures["open_count"] == len(table.rows) == open_now.count()
    rows = {row[1]: row for row in table.rows}
    guard = rows["Spam judi di beranda"]
    assert guard[:5] == ("Situs 1", "Spam judi di beranda", "", "Berkas index.php disisipi", "Pulihkan cadangan")
    assert guard[5] == "Pemeliharaan Portal Website DJKI, step 3: Activity 3 (To do), overdue"
    assert guard[6] == "Kasi Portal" and guard[7] == at(2026, 3, 19, 9, 3) and guard[10] == "Guard attack"
    staff = rows["Berita tidak tampil"]
    assert staff[6] == "Budi Santoso; escalated to Supervisor"
    assert LONG.startswith(staff[2][:-1]) and len(staff[2]) in (799, 800) and staff[2].endswith("…")
    assert "shortened to 800 characters" in table.note
    assert staff[9] == NOW - at(2026, 3, 1, 9)
    assert rows["Keluhan formulir"][5].endswith("(Waiting for the requester)")  # past due, but its clock stands
    assert rows["Ditutup besok"][5] == "Open; not followed by an SOP run" and rows["Ditutup besok"][6] is None
    assert rows["Surat edaran"][0] == "Dinas Pendidikan" and rows["Surat edaran"][7] is None


def test_figures(world):
    figures = collect(world).figures
    assert (figures["open_count"], figures["overdue_count"], figures["waiting_count"]) == (7, 2, 1)
    assert (figures["without_solution_count"], figures["unsolved_count"]) == (5, 3)
    in_scope = Q(site__in=world["in_scope"]) | Q(site__isnull=True)
    week = Case.objects.filter(in_scope, opened_at__gte=at(2026, 3, 13, 10), opened_at__lt=NOW)
    assert figures["opened_recent"] == week.count() == 4 and figures["closed_recent"] == 1
    assert figures["oldest_open_days"] == 19
    assert figures["by_origin"] == {"staff": 3, "complaint": 1, "monitor": 1, "guard": 1, "logwatch": 1}


def test_chart_prose_and_problems(world):
    part = collect(world)
    [chart] = part.charts
    root = ET.fromstring(chart.svg)
    assert len(root.findall(f"{SVG}rect")) == 5
    texts = [element.text for element in root.findall(f"{SVG}text")]
    assert texts == ["Less than 1 day", "1", "1 to 3 days", "2", "3 to 7 days", "0", "7 to 30 days", "4",
                     "30 days or more", "0"]
    assert part.paragraphs[0] == ("At the time of this report 7 problems are open: 2 past the due time of their SOP "
                                  "step and 1 waiting for the requester.")
    assert part.paragraphs[1] == "In the past 7 days 4 cases were opened and 1 closed."
    assert part.summary == ["7 problems are open, 2 of them past their due time."]
    overdue, unsolved = part.problems
    assert overdue.level == "critical" and overdue.text.startswith(
        "2 open problems are past the due time of their SOP step: Spam judi di beranda (Situs 1; step 3, Kasi "
        "Portal, due ")
    assert "Berita tidak tampil (Situs 1; step 3, Budi Santoso; escalated to Supervisor" in overdue.text
    assert unsolved.text.startswith("3 open problems have had no alternative solution recorded for more than 3 days")
    assert all(title in unsolved.text for title in ("Situs lambat", "Berita tidak tampil", "Ditutup besok"))


def test_an_organisation_report(world, org_a):
    part = collect(world, organisation_id=org_a.pk)
    assert "Surat edaran" not in {row[1] for row in part.tables[0].rows}  # org_b's own case
    assert part.figures["open_count"] == 6


def test_nothing_open(org_a):
    site = Site.objects.create(slug="tenang", name="Situs Tenang", url="http://127.0.0.1:9100/", organisation=org_a)
    part = OpenProblemsSection().collect(situation_scope([site.pk], now=NOW))
    assert part.figures["open_count"] == 0 and part.charts == [] and part.problems == []
    assert part.paragraphs[0] == "No problems are open at the time of this report." and part.tables[0].empty


def test_queries_do_not_grow_with_cases(world, org_b):
    with CaptureQueriesContext(connection) as few:
        collect(world)
    more = [Site.objects.create(slug=f"tambah-{n}", name=f"Tambah {n}", url=f"http://127.0.0.1:91{n}/",
                                organisation=org_b) for n in range(10, 16)]
    make_cases(month_of_cases(more))
    world["in_scope"] = world["in_scope"] + more
    with CaptureQueriesContext(connection) as many:
        part = collect(world)
    assert part.figures["open_count"] > 7 + 6
    assert len(many.captured_queries) == len(few.captured_queries)
