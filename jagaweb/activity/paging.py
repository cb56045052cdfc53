"""Keyset ("load more") paging for the activity log: no COUNT(*), no OFFSET, fast on any page.

A cursor names the last row shown, as its time in microseconds and its id; the next page is the
rows strictly older than that, in the log's order (newest first).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import QuerySet

from jagaweb.activity.models import Event

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class KeysetPage:
    rows: list[Event]
    next_cursor: str | None


def encode_cursor(event: Event) -> str:
    return f"{(event.at - EPOCH) // MICROSECOND}_{event.pk}"


def decode_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    """The position a cursor names, or None for a missing or malformed one (the first page)."""
    micros, _sep, pk = (cursor or "").partition("_")
    try:
        return EPOCH + timedelta(microseconds=int(micros)), int(pk)
    except (ValueError, OverflowError):
        return None


def keyset_page(events: QuerySet[Event], cursor: str | None, size: int) -> KeysetPage:
    position = decode_cursor(cursor)
    if position is not None:
        at, pk = position
        # Written as a range on `at` plus a small exclusion, so the time index serves the query.
        events = events.filter(at__lte=at).exclude(at=at, pk__gte=pk)
    rows = list(events.order_by("-at", "-pk")[: size + 1])
    if len(rows) > size:
        return KeysetPage(rows[:size], encode_cursor(rows[size - 1]))
    return KeysetPage(rows, None)
