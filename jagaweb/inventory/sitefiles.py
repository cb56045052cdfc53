"""Site files (CSV, YAML): reading them into rows that remember their line, and writing them.

A reader only checks the shape of the file: the columns, one mapping per site, no nested values.
What the values mean is checked by `transfer.import_sites`, with the same form as the UI.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

import yaml
from django.utils.translation import gettext as _

from jagaweb.inventory.choices import TransferFormat

# The columns a file may have; `organisation_name` names an organisation the file introduces.
COLUMNS = (
    "slug", "name", "url", "organisation", "organisation_name", "server", "cms", "web_root",
    "db_engine", "db_host", "db_port", "db_name", "db_user", "db_password", "access_logs", "tags",
    "is_active", "notes",
)
LIST_COLUMNS = frozenset({"access_logs", "tags"})
LIST_SEPARATOR = ";"

Value = str | list[str]

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Row:
    line: int
    values: dict[str, Value]


class FileProblem(Exception):
    """The file cannot be read as sites at all; `errors` are ready-to-show sentences."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def at_line(line: int, message: str, field: str | None = None) -> str:
    if field:
        return _("line %(line)d, %(field)s: %(message)s") % {"line": line, "field": field, "message": message}
    return _("line %(line)d: %(message)s") % {"line": line, "message": message}


def read_rows(text: str, fmt: str) -> list[Row]:
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise FileProblem([_("The file is empty.")])
    rows = read_csv(text) if fmt == TransferFormat.CSV else read_yaml(text)
    if not rows:
        raise FileProblem([_("The file contains no sites.")])
    return rows


def check_columns(names: list[str], line: int) -> None:
    unknown = [name for name in names if name not in COLUMNS]
    if unknown:
        raise FileProblem([at_line(line, _("unknown column(s): %(names)s. Known columns: %(known)s.") % {
            "names": ", ".join(unknown), "known": ", ".join(COLUMNS),
        })])


def read_csv(text: str) -> list[Row]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[Row] = []
    header: list[str] | None = None
    start = 1
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = [cell.strip().lower() for cell in cells]
                check_columns(header, line)
                duplicated = sorted({name for name in header if header.count(name) > 1})
                if duplicated:
                    raise FileProblem([at_line(line, _("repeated column(s): %s") % ", ".join(duplicated))])
                continue
            if len(cells) != len(header):
                message = _("expected %(expected)d values, found %(found)d.")
                raise FileProblem([at_line(line, message % {"expected": len(header), "found": len(cells)})])
            values = {name: csv_value(name, cell) for name, cell in zip(header, cells, strict=True)}
            rows.append(Row(line, values))
    except csv.Error as exc:
        raise FileProblem([at_line(start, _("not valid CSV (%s).") % exc)]) from exc
    return rows


def csv_value(column: str, cell: str) -> Value:
    cell = cell.strip()
    if column in LIST_COLUMNS:
        return [item.strip() for item in cell.split(LIST_SEPARATOR) if item.strip()]
    return cell


def read_yaml(text: str) -> list[Row]:
    # One parse gives both the node tree (for line numbers) and the plain data.
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        line = mark.line + 1 if mark else 1
        raise FileProblem([at_line(line, _("not valid YAML (%s).") % problem)]) from exc
    finally:
        loader.dispose()
    if data is None:
        raise FileProblem([_("The file is empty.")])
    if not isinstance(data, list):
        raise FileProblem([at_line(root.start_mark.line + 1, _("the file must be a list of sites."))])
    rows = [yaml_row(node.start_mark.line + 1, item) for node, item in zip(root.value, data, strict=True)]
    return rows


def yaml_row(line: int, item: Any) -> Row:
    if not isinstance(item, dict):
        raise FileProblem([at_line(line, _("each site must be a mapping of column: value."))])
    names = [str(name) for name in item]
    check_columns(names, line)
    values: dict[str, Value] = {}
    for name, raw in item.items():
        values[str(name)] = yaml_value(line, str(name), raw)
    return Row(line, values)


def yaml_value(line: int, column: str, raw: Any) -> Value:
    if isinstance(raw, dict):
        raise FileProblem([at_line(line, _("a single value or a list was expected."), column)])
    if column in LIST_COLUMNS:
        if raw is None:
            return []
        if isinstance(raw, list):
            return [plain(line, column, item) for item in raw]
        return [item.strip() for item in plain(line, column, raw).split(LIST_SEPARATOR) if item.strip()]
    if isinstance(raw, list):
        raise FileProblem([at_line(line, _("a single value was expected, not a list."), column)])
    return plain(line, column, raw)


def plain(line: int, column: str, raw: Any) -> str:
    if isinstance(raw, list | dict):
        raise FileProblem([at_line(line, _("a single value was expected."), column)])
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    return str(raw).strip()


def write_csv(records: list[dict[str, Any]], columns: tuple[str, ...]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([csv_cell(record.get(name)) for name in columns])
    return out.getvalue()


def csv_cell(value: Any) -> str:
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def write_yaml(records: list[dict[str, Any]]) -> str:
    dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    text = yaml.dump(records, Dumper=dumper, sort_keys=False, allow_unicode=True, default_flow_style=False)
    return str(text)
