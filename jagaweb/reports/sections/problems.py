"""Open problems in the situation report (laporan situasi kondisi): every case open at the moment of issue with its
problem, analysis, alternative solutions and status (the SOP step it is at, who holds it, when it is due), the
most urgent first: overdue, then by origin (attacks before outages before complaints), then the oldest.

A case is open at `scope.now` when it was opened by then and not closed by then; its step is the current one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from jagaweb.people.choices import RoleKind
from jagaweb.reports.charts import hbar_chart
from jagaweb.reports.choices import ColumnKind, ProblemLevel
from jagaweb.reports.sections.base import Chart, Column, Part, Problem, Scope, Section, Table
from jagaweb.reports.sections.service import LISTED, in_period, period_phrase, person_name, place, scope_filter
from jagaweb.reports.sections.words import listed
from jagaweb.sop.choices import CaseOrigin, StepState
from jagaweb.sop.definitions import definitions
from jagaweb.sop.models import Case, RunStep

# Which origin weighs most when nothing is overdue: a defaced or spammed site before an outage before the rest.
ORIGIN_RANK: dict[str, int] = {CaseOrigin.GUARD: 0, CaseOrigin.MONITOR: 1, CaseOrigin.LOGWATCH: 2,
                               CaseOrigin.COMPLAINT: 3, CaseOrigin.STAFF: 4}
TEXT_LIMIT = 800  # characters of a description, analysis or solution shown in the table
UNSOLVED_AFTER = timedelta(days=3)  # an open case without an alternative solution after this long is a problem
# Age bands of the chart: (upper bound in days or None, colour).
AGE_BANDS: tuple[tuple[int | None, str], ...] = ((1, "info"), (3, "info"), (7, "fair"), (30, "bad"), (None, "bad"))


@dataclass(frozen=True)
class CurrentStep:
    number: int
    activity: str
    performer: str
    state: str
    due_at: datetime | None
    holder: str | None
    escalated_to: str


@dataclass(frozen=True)
class OpenCase:
    pk: int
    title: str
    description: str
    analysis: str
    solution: str
    origin: str
    opened_at: datetime
    place: str
    sop: str
    step: CurrentStep | None

    def overdue(self, now: datetime) -> bool:
        """Past the due time of its step; waiting for the requester stops the clock."""
        step = self.step
        return step is not None and step.state == StepState.OPEN and step.due_at is not None and step.due_at < now

    def urgency(self, now: datetime) -> tuple[bool, int, datetime, int]:
        return not self.overdue(now), ORIGIN_RANK.get(self.origin, len(ORIGIN_RANK)), self.opened_at, self.pk


STEP_FIELDS = ("run_id", "number", "activity", "performer_label", "state", "due_at", "assignee__username",
               "assignee__first_name", "assignee__last_name", "escalated_to")


def current_steps(cases: Any) -> dict[int, CurrentStep]:
    """The open step of each case's run, by run (one query; the latest opened wins, as `Run.current_step`)."""
    rows = (RunStep.objects.filter(run_id__in=cases.values("run_id"), state__in=(StepState.OPEN, StepState.WAITING))
            .order_by("pk").values_list(*STEP_FIELDS))
    return {run_id: CurrentStep(number, activity, performer, state, due_at, person_name(username, first, last),
                                escalated_to)
            for run_id, number, activity, performer, state, due_at, username, first, last, escalated_to
            in rows.iterator(chunk_size=2000)}


CASE_FIELDS = ("pk", "title", "description", "analysis", "solution", "origin", "opened_at", "site__name",
               "organisation__name", "run_id", "run__definition_name")


def open_cases(scope: Scope) -> list[OpenCase]:
    cases = Case.objects.filter(scope_filter(scope), opened_at__lte=scope.now).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gt=scope.now))
    steps = current_steps(cases)
    titles = {name: definition.header.nama for name, definition in definitions().items()}
    found = [OpenCase(pk, title, description, analysis, solution, origin, opened_at,
                      place(site_name, organisation_name), titles.get(sop, sop) if sop else "",
                      steps.get(run_id) if run_id is not None else None)
             for pk, title, description, analysis, solution, origin, opened_at, site_name, organisation_name, run_id,
             sop in cases.values_list(*CASE_FIELDS).iterator(chunk_size=2000)]
    return sorted(found, key=lambda case: case.urgency(scope.now))


