"""The monitoring history of a month as the rollup job leaves it: a day rollup of every check for every day,
and hour rollups of the availability checks for the last day (whose day rollup is the sum of its hours, as
`monitor.rollups` builds days from hours).

Counts follow the runs the engine made (one a minute for HTTP) and the outages planned for the site;
response-time histograms are `monitor.stats.histogram_of` of sampled answers, scaled to the day's number
of answers, so percentiles and averages come out as the real rollups would give them.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from math import exp
from typing import NamedTuple

from jagaweb.demo.month.base import Fill, Month
from jagaweb.monitor.choices import CheckKind, RollupPeriod
from jagaweb.monitor.models import Check
from jagaweb.monitor.stats import BUCKETS, histogram_of, merged

SAMPLES_PER_DAY = 24  # answers sampled to shape a day's histogram
SAMPLES_PER_HOUR = 12
# Runs a day and a typical answer time (ms) of the other kinds; freshness runs report no time.
OTHER_KINDS: dict[str, tuple[int, float | None]] = {
    CheckKind.TLS: (2, 180.0), CheckKind.DOMAIN: (1, 900.0), CheckKind.FRESHNESS: (4, None),
}


class RollupRow(NamedTuple):
    """A Rollup's columns, in `ROLLUP_COLUMNS` order (a month of 1,000 sites has 150,000 of them)."""

    check_ref_id: int
    period: str
    start: datetime
    up: int
    degraded: int
    down: int
    unknown: int
    total_ms: float
    max_ms: float
    histogram: list[int]


ROLLUP_COLUMNS = RollupRow._fields


@dataclass(frozen=True)
class Span:
    """Minutes of the month in which a check failed (an outage or a blip)."""

    start: datetime
    minutes: int

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.minutes)


def overlap_minutes(spans: Iterable[Span], first: datetime, end: datetime) -> int:
    total = 0
    for span in spans:
        overlap = min(span.end, end) - max(span.start, first)
        if overlap > timedelta(0):
            total += int(overlap.total_seconds() // 60)
    return total


def scaled(samples: list[float], answers: int) -> tuple[list[int], float, float]:
    """(histogram, total ms, max ms) of `answers` answers shaped like `samples`."""
    if answers <= 0 or not samples:
        return [0] * BUCKETS, 0.0, 0.0
    shape = histogram_of(samples)
    size = len(samples)
    counts = [answers * count // size for count in shape]
    left = answers - sum(counts)
    # the remainder goes to the buckets whose share was cut most, as rounding to the nearest would
    by_cut = sorted(range(BUCKETS), key=lambda i: (-(answers * shape[i] % size), i))
    for i in by_cut[:left]:
        counts[i] += 1
    return counts, round(sum(samples) / size * answers, 1), round(max(samples), 1)


def answer_times(rng: random.Random, typical: float, count: int) -> list[float]:
    """Answer times spread around `typical` with a long tail (log-normal)."""
    return [typical * exp(rng.gauss(0.0, 0.35)) for _sample in range(count)]


def rollup(check_id: int, period: str, start: datetime, runs: int, down: int, degraded: int,
           samples: list[float]) -> RollupRow:
    answers = runs - down
    histogram, total, slowest = scaled(samples, answers)
    return RollupRow(check_id, period, start, answers - degraded, degraded, down, 0, total, slowest, histogram)


def minutes_of(month: Month, day: date) -> int:
    return int((month.at(day + timedelta(days=1), 0) - month.at(day, 0)).total_seconds() // 60)


def hours_of(fill: Fill, check_id: int, day: date, spans: list[Span], typical: float) -> list[RollupRow]:
    rng, month = fill.rng, fill.month
    rows = []
    for hour in range(minutes_of(month, day) // 60):
        start = month.at(day, hour)
        down = overlap_minutes(spans, start, start + timedelta(hours=1))
        busy = 1.25 if 8 <= hour <= 15 else 1.0  # office hours bring visitors and a slower answer
        rows.append(rollup(check_id, RollupPeriod.HOUR, start, 60, down, 0,
                           answer_times(rng, typical * busy, SAMPLES_PER_HOUR)))
    return rows


def day_from_hours(check_id: int, start: datetime, hours: list[RollupRow]) -> RollupRow:
    return RollupRow(check_id, RollupPeriod.DAY, start, sum(h.up for h in hours), sum(h.degraded for h in hours),
                     sum(h.down for h in hours), 0, round(sum(h.total_ms for h in hours), 1),
                     max(h.max_ms for h in hours), merged(h.histogram for h in hours))


def http_rollups(fill: Fill, check: Check, spans: list[Span], typical: float) -> list[RollupRow]:
    """Every day of the month, and the hours of its last day, of one HTTP check."""
    month, rng = fill.month, fill.rng
    rows: list[RollupRow] = []
    for day in month.days:
        start = month.at(day, 0)
        if day == month.last_day:
            hours = hours_of(fill, check.pk, day, spans, typical)
            rows += [*hours, day_from_hours(check.pk, start, hours)]
            continue
        runs = minutes_of(month, day)
        down = overlap_minutes(spans, start, month.at(day + timedelta(days=1), 0))
        factor = rng.lognormvariate(0.0, 0.12)
        rows.append(rollup(check.pk, RollupPeriod.DAY, start, runs, down, 0,
                           answer_times(rng, typical * factor, SAMPLES_PER_DAY)))
    return rows


def other_rollups(fill: Fill, check: Check, degraded_days: set[date]) -> list[RollupRow]:
    """Every day of the month of a TLS, domain or freshness check (content gone stale, a domain close to its
    expiry: degraded days)."""
    runs, typical = OTHER_KINDS[check.kind]
    rows = []
    for day in fill.month.days:
        samples = answer_times(fill.rng, typical, runs) if typical is not None else []
        degraded = runs if day in degraded_days else 0
        # without an answer time (freshness), runs count but leave the histogram empty
        rows.append(rollup(check.pk, RollupPeriod.DAY, fill.month.at(day, 0), runs, 0, degraded, samples))
    return rows


