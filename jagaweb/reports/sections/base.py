"""What a report section is: it collects figures for a scope and gives back prose, charts and tables.

Every section is one class in its own module of this package, registered in `sections.registry`. A
section reads the database only; it never writes. The report pipeline renders every `Part` the same
way (HTML, PDF, CSV, XLSX), so a section holds plain values and the pipeline does the formatting.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, ClassVar

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise

from jagaweb.inventory.models import Site
from jagaweb.reports.choices import ColumnKind, ProblemLevel, ReportKind

Text = str | Promise  # a plain or a lazily translated string


@dataclass(frozen=True)
class Scope:
    """Which sites and which time a report covers. `end` is exclusive; `now` is the moment of issue."""

    kind: str
    start: datetime
    end: datetime
    site_ids: tuple[int, ...]
    organisation_id: int | None = None
    now: datetime = field(default_factory=timezone.now)

    @property
    def first_day(self) -> date:
        return timezone.localtime(self.start).date()

    @property
    def last_day(self) -> date:
        return timezone.localtime(self.end - timedelta(microseconds=1)).date()

    @property
    def days(self) -> list[date]:
        first, last = self.first_day, self.last_day
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]

    @property
    def is_situation(self) -> bool:
        return self.kind == ReportKind.SITUATION

    def sites(self) -> QuerySet[Site]:
        return Site.objects.filter(pk__in=self.site_ids).select_related("organisation").order_by("name", "pk")


@dataclass(frozen=True)
class Column:
    label: Text
    kind: str = ColumnKind.TEXT
    weight: float | None = None  # share of the printed width against the other columns; None: by kind


PRINTED_ROWS = 50  # a longer table prints its first rows; the XLSX and CSV files always hold every row


@dataclass(frozen=True)
class PrintOrder:
    """Which rows a cut table prints first: by one column, the largest (or smallest) values first."""

    column: int
    descending: bool = True

    def sorted(self, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        known = [row for row in rows if row[self.column] is not None]
        unknown = [row for row in rows if row[self.column] is None]
        return sorted(known, key=lambda row: row[self.column], reverse=self.descending) + unknown


@dataclass
class Table:
    """Rows of plain values (str, int, float, Decimal, date, datetime, timedelta or None).

    Printed, a table holds at most `print_limit` rows (None: all of them), chosen by `print_order` when
    given; what is left out is said under the table. A per-site table of a thousand sites is read in the
    spreadsheet; the printed report shows the sites that need attention.
    """

    key: str  # a file-safe name: the CSV file and the XLSX sheet
    title: Text
    columns: list[Column]
    rows: list[tuple[Any, ...]]
    note: Text = ""  # shown under the table, e.g. "the 20 largest of 312"
    empty: Text = ""  # shown instead of an empty table
    print_limit: int | None = PRINTED_ROWS
    print_order: PrintOrder | None = None

    def printed_rows(self) -> list[tuple[Any, ...]]:
        if self.print_limit is None or len(self.rows) <= self.print_limit:
            return self.rows
        ordered = self.print_order.sorted(self.rows) if self.print_order else self.rows
        return ordered[: self.print_limit]


@dataclass(frozen=True)
class Chart:
    title: Text
    svg: str  # one complete <svg> element, drawn by reports.charts
    caption: Text = ""


@dataclass(frozen=True)
class Problem:
    """Something the reader must know, with what is recommended about it."""

    text: str
    recommendation: str
    level: str = ProblemLevel.WARNING

    @property
    def level_label(self) -> str:
        return str(ProblemLevel(self.level).label)


@dataclass
class Part:
    key: str
    title: Text
    paragraphs: list[str] = field(default_factory=list)  # the section's prose, formal, in the active language
    summary: list[str] = field(default_factory=list)  # one or two sentences for the executive summary
    figures: dict[str, Any] = field(default_factory=dict)  # the key numbers, JSON-able, kept with the report
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class Section(ABC):
    key: ClassVar[str]
    title: ClassVar[Text]

    @abstractmethod
    def collect(self, scope: Scope) -> Part: ...

    def part(self) -> Part:
        return Part(key=self.key, title=self.title)
