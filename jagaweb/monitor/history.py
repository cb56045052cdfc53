"""Availability history for pages and reports: uptime %, response-time percentiles, sparklines.

Only the kinds that answer "is the site reachable" (`counts_for_uptime`: HTTP, TCP) count. Figures
come from rollups, never from raw results: a span is covered by whole days where day rollups
exist, hours around them, and minutes for the part of the current hour that has no hour rollup
yet (see `cover`). Each function makes one query for any number of sites.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import reduce
from operator import or_
from typing import NamedTuple

from django.db.models import Q, Subquery, Sum
from django.utils import timezone

from jagaweb.monitor.checks import all_kinds
from jagaweb.monitor.choices import RollupPeriod
from jagaweb.monitor.models import Check, Rollup
from jagaweb.monitor.rollups import floor, following
from jagaweb.monitor.stats import BUCKETS, percentile, uptime_percent

JUDGED = ("up", "degraded", "down")  # what uptime is made of (unknown runs are not judged)
Segment = tuple[str, datetime, datetime]  # (period, first start, end): rollups of `period` starting in [first, end)


class Row(NamedTuple):
    site_id: int
    period: str
    start: datetime
    up: int
    degraded: int
    down: int
    unknown: int
    total_ms: float
    histogram: list[int]


@dataclass
class Figures:
    """Counts and the merged response-time histogram of some rollups."""

    up: int = 0
    degraded: int = 0
    down: int = 0
    unknown: int = 0
    total_ms: float = 0.0
    histogram: list[int] = field(default_factory=lambda: [0] * BUCKETS)

    def add(self, row: Row) -> None:
        self.up += row.up
        self.degraded += row.degraded
        self.down += row.down
        self.unknown += row.unknown
        self.total_ms += row.total_ms
        for i, count in enumerate(row.histogram[:BUCKETS]):
            self.histogram[i] += count

    @property
    def runs(self) -> int:
        return self.up + self.degraded + self.down + self.unknown

    @property
    def uptime(self) -> float | None:
        return uptime_percent(self.up, self.degraded, self.down)

    @property
    def p50(self) -> float | None:
        return percentile(self.histogram, 0.5)

    @property
    def p95(self) -> float | None:
        return percentile(self.histogram, 0.95)

    @property
    def average_ms(self) -> float | None:
        answers = sum(self.histogram)
        return self.total_ms / answers if answers else None


def uptime_kinds() -> list[str]:
    return [name for name, kind in all_kinds().items() if kind.counts_for_uptime]


def covered_until() -> dict[str, datetime | None]:
    """For each level, the end of the latest stored period (rollups are complete up to there).

    One query of three index lookups (a GROUP BY period would read every rollup)."""
    def latest(period: str) -> Subquery:
        return Subquery(Rollup.objects.filter(period=period).order_by("-start").values("start")[:1])

    found = Rollup.objects.annotate(**{period: latest(period) for period in RollupPeriod.values})
    row = found.values(*RollupPeriod.values).first()
    return {period: following(row[period], period) if row and row[period] else None
            for period in RollupPeriod.values}


def cover(since: datetime, until: datetime, ends: dict[str, datetime | None]) -> list[Segment]:
    """Segments of rollups that together cover [since, until) once, coarsest first.

    `since` is taken from the start of its hour. Days are used where day rollups exist, hours around
    them up to where hour rollups end, then minutes."""
    since = floor(since, RollupPeriod.HOUR)
    if until <= since:
        return []
    day_first = since if floor(since, RollupPeriod.DAY) == since else following(since, RollupPeriod.DAY)
    day_end = min(floor(until, RollupPeriod.DAY), ends[RollupPeriod.DAY] or day_first)
    hour_end = max(since, min(floor(until, RollupPeriod.HOUR), ends[RollupPeriod.HOUR] or since))
    segments: list[Segment] = []
    if day_end > day_first:
        segments.append((RollupPeriod.DAY, day_first, day_end))
        segments.append((RollupPeriod.HOUR, since, day_first))
        hour_end = max(hour_end, day_end)
        segments.append((RollupPeriod.HOUR, day_end, hour_end))
    else:
        segments.append((RollupPeriod.HOUR, since, hour_end))
    segments.append((RollupPeriod.MINUTE, hour_end, until))
    return [(period, first, end) for period, first, end in segments if end > first]


def within(segments: list[Segment]) -> Q:
    """The rollups that make up a span (`cover`'s segments)."""
    if not segments:
        return Q(pk__in=[])
    return reduce(or_, (Q(period=period, start__gte=first, start__lt=end) for period, first, end in segments))


def checks_of(site_ids: Iterable[int]) -> dict[int, int]:
    """The sites' checks that count for uptime, as check id: site id.

    Rollups are then selected by this literal list of check ids: joined on the site instead, SQLite
    scanned every rollup in the span (570 ms for one dashboard page of 10,000 sites; 12 ms this way)."""
    checks = Check.objects.filter(site_id__in=list(site_ids), kind__in=uptime_kinds()).order_by()  # no join to sort
    return dict(checks.values_list("pk", "site_id"))


def rows(site_ids: Iterable[int], segments: list[Segment]) -> list[Row]:
    site_of = checks_of(site_ids)
    if not segments or not site_of:
        return []
    found = Rollup.objects.filter(within(segments), check_ref_id__in=list(site_of))
    columns = ("check_ref_id", *Row._fields[1:])
    return [Row(site_of[values[0]], *values[1:]) for values in found.values_list(*columns).iterator(2000)]


def figures(site_ids: Iterable[int], since: datetime, until: datetime | None = None) -> dict[int, Figures]:
    """Per site, everything from `since` (from the start of its hour) to `until` (default now)."""
    ids = list(site_ids)
    totals: dict[int, Figures] = {pk: Figures() for pk in ids}
    for row in rows(ids, cover(since, until or timezone.now(), covered_until())):
        totals[row.site_id].add(row)
    return totals


def uptime(site_ids: Iterable[int], since: datetime, until: datetime | None = None) -> dict[int, float | None]:
    """Uptime % per site since `since` (None for a site with no judged run)."""
    return {pk: total.uptime for pk, total in figures(site_ids, since, until).items()}


def uptimes(site_ids: list[int], spans: dict[str, list[Segment]]) -> dict[str, dict[int, float | None]]:
    """Uptime % per named span and site: the database sums the counts (one query, a conditional sum per
    span and count) instead of passing every rollup's histogram through Python as `figures` would."""
    site_of = checks_of(site_ids)
    totals = {name: {pk: [0, 0, 0] for pk in site_ids} for name in spans}
    wanted = {name: within(segments) for name, segments in spans.items()}
    sums = {f"{name}_{count}": Sum(count, filter=span) for name, span in wanted.items() for count in JUDGED}
    found = (Rollup.objects.filter(reduce(or_, wanted.values(), Q(pk__in=[])), check_ref_id__in=list(site_of))
             .values("check_ref_id").annotate(**sums).order_by().values_list("check_ref_id", *sums))
    for check_id, *values in found:
        sums_of = dict(zip(sums, values, strict=True))
        for name in spans:
            counts = totals[name][site_of[check_id]]
            for index, count in enumerate(JUDGED):
                counts[index] += sums_of[f"{name}_{count}"] or 0
    return {name: {pk: uptime_percent(*counts) for pk, counts in by_site.items()} for name, by_site in totals.items()}


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def daily(site_ids: Iterable[int], first: date, last: date) -> dict[int, dict[date, Figures]]:
    """Per site, per local day from `first` to `last` (both included): uptime and percentiles of each day."""
    ids = list(site_ids)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    result: dict[int, dict[date, Figures]] = {pk: {day: Figures() for day in days} for pk in ids}
    until = min(local_midnight(last + timedelta(days=1)), timezone.now())
    zone = timezone.get_current_timezone()  # once: timezone.localtime() looks it up again for every row
    for row in rows(ids, cover(local_midnight(first), until, covered_until())):
        result[row.site_id][row.start.astimezone(zone).date()].add(row)
    return result


def monthly(site_ids: Iterable[int], year: int, month: int) -> dict[int, Figures]:
    """Per site, the whole local month (up to now for the current month): what the monthly report shows."""
    first = date(year, month, 1)
    following_month = date(year + month // 12, month % 12 + 1, 1)
    until = min(local_midnight(following_month), timezone.now())
    return figures(site_ids, local_midnight(first), until)


def sparklines(site_ids: Iterable[int], hours: int = 24, now: datetime | None = None
               ) -> dict[int, list[float | None]]:
    """Per site, the average response time (ms) of each of the last `hours` hours, oldest first, the
    current hour last (None for an hour without an answer). One query for all the sites."""
    now = now or timezone.now()
    current = floor(now, RollupPeriod.HOUR)
    starts = [current - timedelta(hours=n) for n in range(hours - 1, -1, -1)]
    ids = list(site_ids)
    hourly: dict[int, dict[datetime, Figures]] = {pk: defaultdict(Figures) for pk in ids}
    hour_end = min(current + timedelta(hours=1), covered_until()[RollupPeriod.HOUR] or starts[0])
    segments: list[Segment] = [(RollupPeriod.HOUR, starts[0], hour_end), (RollupPeriod.MINUTE, hour_end, now)]
    for row in rows(ids, [(period, a, b) for period, a, b in segments if b > a]):
        hourly[row.site_id][floor(row.start, RollupPeriod.HOUR)].add(row)
    return {pk: [hourly[pk][start].average_ms if start in hourly[pk] else None for start in starts] for pk in ids}
