"""The monthly report's appendix: the daily activity log of the month, day by day (people's entries in full,
the system's work counted per day, job and kind of work)."""

from __future__ import annotations

from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jagaweb.reports.charts import number
from jagaweb.reports.choices import ColumnKind, ProblemLevel
from jagaweb.reports.sections.activity_data import (
    Counts,
    Entry,
    SystemWork,
    Totals,
    entries_by_person,
    events_in_scope,
    finished_working_days,
    labels,
    people_entries,
    per_day,
    system_work,
    totals,
    working_days,
)
from jagaweb.reports.sections.activity_day import (
    RECORD_DAILY,
    Labels,
    activity_counts,
    entry_day,
    long_date,
    people_columns,
    people_row,
)
from jagaweb.reports.sections.base import Column, Part, Problem, Scope, Section, Table
from jagaweb.reports.sections.words import listed

LISTED_DAYS = 10  # the unrecorded days a problem names one by one


class MonthlyActivityAppendix(Section):
    key = "activity_appendix"
    title = _("Appendix: daily activity log of the month")

    def collect(self, scope: Scope) -> Part:
        events = events_in_scope(scope)
        counts = totals(events)
        days = per_day(events, scope.days)
        people = people_entries(events)
        work = system_work(events, scope.days)
        names = labels(events, work)
        month = Month(scope, counts, days, people)
        part = self.part()
        part.figures = month.figures()
        part.paragraphs = month.paragraphs()
        part.summary = [month.summary()]
        part.charts = activity_counts([days.get(day, Counts()) for day in scope.days],
                                      [str(day.day) for day in scope.days],
                                      (_("Entries by officers per day"), _("Entries by the system per day")))
        part.tables = [month.days_table(), month_people_table(people), month_work_table(work, names)]
        part.problems = month.problems()
        return part


