"""The daily activity log (log kegiatan harian, SOP Pemeliharaan Portal DJKI step 9) of one day: every entry
made by people in full, the system's work counted per job and kind of work, its warnings in full."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jagaweb.activity.choices import Severity
from jagaweb.reports.charts import bar_chart, number
from jagaweb.reports.choices import ColumnKind, ProblemLevel
from jagaweb.reports.sections.activity_data import (
    Counts,
    Entry,
    SystemWork,
    Totals,
    alarming_system_entries,
    entries_by_person,
    events_in_scope,
    finished_working_days,
    labels,
    people_entries,
    per_hour,
    system_work,
    totals,
)
from jagaweb.reports.sections.base import Chart, Column, Part, Problem, Scope, Section, Table, Text

Labels = dict[tuple[str, str], str]

RECORD_DAILY = _("Record each maintenance activity in the daily activity log on the day it is done, as the "
                 "maintenance SOP requires, and remind the officers on duty to do so.")


def long_date(day: date) -> str:
    return str(date_format(day, "j F Y"))


def severity_label(value: str) -> str:
    return str(Severity(value).label) if value in Severity.values else value


def people_columns() -> list[Column]:
    return [Column(_("Officer")), Column(_("Site or unit")), Column(_("Activity"), weight=7)]


def people_row(entry: Entry) -> tuple[str, str | None, str]:
    return entry.who, entry.place, entry.message


def activity_counts(values: list[Counts], labels_of: list[str], titles: tuple[Text, Text]) -> list[Chart]:
    """Two bar charts, people and system: the system's thousands would flatten people's few on one scale."""
    people = bar_chart(labels_of, [float(item.people) for item in values])
    system = bar_chart(labels_of, [float(item.system) for item in values], levels=[item.level for item in values])
    return [Chart(titles[0], people),
            Chart(titles[1], system, caption=_("Red: with critical events; amber: with warnings."))]


class DailyActivitySection(Section):
    key = "daily_activity"
    title = _("Daily activity log")

    def collect(self, scope: Scope) -> Part:
        events = events_in_scope(scope)
        counts = totals(events)
        people = people_entries(events)
        work = system_work(events)
        names = labels(events, work)
        hours = per_hour(events)
        part = self.part()
        part.figures = day_figures(scope, counts, people, work)
        part.paragraphs = day_paragraphs(scope, counts, people, work, names)
        part.summary = [day_summary(scope, counts)]
        part.charts = activity_counts([hours.get(hour, Counts()) for hour in range(24)],
                                      [f"{hour:02d}" for hour in range(24)],
                                      (_("Entries by officers per hour"), _("Entries by the system per hour")))
        part.tables = [day_people_table(people), day_work_table(work, names),
                       alarming_table(alarming_system_entries(events))]
        part.problems = day_problems(scope, counts, people)
        return part


def day_figures(scope: Scope, counts: Totals, people: list[Entry], work: list[SystemWork]) -> dict[str, object]:
    return {
        "day": scope.first_day.isoformat(),
        "total_entries": counts.total,
        "people_entries": counts.people,
        "system_entries": counts.system,
        "info_entries": counts.info,
        "warning_entries": counts.warning,
        "critical_entries": counts.critical,
        "persons": len({entry.username for entry in people}),
        "entries_by_person": entries_by_person(people),
        "system_kinds": len(work),
        "system_sites": counts.system_sites,
    }


def day_paragraphs(scope: Scope, counts: Totals, people: list[Entry], work: list[SystemWork],
                   names: Labels) -> list[str]:
    texts = [_("The activity log of %(day)s holds %(total)s entries: %(people)s made by %(persons)s officers "
               "and %(system)s made by the system.") % {
        "day": long_date(scope.first_day), "total": number(counts.total), "people": number(counts.people),
        "persons": number(len({entry.username for entry in people})), "system": number(counts.system)}]
    if work:
        busiest = max(work, key=lambda item: item.entries)
        texts.append(_("The system carried out %(kinds)s kinds of work on %(sites)s sites; the most frequent was "
                       "“%(label)s” (%(count)s times).") % {
            "kinds": number(len(work)), "sites": number(counts.system_sites),
            "label": names[(busiest.job, busiest.verb)], "count": number(busiest.entries)})
    if counts.alarming:
        texts.append(_("%(warnings)s warnings and %(critical)s critical events were recorded; the system's are "
                       "listed in full in the last table.") % {
            "warnings": number(counts.warning), "critical": number(counts.critical)})
    else:
        texts.append(gettext("No warnings or critical events were recorded."))
    return texts


def day_summary(scope: Scope, counts: Totals) -> str:
    return _("On %(day)s the officers made %(people)s entries in the activity log and the system %(system)s, "
             "of which %(critical)s critical.") % {
        "day": long_date(scope.first_day), "people": number(counts.people), "system": number(counts.system),
        "critical": number(counts.critical)}


def day_people_table(people: list[Entry]) -> Table:
    return Table(
        key="daily_people", title=_("Activities of the officers"),
        columns=[Column(_("Time"), ColumnKind.DATETIME), *people_columns()],
        rows=[(entry.at, *people_row(entry)) for entry in people],
        empty=_("No activity by officers was recorded."),
        print_limit=None,
    )


def day_work_table(work: list[SystemWork], names: Labels) -> Table:
    return Table(
        key="daily_system", title=_("Work done by the system"),
        columns=[Column(_("System job")), Column(_("Activity")), Column(_("Entries"), ColumnKind.INTEGER),
                 Column(_("Sites"), ColumnKind.INTEGER), Column(_("Warnings"), ColumnKind.INTEGER),
                 Column(_("First"), ColumnKind.DATETIME), Column(_("Last"), ColumnKind.DATETIME)],
        rows=[(item.job, names[(item.job, item.verb)], item.entries, item.sites, item.alarming, item.first, item.last)
              for item in work],
        note=_("Entries of the same system job and kind of work are counted together; warnings and critical "
               "events are listed one by one in the next table."),
        empty=_("The system recorded no work."),
        print_limit=None,
    )


def alarming_table(entries: list[Entry]) -> Table:
    return Table(
        key="daily_alerts", title=_("Warnings and critical events of the system"),
        columns=[Column(_("Time"), ColumnKind.DATETIME), Column(_("Severity")), Column(_("System job")),
                 Column(_("Site or unit")), Column(_("Event"))],
        rows=[(entry.at, severity_label(entry.severity), entry.who, entry.place, entry.message)
              for entry in entries],
        empty=_("The system recorded no warnings or critical events."),
        print_limit=None,
    )


def day_problems(scope: Scope, counts: Totals, people: list[Entry]) -> list[Problem]:
    found = []
    if counts.critical:
        found.append(Problem(
            text=_("%(count)s critical events were recorded on %(sites)s sites.") % {
                "count": number(counts.critical), "sites": number(counts.critical_sites)},
            recommendation=gettext("Check each critical event listed in this log, confirm that it has been "
                                   "handled and record the action taken."),
            level=ProblemLevel.CRITICAL))
    recorded = {entry_day(entry) for entry in people}
    unrecorded = [day for day in finished_working_days(scope) if day not in recorded]
    if unrecorded:
        found.append(Problem(
            text=_("No maintenance activity by officers was recorded on %(day)s, a working day.") % {
                "day": ", ".join(long_date(day) for day in unrecorded)},
            recommendation=str(RECORD_DAILY)))
    return found


def entry_day(entry: Entry) -> date:
    return timezone.localtime(entry.at).date()
