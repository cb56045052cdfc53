"""Service in the monthly report: cases, public complaints and website requests in the period, and how much of
the SOP work on them was done within its time standard (the Mutu Baku "Waktu", counted by `sop.compliance`).

An item (case, complaint, request) counts as finished on time when none of its run's steps was completed after
its due time; the per-SOP table counts steps, as the SOP compliance page does. The helpers `scope_filter` and
`request_filter` say which records of the SOP and renewals apps belong to a report's scope; the renewals and
open-problems sections use them too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from jagaweb.people.scope import organisation_subtree
from jagaweb.reports.charts import number, share_bar
from jagaweb.reports.choices import ColumnKind, ProblemLevel
from jagaweb.reports.sections.base import Chart, Column, Part, Problem, Scope, Section, Table
from jagaweb.reports.sections.words import listed
from jagaweb.sop.choices import CaseOrigin, RequestState, RunState, StepState
from jagaweb.sop.compliance import Compliance, StepFigures, compliance_all
from jagaweb.sop.models import Case, Complaint, Run, RunStep, WebsiteRequest

ON_TIME_STANDARD = 0.8  # the share of steps within their Waktu below which a problem is raised
LISTED = 5  # items named in a problem's text; the rest are counted


def organisation_ids(scope: Scope) -> set[int] | None:
    """The organisations whose own records (without a site) are in scope; None: every organisation's."""
    if scope.organisation_id is None:
        return None
    return organisation_subtree({scope.organisation_id})


def scope_filter(scope: Scope, prefix: str = "") -> Q:
    """Records of the sites in scope, and records of a whole organisation (no site) when it is the scope's
    organisation or one of its units (any organisation's when the scope names none)."""
    own = Q(**{f"{prefix}site__isnull": True})
    organisations = organisation_ids(scope)
    if organisations is not None:
        own &= Q(**{f"{prefix}organisation_id__in": organisations})
    return Q(**{f"{prefix}site_id__in": scope.site_ids}) | own


def request_filter(scope: Scope) -> Q:
    """Website requests go by the requesting organisation (and by the site they update)."""
    organisations = organisation_ids(scope)
    if organisations is None:
        return Q()
    return Q(organisation_id__in=organisations) | Q(site_id__in=scope.site_ids)


def place(site_name: str | None, organisation_name: str) -> str:
    return site_name or organisation_name


def period_phrase(scope: Scope) -> str:
    """How the prose names the period: the month, or the days a situation report looks back on."""
    if scope.is_situation:
        return _("In the past %(days)d days") % {"days": (scope.end - scope.start).days}
    return _("In this period")


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 2) if whole else None


def person_name(username: str | None, first: str | None, last: str | None) -> str | None:
    """A user's full name, else the user name (None: nobody)."""
    return f"{first or ''} {last or ''}".strip() or username


@dataclass(frozen=True)
class Tally:
    """One kind of item in the period: received, finished (and of those on time), open at the period's end."""

    received: int
    finished: int
    on_time: int
    still_open: int

    @property
    def late(self) -> int:
        return self.finished - self.on_time

    @property
    def share_on_time(self) -> float | None:
        return percent(self.on_time, self.finished)


def late_step(run_field: str) -> Exists:
    """Whether the item's run has a step completed after its due time."""
    return Exists(RunStep.objects.filter(run_id=OuterRef(run_field), state=StepState.DONE, due_at__isnull=False,
                                         completed_at__gt=F("due_at")))


def in_period(field: str, scope: Scope) -> Q:
    return Q(**{f"{field}__gte": scope.start, f"{field}__lt": scope.end})


def tally(items: QuerySet[Any], scope: Scope, *, received: str, finished: str, run: str) -> dict[str, int]:
    """One aggregate query: `received` and `finished` name the item's time fields, `run` its run's id."""
    done = in_period(finished, scope)
    counts: dict[str, int] = items.annotate(late=late_step(run)).aggregate(
        received=Count("pk", filter=in_period(received, scope)),
        finished=Count("pk", filter=done),
        on_time=Count("pk", filter=done & Q(late=False)),
        still_open=Count("pk", filter=Q(**{f"{received}__lt": scope.end}) & (
            Q(**{f"{finished}__isnull": True}) | Q(**{f"{finished}__gte": scope.end}))),
    )
    return counts


CATEGORIES = (("cases", gettext_lazy("Cases")), ("complaints", gettext_lazy("Public complaints")),
              ("requests", gettext_lazy("Website requests")))


