"""The service section of the monthly report: cases, complaints and website requests of a month across sites of
two organisations, finished on time or late against their steps' due times, cross-checked with the database."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import count

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from jagaweb.inventory.models import Organisation, Site
from jagaweb.reports.periods import month_scope
from jagaweb.reports.sections.service import ServiceSection
from jagaweb.sop.choices import CaseOrigin, CaseState, RequestState, RunState, StepState
from jagaweb.sop.models import Case, Complaint, Run, RunStep, WebsiteRequest
from tests.sop.world import COMPLAINT_SOP, MAINTENANCE_SOP, REQUEST_SOP, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
MARCH = (at(2026, 3, 1), at(2026, 4, 1))
ISSUED = at(2026, 4, 1, 8)
SVG = "{http://www.w3.org/2000/svg}"
serial = count(1)


@pytest.fixture
def english(settings):
    """Assertions read the English source strings."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@dataclass
class StepSpec:
    number: int
    started_at: datetime
    due_at: datetime | None
    completed_at: datetime | None = None
    state: str = ""

    @property
    def step_state(self) -> str:
        return self.state or (StepState.DONE if self.completed_at else StepState.OPEN)


@dataclass
class CaseSpec:
    site: Site | None
    organisation: Organisation
    opened_at: datetime
    closed_at: datetime | None
    origin: str = CaseOrigin.STAFF
    steps: list[StepSpec] = field(default_factory=list)
    title: str = ""
    description: str = ""
    analysis: str = ""
    solution: str = ""

    @property
    def late(self) -> bool:
        return any(step.completed_at and step.due_at and step.completed_at > step.due_at for step in self.steps)


def within(moment: datetime | None, bounds: tuple[datetime, datetime] = MARCH) -> bool:
    return moment is not None and bounds[0] <= moment < bounds[1]


def steps_after(start: datetime, taken: list[int | None], allowed: int = 3, first: int = 3) -> list[StepSpec]:
    """Consecutive steps from `first`, each allowed `allowed` minutes; None leaves that step (the last) open."""
    steps, moment = [], start
    for offset, minutes in enumerate(taken):
        due = moment + timedelta(minutes=allowed)
        done = None if minutes is None else moment + timedelta(minutes=minutes)
        steps.append(StepSpec(first + offset, moment, due, done))
        if done is not None:
            moment = done
    return steps


def make_run(definition: str, organisation: Organisation, site: Site | None, started_at: datetime,
             finished: bool, steps: list[StepSpec]) -> Run:
    run = Run.objects.create(definition_name=definition, title=f"{definition} {next(serial)}",
                             organisation=organisation, site=site, started_at=started_at,
                             state=RunState.DONE if finished else RunState.OPEN,
                             finished_at=steps[-1].completed_at if finished and steps else None)
    RunStep.objects.bulk_create(RunStep(
        run=run, number=step.number, activity=f"Activity {step.number}", performer="kasi_portal",
        performer_label="Kasi Portal", started_at=step.started_at, due_at=step.due_at, state=step.step_state,
        completed_at=step.completed_at, waktu_text="3 minutes" if step.due_at else "") for step in steps)
    return run


def make_cases(specs: list[CaseSpec]) -> list[Case]:
    """The cases with their runs (complaint SOP, maintenance SOP for monitoring cases) and complaints."""
    cases = []
    for spec in specs:
        definition = MAINTENANCE_SOP if spec.origin == CaseOrigin.MONITOR else COMPLAINT_SOP
        run = make_run(definition, spec.organisation, spec.site, spec.opened_at, spec.closed_at is not None,
                       spec.steps) if spec.steps else None
        cases.append(Case(site=spec.site, organisation=spec.organisation, title=spec.title or f"Case {next(serial)}",
                          description=spec.description, analysis=spec.analysis, solution=spec.solution,
                          origin=spec.origin, state=CaseState.CLOSED if spec.closed_at else CaseState.OPEN,
                          run=run, opened_at=spec.opened_at, closed_at=spec.closed_at))
    cases = Case.objects.bulk_create(cases)
    Complaint.objects.bulk_create(
        Complaint(case=case, site=spec.site, text="Halaman berita tidak bisa dibuka", sender_digest="x",
                  received_at=spec.opened_at)
        for case, spec in zip(cases, specs, strict=True) if spec.origin == CaseOrigin.COMPLAINT)
    return cases


ORIGINS = (CaseOrigin.COMPLAINT, CaseOrigin.MONITOR, CaseOrigin.STAFF, CaseOrigin.GUARD)


