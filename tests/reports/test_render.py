"""How tables print: long ones are cut to the rows that matter, with a note; widths follow the column kinds."""

from __future__ import annotations

from datetime import timedelta

from jagaweb.reports.choices import ColumnKind
from jagaweb.reports.render import column_widths, formatted_table
from jagaweb.reports.sections.base import PRINTED_ROWS, Column, PrintOrder, Table

COLUMNS = [Column("Site"), Column("Uptime", ColumnKind.PERCENT), Column("Downtime", ColumnKind.DURATION)]


def sites(count: int) -> list[tuple[str, float | None, timedelta]]:
    return [(f"Website {n:04}", None if n == 7 else 99.0 + (n % 100) / 100, timedelta(minutes=n)) for n in range(count)]


def test_a_long_table_prints_its_worst_rows_and_says_where_the_rest_is() -> None:
    table = Table("availability", "Availability", COLUMNS, sites(1000), print_order=PrintOrder(1, descending=False))
    block = formatted_table(table)
    assert len(block["rows"]) == PRINTED_ROWS == 50
    assert [row[1][0] for row in block["rows"][:2]] == ["99.00%", "99.00%"]  # the lowest uptime first
    assert all(row[0][0] != "Website 0007" for row in block["rows"])  # an unknown value sorts last
    assert block["cut"] == ("50 of 1000 rows are printed, the lowest uptime first; the XLSX and CSV files hold "
                            "them all.")
    assert table.rows[0][0] == "Website 0000"  # the exports keep every row, in the section's order


def test_a_short_table_or_an_uncut_one_prints_every_row_in_order() -> None:
    short = formatted_table(Table("t", "T", COLUMNS, sites(5), print_order=PrintOrder(1)))
    assert [row[0][0] for row in short["rows"]] == [f"Website {n:04}" for n in range(5)] and short["cut"] == ""
    whole = formatted_table(Table("t", "T", COLUMNS, sites(300), print_limit=None))
    assert len(whole["rows"]) == 300 and whole["cut"] == ""


def test_column_widths_follow_the_kinds_and_fill_the_page() -> None:
    widths = column_widths(Table("t", "T", [*COLUMNS, Column("What", weight=6)], []))
    assert abs(sum(widths) - 100) < 0.05
    site, uptime, downtime, what = widths
    assert what > site > downtime > uptime