def shorten(text: str) -> str:
    return text if len(text) <= TEXT_LIMIT else text[:TEXT_LIMIT - 1].rstrip() + "…"


def origin_name(origin: str) -> str:
    return str(CaseOrigin(origin).label) if origin in CaseOrigin.values else origin


def role_name(kind: str) -> str:
    # The role labels explain themselves in brackets ("Supervisor (assigns, verifies)"); a status needs the name.
    return str(RoleKind(kind).label).split(" (")[0] if kind in RoleKind.values else kind


def status(case: OpenCase, now: datetime) -> str:
    step = case.step
    if step is None:
        return _("Open; no SOP step is open") if case.sop else _("Open; not followed by an SOP run")
    text = _("%(sop)s, step %(step)d: %(activity)s (%(state)s)") % {
        "sop": case.sop, "step": step.number, "activity": step.activity, "state": StepState(step.state).label}
    if case.overdue(now):
        text += _(", overdue")
    return text


def holder(case: OpenCase) -> str | None:
    step = case.step
    if step is None:
        return None
    held = step.holder or step.performer
    if step.escalated_to:
        held = _("%(holder)s; escalated to %(role)s") % {"holder": held, "role": role_name(step.escalated_to)}
    return held


def case_row(case: OpenCase, now: datetime) -> tuple[Any, ...]:
    return (case.place, case.title, shorten(case.description), shorten(case.analysis), shorten(case.solution),
            status(case, now), holder(case), case.step.due_at if case.step else None, case.opened_at,
            now - case.opened_at, origin_name(case.origin))


def cases_table(cases: list[OpenCase], now: datetime) -> Table:
    columns = [Column(_("Site or organisation")), Column(_("Problem")), Column(_("Description")),
               Column(_("Analysis")), Column(_("Alternative solutions")), Column(_("Status")), Column(_("Held by")),
               Column(_("Due"), ColumnKind.DATETIME), Column(_("Opened"), ColumnKind.DATETIME),
               Column(_("Open for"), ColumnKind.DURATION), Column(_("Origin"))]
    long = any(len(text) > TEXT_LIMIT for case in cases for text in (case.description, case.analysis, case.solution))
    note = _("Overdue problems first, then by origin and age.")
    if long:
        note += " " + _("Long texts are shortened to %(limit)d characters; each case holds the full text.") % {
            "limit": TEXT_LIMIT}
    return Table("open_problems", _("Open problems with their alternative solutions and status"), columns,
                 [case_row(case, now) for case in cases], note=note,
                 empty=_("No problems are open at the time of this report."))


def age_counts(cases: list[OpenCase], now: datetime) -> list[int]:
    counts = [0] * len(AGE_BANDS)
    for case in cases:
        age = now - case.opened_at
        index = next(index for index, (upper, _colour) in enumerate(AGE_BANDS)
                     if upper is None or age < timedelta(days=upper))
        counts[index] += 1
    return counts


def age_labels() -> list[str]:
    labels, lower = [], 0
    for upper, _colour in AGE_BANDS:
        if upper is None:
            labels.append(_("%(days)d days or more") % {"days": lower})
        elif lower == 0:
            labels.append(_("Less than %(days)d day") % {"days": upper})
        else:
            labels.append(_("%(low)d to %(high)d days") % {"low": lower, "high": upper})
        lower = upper or lower
    return labels


def age_chart(cases: list[OpenCase], now: datetime) -> Chart:
    svg = hbar_chart(age_labels(), [float(value) for value in age_counts(cases, now)],
                     colours=[colour for _upper, colour in AGE_BANDS])
    return Chart(_("Open problems by how long they have been open"), svg)