def month_of_cases(sites: list[Site]) -> list[CaseSpec]:
    """Seven cases per site in March, in four patterns: closed on time, closed late, open and overdue, open
    without a time standard; plus the edges of the month."""
    specs = []
    for index, site in enumerate(sites):
        for day in range(2, 30, 4):
            opened = at(2026, 3, day, 9)
            pattern, origin = (index + day) % 4, ORIGINS[(index + day // 4) % 4]
            if pattern == 0:
                steps = steps_after(opened, [2, 2])
                specs.append(CaseSpec(site, site.organisation, opened, steps[-1].completed_at, origin, steps))
            elif pattern == 1:
                steps = steps_after(opened, [2, 5, 1])
                specs.append(CaseSpec(site, site.organisation, opened, steps[-1].completed_at, origin, steps))
            elif pattern == 2:
                specs.append(CaseSpec(site, site.organisation, opened, None, origin, steps_after(opened, [2, None])))
            else:
                specs.append(CaseSpec(site, site.organisation, opened, None, origin,
                                      [StepSpec(2, opened, None)]))
    return specs


@pytest.fixture
def world(org_a, org_b):
    sites = [Site.objects.create(slug=f"situs-{n}", name=f"Situs {n}", url=f"http://127.0.0.1:90{n}/",
                                 organisation=org_a if n < 3 else org_b) for n in range(1, 5)]
    in_scope = sites[:3]
    specs = month_of_cases(in_scope)
    february = at(2026, 2, 20, 10)
    specs += [
        # opened in February, closed in March within time; opened in February and still open (overdue)
        CaseSpec(in_scope[0], org_a, february, at(2026, 3, 3, 9), CaseOrigin.STAFF,
                 [StepSpec(3, at(2026, 3, 3, 8), at(2026, 3, 3, 10), at(2026, 3, 3, 9))]),
        CaseSpec(in_scope[1], org_a, february, None, CaseOrigin.MONITOR, steps_after(february, [None])),
        # a whole organisation's case (no site), closed late
        CaseSpec(None, org_b, at(2026, 3, 10, 9), at(2026, 3, 10, 9, 10), CaseOrigin.STAFF,
                 steps_after(at(2026, 3, 10, 9), [10])),
        # outside the report: April, and a site not in scope
        CaseSpec(in_scope[0], org_a, at(2026, 4, 2, 9), None, CaseOrigin.STAFF, steps_after(at(2026, 4, 2, 9), [None])),
        CaseSpec(sites[3], org_b, at(2026, 3, 5, 9), None, CaseOrigin.COMPLAINT, steps_after(at(2026, 3, 5, 9), [5])),
    ]
    make_cases(specs)
    requests = make_requests(org_a, org_b)
    return {"sites": sites, "in_scope": in_scope, "specs": specs, "requests": requests}


@dataclass
class RequestSpec:
    organisation: Organisation
    submitted_at: datetime
    state: str
    completed_at: datetime | None
    steps: list[StepSpec]


def make_requests(org_a: Organisation, org_b: Organisation) -> list[RequestSpec]:
    specs = [
        RequestSpec(org_a, at(2026, 3, 2, 9), RequestState.COMPLETED, None, steps_after(at(2026, 3, 2, 9), [1, 2])),
        RequestSpec(org_a, at(2026, 3, 9, 9), RequestState.REJECTED, None, steps_after(at(2026, 3, 9, 9), [1, 9])),
        RequestSpec(org_b, at(2026, 3, 16, 9), RequestState.ASSESSED, None,
                    steps_after(at(2026, 3, 16, 9), [1, None])),
        RequestSpec(org_b, at(2026, 2, 25, 9), RequestState.COMPLETED, None,
                    steps_after(at(2026, 3, 4, 9), [1, 1])),
    ]
    for spec in specs:
        if spec.state in (RequestState.COMPLETED, RequestState.REJECTED):
            spec.completed_at = spec.steps[-1].completed_at
        run = make_run(REQUEST_SOP, spec.organisation, None, spec.submitted_at, spec.completed_at is not None,
                       spec.steps)
        WebsiteRequest.objects.create(organisation=spec.organisation, site_name="Situs baru", purpose="Situs baru",
                                      letter="sop/requests/surat.pdf", state=spec.state, run=run,
                                      submitted_at=spec.submitted_at, completed_at=spec.completed_at)
    return specs


def expected(items: list[tuple[datetime, datetime | None, bool]]) -> dict[str, int]:
    """(received, finished, late) per item -> the tallies the section must give."""
    finished = [item for item in items if within(item[1])]
    return {"received": sum(within(item[0]) for item in items), "finished": len(finished),
            "on_time": sum(not item[2] for item in finished),
            "open": sum(item[0] < MARCH[1] and (item[1] is None or item[1] >= MARCH[1]) for item in items)}


def collect(world, organisation_id=None, sites=None):
    site_ids = [site.pk for site in (sites or world["in_scope"])]
    return ServiceSection().collect(month_scope(2026, 3, site_ids, organisation_id, now=ISSUED))


def in_scope_cases(world, organisations=None):
    ids = {site.pk for site in world["in_scope"]}
    return [spec for spec in world["specs"] if (spec.site.pk in ids if spec.site else
                                                organisations is None or spec.organisation.pk in organisations)]


def test_figures_of_cases_complaints_and_requests(world):
    part = collect(world)
    cases = in_scope_cases(world)
    want = expected([(spec.opened_at, spec.closed_at, spec.late) for spec in cases])
    got = {name: part.figures[f"cases_{name}"] for name in ("received", "finished", "on_time", "open")}
    assert got == want and want["received"] == 22 and want["finished"] > want["on_time"] > 0
    # cross-check with the database: counted again with plain queries
    in_scope = Case.objects.filter(site__in=world["in_scope"]) | Case.objects.filter(site__isnull=True)
    assert want["received"] == in_scope.filter(opened_at__gte=MARCH[0], opened_at__lt=MARCH[1]).count()
    assert want["finished"] == in_scope.filter(closed_at__gte=MARCH[0], closed_at__lt=MARCH[1]).count()
    complaints = [spec for spec in cases if spec.origin == CaseOrigin.COMPLAINT]
    assert {name: part.figures[f"complaints_{name}"] for name in ("received", "finished", "on_time", "open")} == \
        expected([(spec.opened_at, spec.closed_at, spec.late) for spec in complaints])
    assert part.figures["complaints_received"] == Complaint.objects.filter(site__in=world["in_scope"]).count()
    requests = expected([(spec.submitted_at, spec.completed_at, any(
        step.completed_at and step.completed_at > step.due_at for step in spec.steps)) for spec in world["requests"]])
    assert requests == {"received": 3, "finished": 3, "on_time": 2, "open": 1}
    assert {name: part.figures[f"requests_{name}"] for name in ("received", "finished", "on_time", "open")} == requests
    assert (part.figures["requests_completed"], part.figures["requests_rejected"]) == (2, 1)
    assert part.figures["cases_on_time_percent"] == round(100 * want["on_time"] / want["finished"], 2)


def test_an_organisation_report_keeps_its_own_records(world, org_a):
    part = collect(world, organisation_id=org_a.pk, sites=world["in_scope"][:2])
    ids = {site.pk for site in world["in_scope"][:2]}
    cases = [spec for spec in world["specs"] if spec.site and spec.site.pk in ids]
    assert part.figures["cases_received"] == sum(within(spec.opened_at) for spec in cases)
    assert part.figures["requests_received"] == 2  # org_b's requests are not in org_a's report


def test_tables_and_charts(world):
    part = collect(world)
    summary = {table.key: table for table in part.tables}["service_summary"]
    assert [row[:6] for row in summary.rows] == [
        (label, part.figures[f"{name}_received"], part.figures[f"{name}_finished"], part.figures[f"{name}_on_time"],
         part.figures[f"{name}_late"], part.figures[f"{name}_open"])
        for name, label in (("cases", "Cases"), ("complaints", "Public complaints"), ("requests", "Website requests"))]
    origins = {row[0]: row[1:] for row in {table.key: table for table in part.tables}["service_cases_by_origin"].rows}
    cases = in_scope_cases(world)
    for origin in CaseOrigin:
        mine = [spec for spec in cases if spec.origin == origin]
        if mine:
            want = expected([(spec.opened_at, spec.closed_at, False) for spec in mine])
            assert origins[str(origin.label)] == (want["received"], want["finished"], want["open"])
    assert len(part.charts) == 3
    for chart, name in zip(part.charts, ("cases", "complaints", "requests"), strict=True):
        root = ET.fromstring(chart.svg)
        shares = [part.figures[f"{name}_{kind}"] for kind in ("on_time", "late", "open")]
        # one bar piece per share above zero, and one legend square per share
        assert len(root.findall(f"{SVG}rect")) == sum(1 for value in shares if value) + 3
        assert f"On time: {shares[0]}" in chart.svg


def test_compliance_per_sop(world):
    part = collect(world)
    tables = {table.key: table for table in part.tables}
    sops = {row[0]: row for row in tables["service_sop"].rows}
    cases = in_scope_cases(world)
    steps = [step for spec in cases if spec.origin != CaseOrigin.MONITOR for step in spec.steps]
    done = [step for step in steps if within(step.completed_at)]
    timed = [step for step in done if step.due_at]
    on_time = [step for step in timed if step.completed_at <= step.due_at]
    complaint_sop = sops["Pemeliharaan Portal Website DJKI"]
    assert complaint_sop[3:6] == (len(done), len(timed), len(on_time))
    assert complaint_sop[1] == sum(within(spec.opened_at) for spec in cases if spec.origin != CaseOrigin.MONITOR)
    figures = part.figures["sops"][COMPLAINT_SOP]
    assert (figures["steps_done"], figures["within"]) == (len(done), len(on_time))
    steps_table = tables[f"service_sop_{COMPLAINT_SOP}"]
    step4 = next(row for row in steps_table.rows if row[0] == 4)
    assert step4[4] == sum(1 for step in done if step.number == 4)
    assert part.figures["sop_steps_done"] == sum(row[3] for row in tables["service_sop"].rows)


def test_problems_name_overdue_cases(world):
    part = collect(world)
    overdue = [spec for spec in in_scope_cases(world) if spec.closed_at is None and any(
        step.step_state == StepState.OPEN and step.due_at and step.due_at < MARCH[1] for step in spec.steps)]
    assert part.figures["cases_overdue"] == len(overdue) == 8
    problem = next(problem for problem in part.problems if "past the due time" in problem.text)
    assert problem.text.startswith("8 cases are open past the due time") and problem.text.endswith("and 3 more.")
    oldest = min(overdue, key=lambda spec: spec.opened_at)  # opened in February, overdue since then
    assert problem.text.split(": ", 1)[1].startswith(Case.objects.get(opened_at=oldest.opened_at, closed_at=None).title)
    # the SOPs all kept above 80 % of their steps within time: no compliance problem
    assert part.figures["sop_within_percent"] > 80 and len(part.problems) == 1


def test_an_sop_mostly_late_is_a_problem(org_a):
    site = Site.objects.create(slug="lambat", name="Situs Lambat", url="http://127.0.0.1:9101/", organisation=org_a)
    specs = []
    for day, minutes in zip((2, 3, 4, 5, 6), (2, 5, 6, 7, 8), strict=True):  # step 3 late 4 times out of 5
        steps = steps_after(at(2026, 3, day, 9), [minutes, 1])
        specs.append(CaseSpec(site, org_a, at(2026, 3, day, 9), steps[-1].completed_at, CaseOrigin.STAFF, steps))
    make_cases(specs)
    part = ServiceSection().collect(month_scope(2026, 3, [site.pk], org_a.pk, now=ISSUED))
    assert part.figures["sop_steps_within"] == 6 and part.figures["sop_steps_timed"] == 10
    [problem] = part.problems
    assert problem.text == ("Pemeliharaan Portal Website DJKI: 60.0% of the 10 steps with a time standard were done "
                            "within it, below the 80.0% expected.")
    assert problem.recommendation.startswith("Step 3 (") and "(4 times)" in problem.recommendation
    assert problem.level == "warning"
    assert part.figures["cases_on_time"] == 1 and part.figures["cases_late"] == 4


def test_a_quiet_month(org_a):
    site = Site.objects.create(slug="sepi", name="Situs Sepi", url="http://127.0.0.1:9100/", organisation=org_a)
    part = ServiceSection().collect(month_scope(2026, 3, [site.pk], org_a.pk, now=ISSUED))
    assert part.figures["cases_received"] == 0 and part.problems == []
    assert all(len(ET.fromstring(chart.svg).findall(f"{SVG}rect")) == 4 for chart in part.charts)
    assert part.paragraphs and part.summary


def test_queries_do_not_grow_with_sites(world, org_b):
    with CaptureQueriesContext(connection) as three_sites:
        collect(world)
    more = [Site.objects.create(slug=f"tambah-{n}", name=f"Tambah {n}", url=f"http://127.0.0.1:91{n}/",
                                organisation=org_b) for n in range(10, 16)]
    make_cases(month_of_cases(more))
    with CaptureQueriesContext(connection) as nine_sites:
        part = collect(world, sites=world["in_scope"] + more)
    assert part.figures["cases_received"] == 22 + 6 * 7
    assert len(nine_sites.captured_queries) == len(three_sites.captured_queries)
