"""The report's tables as data: a zip of CSV files and one XLSX workbook, a sheet per table.

Cells keep raw values (numbers as numbers, local times, durations in minutes) so people can compute with
them; the column headings say the unit where the value needs one.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from dataclasses import replace

from django.utils.translation import gettext as _

from jagaweb.reports.cells import raw_value
from jagaweb.reports.choices import ColumnKind
from jagaweb.reports.sections.base import Part, Table

SHEET_NAME_LIMIT = 31  # Excel's limit


def heading(label: object, kind: str) -> str:
    if kind == ColumnKind.DURATION:
        return _("%(label)s (minutes)") % {"label": label}
    if kind == ColumnKind.BYTES:
        return _("%(label)s (bytes)") % {"label": label}
    return str(label)


def all_tables(parts: Iterable[Part]) -> list[Table]:
    """Every table, each with a key no other table has (sections may reuse a key)."""
    seen: set[str] = set()
    tables = []
    for part in parts:
        for table in part.tables:
            base = table.key[:SHEET_NAME_LIMIT - 3]
            key, number = base, 2
            while key in seen:
                key, number = f"{base}-{number}", number + 1
            seen.add(key)
            tables.append(replace(table, key=key))
    return tables


def csv_zip(tables: list[Table]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in tables:
            text = io.StringIO()
            writer = csv.writer(text)
            writer.writerow([heading(column.label, column.kind) for column in table.columns])
            writer.writerows([raw_value(value) for value in row] for row in table.rows)
            # With the byte order mark, spreadsheet programs read the file as UTF-8.
            archive.writestr(f"{table.key}.csv", "\ufeff" + text.getvalue())
    return buffer.getvalue()


def xlsx(tables: list[Table]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for table in tables:
        sheet = book.create_sheet(table.key[:SHEET_NAME_LIMIT])
        header = []
        for column in table.columns:
            cell = WriteOnlyCell(sheet, value=heading(column.label, column.kind))
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in table.rows:
            sheet.append([raw_value(value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