class ServiceSection(Section):
    key = "service"
    title = gettext_lazy("Cases, complaints and website requests")

    def collect(self, scope: Scope) -> Part:
        part = self.part()
        cases = Case.objects.filter(scope_filter(scope))
        requests = WebsiteRequest.objects.filter(request_filter(scope))
        tallies = {
            "cases": Tally(**tally(cases, scope, received="opened_at", finished="closed_at", run="run_id")),
            "complaints": Tally(**tally(Complaint.objects.filter(site_id__in=scope.site_ids), scope,
                                        received="received_at", finished="case__closed_at", run="case__run_id")),
            "requests": Tally(**tally(requests, scope, received="submitted_at", finished="completed_at",
                                      run="run_id")),
        }
        outcomes = request_outcomes(requests, scope)
        runs = Run.objects.filter(Q(pk__in=cases.values("run_id")) | Q(pk__in=requests.values("run_id")))
        moment = min(scope.now, scope.end)
        reports = [report for report in compliance_all(scope.start, scope.end, runs=runs, now=moment)
                   if report.runs or report.steps_done or report.overdue]
        overdue = overdue_cases(cases, moment)
        part.figures = figures(tallies, outcomes, reports, overdue)
        part.tables = [summary_table(tallies), origin_table(cases, scope), sop_table(reports),
                       *[steps_table(report) for report in reports]]
        part.charts = [share_chart(label, tallies[name]) for name, label in CATEGORIES]
        part.paragraphs = paragraphs(tallies, outcomes, reports)
        part.summary = summary(tallies, reports)
        part.problems = [*compliance_problems(reports), *overdue_problems(overdue)]
        return part


def request_outcomes(requests: QuerySet[WebsiteRequest], scope: Scope) -> dict[str, int]:
    done = in_period("completed_at", scope)
    counts: dict[str, int] = requests.aggregate(
        completed=Count("pk", filter=done & Q(state=RequestState.COMPLETED)),
        rejected=Count("pk", filter=done & Q(state=RequestState.REJECTED)),
    )
    return counts


@dataclass(frozen=True)
class OverdueCase:
    title: str
    place: str
    step: int
    due_at: datetime


def overdue_cases(cases: QuerySet[Case], moment: datetime) -> list[OverdueCase]:
    """Cases open now whose current step was past its due time at `moment`, the longest overdue first
    (one join; a case with several overdue steps is named once, by its earliest due time)."""
    rows = (cases.filter(closed_at__isnull=True, opened_at__lt=moment, run__state=RunState.OPEN,
                         run__steps__state=StepState.OPEN, run__steps__due_at__lt=moment)
            .order_by("run__steps__due_at", "pk")
            .values_list("pk", "title", "site__name", "organisation__name", "run__steps__number",
                         "run__steps__due_at"))
    found: dict[int, OverdueCase] = {}
    for pk, title, site_name, organisation_name, step, due_at in rows.iterator(chunk_size=2000):
        if pk not in found and due_at is not None:
            found[pk] = OverdueCase(title, place(site_name, organisation_name), step, due_at)
    return list(found.values())


