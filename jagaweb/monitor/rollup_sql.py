"""The rollup queries: one SELECT ... GROUP BY check per period, then one many-row upsert.

The database aggregates (conditional counts and sums; histogram buckets summed from the JSON arrays),
so no raw row passes through Python. Built with the ORM, the same aggregation (26 conditional
aggregates) cost about 40 ms a period just to compile, more than the query; this text is built once.
Reading and writing are separate steps: on SQLite an INSERT ... SELECT would hold the write lock for
the whole aggregation (5 s for an hour of 10,000 checks), and the engine must not wait that long.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from django.db import connection, transaction

from jagaweb.monitor.choices import Status
from jagaweb.monitor.models import Result, Rollup
from jagaweb.monitor.stats import BUCKETS, EDGES

COUNTS = ("up", "degraded", "down", "unknown")
COLUMNS = ("check_id", "period", "start", *COUNTS, "total_ms", "max_ms", "histogram")


def json_item(column: str, index: int) -> str:
    if connection.vendor == "postgresql":
        return f"({column} ->> {index})::integer"
    return f"json_extract({column}, '$[{index}]')"


def epoch(column: str) -> str:
    """A time column as whole seconds since 1970 (UTC): an integer no driver has to parse."""
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM {column})::bigint"
    return f"CAST(strftime('%%s', {column}) AS INTEGER)"  # %% because Django's cursor reads %s as a placeholder


@cache
def from_results_sql(vendor: str) -> str:
    """Per check: counts, total and max time, buckets of raw results; %s = first time, end time (exclusive)."""
    answered = f"status IN ('{Status.UP}', '{Status.DEGRADED}') AND response_ms IS NOT NULL"
    buckets = []
    for i in range(BUCKETS):
        bounds = [f"response_ms > {EDGES[i - 1]}"] if i > 0 else []
        bounds += [f"response_ms <= {EDGES[i]}"] if i < len(EDGES) else []
        buckets.append(f"SUM(CASE WHEN {' AND '.join([answered, *bounds])} THEN 1 ELSE 0 END)")
    counts = [f"SUM(CASE WHEN status = '{name}' THEN 1 ELSE 0 END)" for name in COUNTS]
    return (
        f"SELECT check_id, {', '.join(counts)}, "  # noqa: S608  (built from constants only)
        f"COALESCE(SUM(CASE WHEN {answered} THEN response_ms END), 0), "
        f"COALESCE(MAX(CASE WHEN {answered} THEN response_ms END), 0), {', '.join(buckets)} "
        f"FROM {Result._meta.db_table} WHERE at >= %s AND at < %s GROUP BY check_id"
    )


@cache
def from_rollups_sql(vendor: str) -> str:
    """Per check: the sums of a finer level's rollups; %s = finer period, first start, end (exclusive)."""
    buckets = [f"SUM({json_item('histogram', i)})" for i in range(BUCKETS)]
    counts = [f"SUM({name})" for name in COUNTS]
    return (
        f"SELECT check_id, {', '.join(counts)}, SUM(total_ms), MAX(max_ms), {', '.join(buckets)} "  # noqa: S608
        f"FROM {Rollup._meta.db_table} WHERE period = %s AND start >= %s AND start < %s GROUP BY check_id"
    )


@cache
def upsert_sql(vendor: str) -> str:
    updates = ", ".join(f"{name} = excluded.{name}" for name in COLUMNS[3:])
    marks = ", ".join(["%s"] * len(COLUMNS))
    return (f"INSERT INTO {Rollup._meta.db_table} ({', '.join(COLUMNS)}) VALUES ({marks}) "  # noqa: S608
            f"ON CONFLICT (check_id, period, start) DO UPDATE SET {updates}")


def when(at: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(at)


def store(period: str, start: datetime, rows: list[tuple[Any, ...]]) -> int:
    """Upsert one period's rollups from (check_id, up, degraded, down, unknown, total, max, *buckets) rows."""
    if not rows:
        return 0
    encoder = Rollup._meta.get_field("histogram").encoder
    stamp = when(start)
    params = [
        [row[0], period, stamp, *(int(n or 0) for n in row[1:5]), float(row[5] or 0), float(row[6] or 0),
         connection.ops.adapt_json_value([int(n or 0) for n in row[7:]], encoder)]
        for row in rows
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(upsert_sql(connection.vendor), params)
    return len(rows)


def roll_from_results(period: str, start: datetime, end: datetime) -> int:
    with connection.cursor() as cursor:
        cursor.execute(from_results_sql(connection.vendor), [when(start), when(end)])
        rows = cursor.fetchall()
    return store(period, start, rows)


def roll_from_rollups(period: str, finer: str, start: datetime, end: datetime) -> int:
    with connection.cursor() as cursor:
        cursor.execute(from_rollups_sql(connection.vendor), [finer, when(start), when(end)])
        rows = cursor.fetchall()
    return store(period, start, rows)
