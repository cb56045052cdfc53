"""Issuing a report: collect every section, summarise, draw the HTML and the PDF, export the tables, store.

`issue_report()` is the one way a report is made: the page, the API, the command and the schedule call it.
A report that fails is kept, marked failed with the step and the error, so nothing disappears silently.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from jagaweb.activity.choices import Severity
from jagaweb.activity.log import Actor, SystemJob, actor_label, record
from jagaweb.inventory.models import Organisation
from jagaweb.reports import verbs
from jagaweb.reports.acknowledge import forward
from jagaweb.reports.choices import ReportKind, ReportState
from jagaweb.reports.exports import all_tables, csv_zip, xlsx
from jagaweb.reports.models import Report, ReportSchedule
from jagaweb.reports.periods import day_scope, month_scope, situation_scope
from jagaweb.reports.render import Document, html_to_pdf, render_html, unit_name
from jagaweb.reports.scoping import report_site_ids
from jagaweb.reports.sections.base import Part, Scope, Section
from jagaweb.reports.sections.registry import appendices_for, sections_for
from jagaweb.reports.summary import Summary, summarise
from jagaweb.steps import Step, StepFailed, run_steps

Progress = Callable[[int, int], None]
NUMBER_PREFIX: dict[str, str] = {ReportKind.MONTHLY: "LPB", ReportKind.SITUATION: "LSK", ReportKind.DAILY_LOG: "LKH"}


@dataclass
class Work:
    report: Report
    scope: Scope
    progress: Progress | None = None
    sections: list[Section] = field(default_factory=list)
    appendix_sections: list[Section] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)
    appendices: list[Part] = field(default_factory=list)
    summary: Summary | None = None
    html: str = ""
    pdf: bytes = b""
    pages: int = 0
    stored: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def advance(self, done: int) -> None:
        # Sections are most of the work; the PDF counts as two more units.
        total = len(self.sections) + len(self.appendix_sections) + 2
        # The report's page shows a progress bar from these while the worker prepares it.
        Report.objects.filter(pk=self.report.pk).update(progress_done=done, progress_total=total)
        self.report.progress_done, self.report.progress_total = done, total
        if self.progress is not None:
            self.progress(done, total)


class CollectSections(Step[Work]):
    name = "collect"

    def run(self, work: Work) -> None:
        work.sections = sections_for(work.report.kind)
        work.appendix_sections = appendices_for(work.report.kind)
        for section in work.sections:
            work.parts.append(section.collect(work.scope))
            work.advance(len(work.parts))
        for section in work.appendix_sections:
            work.appendices.append(section.collect(work.scope))
            work.advance(len(work.parts) + len(work.appendices))


class Summarise(Step[Work]):
    name = "summarise"

    def run(self, work: Work) -> None:
        work.summary = summarise(work.scope, unit_name(work.report), work.parts)


class RenderDocument(Step[Work]):
    name = "render"

    def run(self, work: Work) -> None:
        assert work.summary is not None
        work.html = render_html(Document(work.report, work.scope, unit_name(work.report), work.summary,
                                         work.parts, work.appendices))
        work.pdf, work.pages = html_to_pdf(work.html)
        work.advance(len(work.parts) + len(work.appendices) + 2)


class Store(Step[Work]):
    """Write the four files and the figures; files already written are removed if a later one fails."""

    name = "store"

    def run(self, work: Work) -> None:
        report = work.report
        tables = all_tables(work.parts + work.appendices)
        base = f"{report.pk}-{report.kind}-{timezone.localtime(report.period_start):%Y%m%d}"
        for attribute, content, extension in (("html", work.html.encode(), "html"), ("pdf", work.pdf, "pdf"),
                                              ("xlsx", xlsx(tables), "xlsx"), ("csv", csv_zip(tables), "zip")):
            file_field = getattr(report, attribute)
            file_field.save(f"{base}.{extension}", ContentFile(content), save=False)
            work.stored.append(attribute)
        report.figures = {part.key: part.figures for part in work.parts + work.appendices}
        report.pages = work.pages
        report.render_seconds = time.monotonic() - work.started
        report.state = ReportState.ISSUED
        report.save()
        work.stored.clear()

    def cleanup(self, work: Work) -> None:
        for attribute in work.stored:
            getattr(work.report, attribute).delete(save=False)


STEPS: list[Step[Work]] = [CollectSections(), Summarise(), RenderDocument(), Store()]


def title_for(kind: str, scope: Scope) -> str:
    if kind == ReportKind.MONTHLY:
        month = formats.date_format(scope.first_day, "YEAR_MONTH_FORMAT")
        return _("Monthly website maintenance report, %(month)s") % {"month": month}
    if kind == ReportKind.DAILY_LOG:
        day = formats.date_format(scope.first_day, "DATE_FORMAT")
        return _("Daily activity log, %(day)s") % {"day": day}
    now = formats.date_format(timezone.localtime(scope.now), "DATE_FORMAT")
    return _("Website situation report, %(day)s") % {"day": now}


def build_scope(kind: str, site_ids: list[int], organisation: Organisation | None, *, month: date | None,
                day: date | None, now: datetime) -> Scope:
    organisation_id = organisation.pk if organisation is not None else None
    if kind == ReportKind.MONTHLY:
        if month is None:
            raise ValueError("a monthly report needs its month")
        return month_scope(month.year, month.month, site_ids, organisation_id, now=now)
    if kind == ReportKind.DAILY_LOG:
        if day is None:
            raise ValueError("a daily activity log needs its day")
        return day_scope(day, site_ids, organisation_id, now=now)
    return situation_scope(site_ids, now=now, organisation_id=organisation_id)


def issue_report(kind: str, *, actor: Actor, organisation: Organisation | None = None, language: str = "id",
                 month: date | None = None, day: date | None = None, now: datetime | None = None,
                 notes: str = "", schedule: ReportSchedule | None = None, slot: date | None = None,
                 progress: Progress | None = None) -> Report:
    """Make, store and archive one report; returns it issued, or failed with its error."""
    now = now or timezone.now()
    scope = build_scope(kind, report_site_ids(organisation, actor), organisation, month=month, day=day, now=now)
    with translation.override(language), transaction.atomic():
        # Its own savepoint: a schedule's slot taken by another worker fails here, before any work.
        report = Report.objects.create(
            kind=kind, title=title_for(kind, scope), organisation=organisation, language=language,
            period_start=scope.start, period_end=scope.end, issued_at=now, notes=notes,
            prepared_by=person(actor), prepared_by_label=preparer(actor),
            schedule=schedule, slot=slot, site_count=len(scope.site_ids),
        )
        report.number = f"{NUMBER_PREFIX[kind]}/{report.pk:05}/{timezone.localtime(now):%m/%Y}"
        report.save(update_fields=["number"])
    work = Work(report, scope, progress)
    with translation.override(language):
        try:
            run_steps(STEPS, work)
        except StepFailed as failure:
            report.state, report.error = ReportState.FAILED, str(failure)
            report.render_seconds = time.monotonic() - work.started
            report.save()
            record(verbs.FAILED, actor=actor, organisation=organisation, target=report, severity=Severity.WARNING,
                   report=report.title, error=str(failure)[:300])
            return report
    record(verbs.ISSUED, actor=actor, organisation=organisation, target=report, report=report.title,
           pages=report.pages, sites=report.site_count)
    forward(report)
    return report


def person(actor: Actor) -> Any:
    """The user behind an actor, or None for a system job (and for an anonymous visitor)."""
    return actor if getattr(actor, "is_authenticated", False) else None


def preparer(actor: Actor) -> str:
    if isinstance(actor, SystemJob):
        return actor_label(actor)
    full_name = getattr(actor, "get_full_name", lambda: "")()
    return full_name or actor_label(actor)