class Month:
    """The month's figures, worded: what the appendix says above its tables."""

    def __init__(self, scope: Scope, counts: Totals, days: dict[date, Counts], people: list[Entry]) -> None:
        self.scope, self.counts, self.days, self.people = scope, counts, days, people
        self.working = working_days(scope)
        self.judged = finished_working_days(scope)
        recorded = {entry_day(entry) for entry in people}
        self.recorded = [day for day in self.judged if day in recorded]
        self.unrecorded = [day for day in self.judged if day not in recorded]
        self.busiest = max(days.items(), key=lambda item: (item[1].total, -item[0].toordinal()), default=None)
        self.persons = len({entry.username for entry in people})

    def name(self) -> str:
        return str(date_format(self.scope.first_day, "F Y"))

    def figures(self) -> dict[str, object]:
        counts = self.counts
        return {
            "month": self.scope.first_day.strftime("%Y-%m"),
            "total_entries": counts.total,
            "people_entries": counts.people,
            "system_entries": counts.system,
            "info_entries": counts.info,
            "warning_entries": counts.warning,
            "critical_entries": counts.critical,
            "persons": self.persons,
            "entries_by_person": entries_by_person(self.people),
            "days_with_people_entries": sum(1 for item in self.days.values() if item.people),
            "working_days": len(self.working),
            "working_days_judged": len(self.judged),
            "working_days_without_people_entries": len(self.unrecorded),
            "unrecorded_working_days": [day.isoformat() for day in self.unrecorded],
            "busiest_day": self.busiest[0].isoformat() if self.busiest else "",
            "busiest_day_entries": self.busiest[1].total if self.busiest else 0,
        }

    def paragraphs(self) -> list[str]:
        counts = self.counts
        texts = [_("In %(month)s the activity log holds %(total)s entries: %(people)s made by %(persons)s "
                   "officers and %(system)s made by the system.") % {
            "month": self.name(), "total": number(counts.total), "people": number(counts.people),
            "persons": number(self.persons), "system": number(counts.system)}]
        texts.append(_("Officers recorded activity on %(recorded)s of the %(working)s working days of the month.")
                     % {"recorded": number(len(self.recorded)), "working": number(len(self.judged))})
        if self.busiest:
            texts[-1] += " " + _("The busiest day was %(day)s with %(count)s entries.") % {
                "day": long_date(self.busiest[0]), "count": number(self.busiest[1].total)}
        if counts.alarming:
            alarming_days = sum(1 for item in self.days.values() if item.warning or item.critical)
            texts.append(_("%(warnings)s warnings and %(critical)s critical events were recorded, on %(days)s "
                           "days.") % {"warnings": number(counts.warning), "critical": number(counts.critical),
                                       "days": number(alarming_days)})
        else:
            texts.append(gettext("No warnings or critical events were recorded during the month."))
        texts.append(gettext("The tables below give the entries of each day, the officers' activities in full and "
                             "the work done by the system on each day."))
        return texts

    def summary(self) -> str:
        return _("The daily activity log of %(month)s holds %(people)s entries by officers and %(system)s by the "
                 "system; officers recorded activity on %(recorded)s of %(working)s working days.") % {
            "month": self.name(), "people": number(self.counts.people), "system": number(self.counts.system),
            "recorded": number(len(self.recorded)), "working": number(len(self.judged))}

    def days_table(self) -> Table:
        yes, no = gettext("yes"), gettext("no")
        rows = []
        for day in self.scope.days:
            item = self.days.get(day, Counts())
            rows.append((day, yes if day in self.working else no, item.people, item.system, item.warning,
                         item.critical))
        return Table(
            key="log_days", title=_("Entries per day"),
            columns=[Column(_("Date"), ColumnKind.DATE), Column(_("Working day")),
                     Column(_("By officers"), ColumnKind.INTEGER), Column(_("By the system"), ColumnKind.INTEGER),
                     Column(_("Warnings"), ColumnKind.INTEGER), Column(_("Critical"), ColumnKind.INTEGER)],
            rows=rows,
            print_limit=None,
        )

    def problems(self) -> list[Problem]:
        found = []
        if self.unrecorded:
            days = listed([long_date(day) for day in self.unrecorded], LISTED_DAYS)
            found.append(Problem(
                text=_("On %(count)s working days no maintenance activity by officers was recorded in the daily "
                       "activity log: %(days)s.") % {"count": number(len(self.unrecorded)), "days": days},
                recommendation=str(RECORD_DAILY)))
        if self.counts.critical:
            critical_days = sum(1 for item in self.days.values() if item.critical)
            found.append(Problem(
                text=_("%(count)s critical events were recorded on %(days)s days of the month.") % {
                    "count": number(self.counts.critical), "days": number(critical_days)},
                recommendation=gettext("Make sure each critical event has been followed up and that the follow-up "
                                       "is recorded in the activity log."),
                level=ProblemLevel.WARNING))
        return found


def month_people_table(people: list[Entry]) -> Table:
    return Table(
        key="log_people", title=_("Activities of the officers, day by day"),
        # One cell for the day and the time: a month of a thousand sites prints thousands of these rows.
        columns=[Column(_("Time"), ColumnKind.DATETIME), *people_columns()],
        rows=[(entry.at, *people_row(entry)) for entry in people],
        empty=_("No activity by officers was recorded during the month."),
        print_limit=None,
    )


def month_work_table(work: list[SystemWork], names: Labels) -> Table:
    return Table(
        key="log_system", title=_("Work done by the system, day by day"),
        columns=[Column(_("Date"), ColumnKind.DATE), Column(_("System job")), Column(_("Activity")),
                 Column(_("Entries"), ColumnKind.INTEGER), Column(_("Sites"), ColumnKind.INTEGER),
                 Column(_("Warnings"), ColumnKind.INTEGER)],
        rows=[(item.day, item.job, names[(item.job, item.verb)], item.entries, item.sites, item.alarming)
              for item in work],
        note=_("Entries of the same day, system job and kind of work are counted together."),
        empty=_("The system recorded no work during the month."),
        print_limit=None,
    )
