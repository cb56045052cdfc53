"""The activity log as CSV, written row by row so that a million events never sit in memory."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import tzinfo
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from jagaweb.activity.models import Event, message_for

COLUMNS = ("time", "actor", "job", "site", "organisation", "verb", "severity", "message", "target")
BOM = "\ufeff"  # lets Excel read the file as UTF-8
CHUNK = 2000
LINES_PER_PIECE = 500
# Plain values instead of model instances: several times faster on big exports.
FIELDS = (
    "at", "actor__username", "job", "site__name", "organisation__name", "verb", "severity",
    "data", "target_label",
)
# A cell starting with one of these is a formula to a spreadsheet; names and page titles come
# from outside (a defaced site's title, say), so such cells are quoted to stay plain text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def _plain(value: str | None) -> str:
    value = value or ""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def event_row(values: tuple[Any, ...], zone: tzinfo) -> list[str]:
    at, actor, job, site, organisation, verb, severity, data, target_label = values
    message = message_for(verb, target_label, data)
    cells = [actor, job, site, organisation, verb, severity, message, target_label]
    return [at.astimezone(zone).isoformat(), *(_plain(cell) for cell in cells)]


def csv_lines(events: QuerySet[Event]) -> Iterator[str]:
    """The file in pieces of a few hundred lines: few enough writes to the socket, little memory."""
    writer = csv.writer(_Echo())
    zone = timezone.get_current_timezone()
    lines = [BOM + writer.writerow(COLUMNS)]
    rows = events.order_by("-at", "-pk").values_list(*FIELDS)
    for values in rows.iterator(chunk_size=CHUNK):
        lines.append(writer.writerow(event_row(values, zone)))
        if len(lines) >= LINES_PER_PIECE:
            yield "".join(lines)
            lines = []
    yield "".join(lines)