def figures(tallies: dict[str, Tally], outcomes: dict[str, int], reports: list[Compliance],
            overdue: list[OverdueCase]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, counts in tallies.items():
        values.update({f"{name}_received": counts.received, f"{name}_finished": counts.finished,
                       f"{name}_on_time": counts.on_time, f"{name}_late": counts.late,
                       f"{name}_open": counts.still_open, f"{name}_on_time_percent": counts.share_on_time})
    values.update({"requests_completed": outcomes["completed"], "requests_rejected": outcomes["rejected"]})
    timed, within = sum(report.timed for report in reports), sum(report.within for report in reports)
    values.update({
        "sop_runs": sum(report.runs for report in reports),
        "sop_steps_done": sum(report.steps_done for report in reports),
        "sop_steps_timed": timed, "sop_steps_within": within, "sop_within_percent": percent(within, timed),
        "sop_steps_overdue": sum(len(report.overdue) for report in reports),
        "cases_overdue": len(overdue),
        "sops": {report.definition: {"runs": report.runs, "steps_done": report.steps_done, "timed": report.timed,
                                     "within": report.within, "overdue": len(report.overdue)}
                 for report in reports},
    })
    return values


def summary_table(tallies: dict[str, Tally]) -> Table:
    columns = [Column(_("Kind")), Column(_("Received"), ColumnKind.INTEGER),
               Column(_("Finished"), ColumnKind.INTEGER), Column(_("On time"), ColumnKind.INTEGER),
               Column(_("Late"), ColumnKind.INTEGER), Column(_("Open at the end of the period"), ColumnKind.INTEGER),
               Column(_("Finished on time"), ColumnKind.PERCENT)]
    rows = [(str(label), tallies[name].received, tallies[name].finished, tallies[name].on_time, tallies[name].late,
             tallies[name].still_open, tallies[name].share_on_time) for name, label in CATEGORIES]
    return Table("service_summary", _("Cases, complaints and website requests in the period"), columns, rows,
                 note=_("Finished on time: no step of the item's SOP run was completed after its due time (Waktu). "
                        "Complaints are also counted among the cases."))


def origin_table(cases: QuerySet[Case], scope: Scope) -> Table:
    opened, closed = in_period("opened_at", scope), in_period("closed_at", scope)
    still_open = Q(opened_at__lt=scope.end) & (Q(closed_at__isnull=True) | Q(closed_at__gte=scope.end))
    grouped = (cases.filter(opened | closed | still_open).values("origin").order_by("origin")
               .annotate(opened=Count("pk", filter=opened), closed=Count("pk", filter=closed),
                         still_open=Count("pk", filter=still_open)))
    counts = {row["origin"]: (row["opened"], row["closed"], row["still_open"]) for row in grouped}
    rows = [(str(origin.label), *counts[origin.value]) for origin in CaseOrigin if origin.value in counts]
    columns = [Column(_("Origin")), Column(_("Opened"), ColumnKind.INTEGER), Column(_("Closed"), ColumnKind.INTEGER),
               Column(_("Open at the end of the period"), ColumnKind.INTEGER)]
    return Table("service_cases_by_origin", _("Cases by origin"), columns, rows,
                 empty=_("No cases were open in the period."))


def sop_table(reports: list[Compliance]) -> Table:
    columns = [Column(_("SOP")), Column(_("Runs started"), ColumnKind.INTEGER),
               Column(_("Runs finished"), ColumnKind.INTEGER), Column(_("Steps done"), ColumnKind.INTEGER),
               Column(_("Steps with a time standard"), ColumnKind.INTEGER),
               Column(_("Done within the time standard"), ColumnKind.INTEGER),
               Column(_("Share within the time standard"), ColumnKind.PERCENT),
               Column(_("Steps overdue"), ColumnKind.INTEGER)]
    rows = [(report.title, report.runs, report.finished, report.steps_done, report.timed, report.within,
             percent(report.within, report.timed), len(report.overdue)) for report in reports]
    return Table("service_sop", _("Time standard (Waktu) per SOP"), columns, rows,
                 note=_("Steps are counted in the period they were completed in, runs in the period they started "
                        "in; overdue steps are those still open past their due time at the end of the period."),
                 empty=_("No SOP runs for cases, complaints or website requests in the period."))


def steps_table(report: Compliance) -> Table:
    columns = [Column(_("Step"), ColumnKind.INTEGER), Column(_("Activity")), Column(_("Performer")),
               Column(_("Time standard")), Column(_("Done"), ColumnKind.INTEGER),
               Column(_("Within the time standard"), ColumnKind.INTEGER),
               Column(_("Share within"), ColumnKind.PERCENT), Column(_("Average time taken"), ColumnKind.DURATION),
               Column(_("Average time allowed"), ColumnKind.DURATION)]
    rows = [(step.number, step.activity, step.performer, step.waktu, step.done, step.within,
             percent(step.within, step.timed), step.average_taken, step.average_allowed) for step in report.steps]
    key = "service_sop_" + slugify(report.definition).replace("-", "_")
    return Table(key, _("%(sop)s: steps against their time standard") % {"sop": report.title}, columns, rows,
                 note=_("Times are working time, without the time spent waiting for the requester."))


def share_chart(label: Any, counts: Tally) -> Chart:
    svg = share_bar([(_("On time"), counts.on_time), (_("Late"), counts.late), (_("Open"), counts.still_open)],
                    colours=["good", "bad", "fair"])
    return Chart(_("%(kind)s: finished on time, late and still open") % {"kind": label}, svg)


def share_text(value: float | None) -> str:
    # number() cuts decimals off; round first so that 88.89 reads 88.9
    return "-" if value is None else f"{number(round(value, 1), 1)}%"


def paragraphs(tallies: dict[str, Tally], outcomes: dict[str, int], reports: list[Compliance]) -> list[str]:
    cases, complaints, requests = tallies["cases"], tallies["complaints"], tallies["requests"]
    texts = [
        ngettext("In this period %(opened)d case was opened and %(closed)d closed; %(open)d remained open at the "
                 "end of the period.",
                 "In this period %(opened)d cases were opened and %(closed)d closed; %(open)d remained open at the "
                 "end of the period.", cases.received)
        % {"opened": cases.received, "closed": cases.finished, "open": cases.still_open},
        _("%(received)d public complaints were received and %(answered)d answered. %(submitted)d website requests "
          "were submitted; %(completed)d were completed and %(rejected)d rejected.")
        % {"received": complaints.received, "answered": complaints.finished, "submitted": requests.received,
           "completed": outcomes["completed"], "rejected": outcomes["rejected"]},
    ]
    if cases.finished or complaints.finished or requests.finished:
        texts.append(_("Of the work finished in the period, %(cases)s of the cases, %(complaints)s of the complaints "
                       "and %(requests)s of the website requests were finished within the time standard of their "
                       "SOP.") % {"cases": share_text(cases.share_on_time),
                                  "complaints": share_text(complaints.share_on_time),
                                  "requests": share_text(requests.share_on_time)})
    timed = sum(report.timed for report in reports)
    if timed:
        within = sum(report.within for report in reports)
        texts.append(_("Across the SOPs, %(within)d of the %(timed)d steps with a time standard (%(share)s) were "
                       "done within it.") % {"within": within, "timed": timed,
                                             "share": share_text(percent(within, timed))})
    return texts


def summary(tallies: dict[str, Tally], reports: list[Compliance]) -> list[str]:
    timed, within = sum(report.timed for report in reports), sum(report.within for report in reports)
    return [_("%(cases)d cases, %(complaints)d complaints and %(requests)d website requests were received; "
              "%(share)s of the SOP steps were done within their time standard.")
            % {"cases": tallies["cases"].received, "complaints": tallies["complaints"].received,
               "requests": tallies["requests"].received, "share": share_text(percent(within, timed))}]


def most_late(steps: list[StepFigures]) -> StepFigures | None:
    late = [step for step in steps if step.timed > step.within]
    return max(late, key=lambda step: (step.timed - step.within, -step.number), default=None)


def compliance_problems(reports: list[Compliance]) -> list[Problem]:
    problems = []
    for report in reports:
        share = report.share_within
        if share is None or share >= ON_TIME_STANDARD:
            continue
        text = (_("%(sop)s: %(share)s of the %(timed)d steps with a time standard were done within it, below the "
                  "%(standard)s expected.")
                % {"sop": report.title, "share": share_text(100 * share), "timed": report.timed,
                   "standard": share_text(100 * ON_TIME_STANDARD)})
        worst = most_late(report.steps)
        advice = _("Follow overdue steps up daily, check that each step's role has people assigned, and review "
                   "whether the time standards fit the work.")
        if worst is not None:
            advice = (_("Step %(step)d (%(activity)s, %(performer)s) was late most often (%(late)d times): review "
                        "it with its performers and their supervisor, and follow overdue steps up daily.")
                      % {"step": worst.number, "activity": worst.activity, "performer": worst.performer,
                         "late": worst.timed - worst.within})
        level = ProblemLevel.CRITICAL if share < ON_TIME_STANDARD / 2 else ProblemLevel.WARNING
        problems.append(Problem(text, advice, level))
    return problems


def overdue_problems(overdue: list[OverdueCase]) -> list[Problem]:
    if not overdue:
        return []
    names = [_("%(title)s (%(place)s, step %(step)d, due %(due)s)") % {
        "title": case.title, "place": case.place, "step": case.step,
        "due": formats.date_format(timezone.localtime(case.due_at), "SHORT_DATETIME_FORMAT")} for case in overdue]
    text = ngettext("%(count)d case is open past the due time of its current SOP step: %(cases)s.",
                    "%(count)d cases are open past the due time of their current SOP step: %(cases)s.",
                    len(overdue)) % {"count": len(overdue), "cases": listed(names, LISTED, "; ")}
    advice = _("Have the holders complete or hand over the overdue steps, escalate those without a holder to the "
               "supervisor, and record the reason for each delay in the case.")
    return [Problem(text, advice, ProblemLevel.WARNING)]