class OpenProblemsSection(Section):
    key = "open_problems"
    title = gettext_lazy("Open problems, alternative solutions and status")

    def collect(self, scope: Scope) -> Part:
        part = self.part()
        now = scope.now
        cases = open_cases(scope)
        overdue = [case for case in cases if case.overdue(now)]
        waiting = [case for case in cases if case.step is not None and case.step.state == StepState.WAITING]
        unsolved = [case for case in cases if not case.solution.strip() and now - case.opened_at > UNSOLVED_AFTER]
        recent = recent_counts(scope)
        oldest = min(cases, key=lambda case: (case.opened_at, case.pk), default=None)
        part.figures = {
            "open_count": len(cases), "overdue_count": len(overdue), "waiting_count": len(waiting),
            "without_solution_count": sum(1 for case in cases if not case.solution.strip()),
            "unsolved_count": len(unsolved), "opened_recent": recent["opened"], "closed_recent": recent["closed"],
            "oldest_open_days": (now - oldest.opened_at).days if oldest else None,
            "by_origin": {origin.value: count for origin in CaseOrigin
                          if (count := sum(1 for case in cases if case.origin == origin))},
        }
        part.tables = [cases_table(cases, now)]
        if cases:
            part.charts = [age_chart(cases, now)]
        part.paragraphs = paragraphs(scope, cases, overdue, waiting, recent, oldest)
        part.summary = [ngettext("%(open)d problem is open, %(overdue)d of them past its due time.",
                                 "%(open)d problems are open, %(overdue)d of them past their due time.", len(cases))
                        % {"open": len(cases), "overdue": len(overdue)}]
        part.problems = [*overdue_problems(overdue), *unsolved_problems(unsolved)]
        return part


def recent_counts(scope: Scope) -> dict[str, int]:
    counts: dict[str, int] = Case.objects.filter(scope_filter(scope)).aggregate(
        opened=Count("pk", filter=in_period("opened_at", scope)),
        closed=Count("pk", filter=in_period("closed_at", scope)))
    return counts


def paragraphs(scope: Scope, cases: list[OpenCase], overdue: list[OpenCase], waiting: list[OpenCase],
               recent: dict[str, int], oldest: OpenCase | None) -> list[str]:
    if not cases:
        texts = [_("No problems are open at the time of this report.")]
    else:
        texts = [ngettext("At the time of this report %(open)d problem is open: %(overdue)d past the due time of its "
                          "SOP step and %(waiting)d waiting for the requester.",
                          "At the time of this report %(open)d problems are open: %(overdue)d past the due time of "
                          "their SOP step and %(waiting)d waiting for the requester.", len(cases))
                 % {"open": len(cases), "overdue": len(overdue), "waiting": len(waiting)}]
    texts.append(_("%(period)s %(opened)d cases were opened and %(closed)d closed.") % {
        "period": period_phrase(scope), "opened": recent["opened"], "closed": recent["closed"]})
    if oldest is not None:
        texts.append(_("The oldest, %(title)s (%(place)s), has been open since %(day)s.") % {
            "title": oldest.title, "place": oldest.place,
            "day": formats.date_format(timezone.localtime(oldest.opened_at), "DATE_FORMAT")})
    without = sum(1 for case in cases if not case.solution.strip())
    if without:
        texts.append(ngettext("%(count)d open problem has no alternative solution recorded yet.",
                              "%(count)d open problems have no alternative solution recorded yet.", without)
                     % {"count": without})
    return texts


def due_text(moment: datetime | None) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT") if moment else "-"


def overdue_problems(overdue: list[OpenCase]) -> list[Problem]:
    if not overdue:
        return []
    names = []
    for case in overdue:
        assert case.step is not None  # an overdue case has its step
        names.append(_("%(title)s (%(place)s; step %(step)d, %(holder)s, due %(due)s)") % {
            "title": case.title, "place": case.place, "step": case.step.number, "holder": holder(case),
            "due": due_text(case.step.due_at)})
    text = ngettext("%(count)d open problem is past the due time of its SOP step: %(cases)s.",
                    "%(count)d open problems are past the due time of their SOP step: %(cases)s.", len(overdue)) % {
        "count": len(overdue), "cases": listed(names, LISTED, "; ")}
    advice = _("Have the holders complete the overdue steps today or hand them over; the supervisor follows each "
               "up until the case is closed.")
    return [Problem(text, advice, ProblemLevel.CRITICAL)]


def unsolved_problems(unsolved: list[OpenCase]) -> list[Problem]:
    if not unsolved:
        return []
    text = ngettext("%(count)d open problem has had no alternative solution recorded for more than %(days)d days: "
                    "%(cases)s.",
                    "%(count)d open problems have had no alternative solution recorded for more than %(days)d "
                    "days: %(cases)s.", len(unsolved)) % {
        "count": len(unsolved), "days": UNSOLVED_AFTER.days,
        "cases": listed([_("%(title)s (%(place)s)") % {"title": case.title, "place": case.place}
                         for case in unsolved], LISTED, "; ")}
    advice = _("Record the analysis and the alternative solutions in each case, so that the supervisor can choose "
               "one and the repair can start.")
    return [Problem(text, advice, ProblemLevel.WARNING)]
