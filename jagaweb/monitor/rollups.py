"""Rollups: minutes from raw results, hours from minutes, days from hours; and retention.

Each level covers complete periods only. A run recomputes from the latest period already stored at
that level (inclusive, so results that arrived late are counted) up to the last complete one, and
upserts: running twice gives the same rows. Hours and days that are complete are recomputed only when
the level below rewrote something inside their latest period. Raw results are complete SETTLE after their minute
ends (the engine writes within seconds of a run); an hour is complete once its minutes are, a day
once its hours are. Days are days of the installation's time zone (what a monthly report means).

One aggregate query and one many-row upsert per period (`rollup_sql`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Max, Min
from django.utils import timezone

from jagaweb.monitor.choices import RollupPeriod
from jagaweb.monitor.models import Result, Rollup
from jagaweb.monitor.rollup_sql import roll_from_results, roll_from_rollups

SETTLE = timedelta(minutes=1)
LENGTH: dict[str, timedelta] = {RollupPeriod.MINUTE: timedelta(minutes=1), RollupPeriod.HOUR: timedelta(hours=1),
          RollupPeriod.DAY: timedelta(days=1)}
FINER: dict[str, str] = {RollupPeriod.HOUR: RollupPeriod.MINUTE, RollupPeriod.DAY: RollupPeriod.HOUR}
# At most this many periods per level and run, so a run after a long pause stays short; the next runs catch up.
MAX_PERIODS: dict[str, int] = {RollupPeriod.MINUTE: 180, RollupPeriod.HOUR: 48, RollupPeriod.DAY: 31}
DELETE_CHUNK = 5000


def floor(at: datetime, period: str) -> datetime:
    local = timezone.localtime(at)
    if period == RollupPeriod.MINUTE:
        return local.replace(second=0, microsecond=0)
    if period == RollupPeriod.HOUR:
        return local.replace(minute=0, second=0, microsecond=0)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def following(start: datetime, period: str) -> datetime:
    return floor(start + LENGTH[period] + timedelta(hours=2 if period == RollupPeriod.DAY else 0), period)


def latest_start(period: str) -> datetime | None:
    return Rollup.objects.filter(period=period).aggregate(last=Max("start"))["last"]


def source_after(period: str, at: datetime | None, end: datetime) -> datetime | None:
    """When the next data that `period` rolls up comes, from `at` (to skip empty stretches in one step)."""
    if period == RollupPeriod.MINUTE:
        results = Result.objects.filter(at__lt=end) if at is None else Result.objects.filter(at__gte=at, at__lt=end)
        return results.aggregate(first=Min("at"))["first"]
    finer = Rollup.objects.filter(period=FINER[period], start__lt=end)
    if at is not None:
        finer = finer.filter(start__gte=at)
    return finer.aggregate(first=Min("start"))["first"]


def aggregate(period: str, start: datetime, stop: datetime) -> int:
    """Upsert the rollups of one period; returns how many rows were written."""
    if period == RollupPeriod.MINUTE:
        return roll_from_results(period, start, stop)
    return roll_from_rollups(period, FINER[period], start, stop)


def roll_level(period: str, end: datetime,
               changed_from: datetime | None = None) -> tuple[int, datetime, datetime | None]:
    """Recompute `period` rollups from the latest stored one towards `end` (exclusive).

    A coarser level that is already complete up to `end` is left alone unless its finer level rewrote
    something from `changed_from` on that falls in its latest period: recomputing the latest hour and
    day every minute read 600,000 minute and 240,000 hour rollups a minute with 10,000 checks, and
    took both cores from the pages for a second or more on PostgreSQL.

    Returns (rows written, how far the level is complete: `end`, or less when MAX_PERIODS stopped it,
    the first start rewritten or None)."""
    latest = latest_start(period)
    if (period != RollupPeriod.MINUTE and latest is not None and following(latest, period) >= end
            and (changed_from is None or floor(changed_from, period) > latest)):
        return 0, end, None
    first = latest or source_after(period, None, end)
    written, done, rewritten = 0, 0, None
    start = floor(first, period) if first is not None else end
    while start < end and done < MAX_PERIODS[period]:
        stop = following(start, period)
        rows = aggregate(period, start, stop)
        done += 1
        if rows:
            written += rows
            rewritten = rewritten or start
            start = stop
            continue
        upcoming = source_after(period, stop, end)
        start = end if upcoming is None else floor(upcoming, period)
    return written, min(start, end), rewritten


def roll_up(now: datetime | None = None) -> dict[str, int]:
    """Bring every level up to date; returns rows written per level. A coarser level never passes
    what its finer level has completed (the finer one may be catching up over several runs)."""
    now = now or timezone.now()
    end = floor(now - SETTLE, RollupPeriod.MINUTE)
    written: dict[str, int] = {}
    changed: datetime | None = None
    for period in (RollupPeriod.MINUTE, RollupPeriod.HOUR, RollupPeriod.DAY):
        written[period.value], end, changed = roll_level(period, floor(end, period), changed)
    return written


# ---- retention ----

def delete_chunked(queryset: models.QuerySet[Any]) -> int:
    """Delete in chunks of DELETE_CHUNK rows, each its own transaction, so writers are never held up long."""
    model = queryset.model
    deleted = 0
    while True:
        ids = list(queryset.values_list("pk", flat=True)[:DELETE_CHUNK])
        if ids:
            model.objects.filter(pk__in=ids)._raw_delete(model.objects.db)
            deleted += len(ids)
        if len(ids) < DELETE_CHUNK:
            return deleted


def prune(now: datetime | None = None) -> dict[str, int]:
    """Delete raw results, minutes and hours past their retention, never before they are rolled up."""
    now = now or timezone.now()
    minutes_until = latest_start(RollupPeriod.MINUTE)
    hours_until = latest_start(RollupPeriod.HOUR)
    days_until = latest_start(RollupPeriod.DAY)
    deleted = {"results": 0, RollupPeriod.MINUTE.value: 0, RollupPeriod.HOUR.value: 0}
    if minutes_until is not None:
        cutoff = min(now - timedelta(hours=settings.JAGAWEB_MONITOR_KEEP_RESULTS_HOURS), minutes_until)
        deleted["results"] = delete_chunked(Result.objects.filter(at__lt=cutoff))
    if hours_until is not None:
        cutoff = min(now - timedelta(hours=settings.JAGAWEB_MONITOR_KEEP_MINUTES_HOURS), hours_until)
        deleted[RollupPeriod.MINUTE.value] = delete_chunked(
            Rollup.objects.filter(period=RollupPeriod.MINUTE, start__lt=cutoff))
    if days_until is not None:
        cutoff = min(now - timedelta(days=settings.JAGAWEB_MONITOR_KEEP_HOURS_DAYS), days_until)
        deleted[RollupPeriod.HOUR.value] = delete_chunked(
            Rollup.objects.filter(period=RollupPeriod.HOUR, start__lt=cutoff))
    return deleted
