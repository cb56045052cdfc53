"""The dashboard's availability column for a page of sites: uptime over 24 hours and 30 days, and the
average response time of each of the last 24 hours, in two reads of the rollups.

- The last day's rollups (hours, and the current hour's minutes) come back as rows: the day's uptime
  and the hourly averages are added up from them.
- The rest of the month is summed by the database into three counts per check.

Through the ORM (`history.uptimes` and `history.sparklines`) the same figures cost 40-50 ms for a page of
50 sites: Django converts each row's start time and histogram, and compiles the conditional sums. These
two statements are built from constants and placeholders and take a few milliseconds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection

from jagaweb.monitor import history
from jagaweb.monitor.choices import RollupPeriod
from jagaweb.monitor.models import Rollup
from jagaweb.monitor.rollup_sql import epoch, when
from jagaweb.monitor.rollups import floor
from jagaweb.monitor.stats import uptime_percent

HOURS = 24
TABLE = Rollup._meta.db_table


@dataclass(frozen=True)
class Glance:
    day: float | None  # uptime %, last 24 hours
    month: float | None  # uptime %, last 30 days
    hourly_ms: list[float | None]  # average response time per hour, oldest first, the current hour last


@dataclass
class Tally:
    day: list[int] = field(default_factory=lambda: [0, 0, 0])  # up, degraded, down
    earlier: list[int] = field(default_factory=lambda: [0, 0, 0])  # the rest of the month
    total_ms: list[float] = field(default_factory=lambda: [0.0] * HOURS)
    answers: list[int] = field(default_factory=lambda: [0] * HOURS)

    def figures(self) -> Glance:
        month = [a + b for a, b in zip(self.day, self.earlier, strict=True)]
        return Glance(day=uptime_percent(*self.day), month=uptime_percent(*month),
                      hourly_ms=[ms / n if n else None for ms, n in zip(self.total_ms, self.answers, strict=True)])


def where(check_ids: list[int], segments: list[history.Segment]) -> tuple[str, list[Any]]:
    spans = " OR ".join(["(period = %s AND start >= %s AND start < %s)"] * len(segments)) or "1 = 0"
    params: list[Any] = [*check_ids]
    for period, first, end in segments:
        params += [period, when(first), when(end)]
    return f"check_id IN ({', '.join(['%s'] * len(check_ids))}) AND ({spans})", params


def fetch(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def counts(histogram: Any) -> list[int]:
    return histogram if isinstance(histogram, list) else json.loads(histogram)


def glance(site_ids: list[int], day: timedelta, month: timedelta, now: datetime) -> dict[int, Glance]:
    ends = history.covered_until()
    site_of = history.checks_of(site_ids)
    tallies = {pk: Tally() for pk in site_ids}
    if not site_of:
        return {pk: tally.figures() for pk, tally in tallies.items()}
    day_start = floor(now - day, RollupPeriod.HOUR)
    first_hour = int((floor(now, RollupPeriod.HOUR) - timedelta(hours=HOURS - 1)).timestamp())
    condition, params = where(list(site_of), history.cover(day_start, now, ends))
    # Start times as epoch seconds: converting 1,200 datetimes took longer than the query.
    rows = fetch(f"SELECT check_id, {epoch('start')}, up, degraded, down, total_ms, histogram "  # noqa: S608  (constants)
                 f"FROM {TABLE} WHERE {condition}", params)
    for check_id, start, up, degraded, down, total_ms, histogram in rows:
        tally = tallies[site_of[check_id]]
        tally.day[0] += up
        tally.day[1] += degraded
        tally.day[2] += down
        hour = (start - first_hour) // 3600
        if 0 <= hour < HOURS:  # the day's first, partial hour counts for uptime only
            tally.total_ms[hour] += total_ms
            tally.answers[hour] += sum(counts(histogram))
    condition, params = where(list(site_of), history.cover(now - month, day_start, ends))
    sums = fetch(f"SELECT check_id, SUM(up), SUM(degraded), SUM(down) FROM {TABLE} "  # noqa: S608  (constants)
                 f"WHERE {condition} GROUP BY check_id", params)
    for check_id, *earlier in sums:
        tally = tallies[site_of[check_id]]
        tally.earlier = [a + int(b or 0) for a, b in zip(tally.earlier, earlier, strict=True)]
    return {pk: tally.figures() for pk, tally in tallies.items()}
