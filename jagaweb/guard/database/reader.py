"""Reading tables in batches and turning judged rows into findings: what every CMS scanner builds on.

Rows are read newest first (by primary key, descending) in batches of `batch_size`, each batch one short
query that continues below the last key seen (keyset paging): no server-side cursor held open, no OFFSET
that gets slower with every page, and a `limit` keeps the most recent rows, where fresh injections are.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from jagaweb.guard.choices import Verdict
from jagaweb.guard.database.connections import ReadOnlyConnection
from jagaweb.guard.database.content import Content, analyse_content
from jagaweb.guard.database.errors import DatabaseScanError
from jagaweb.guard.database.findings import DatabaseReport, Finding, severity_for
from jagaweb.guard.database.kinds import Exposure
from jagaweb.guard.page.result import Reason, judge

log = logging.getLogger(__name__)

Row = dict[str, Any]
T = TypeVar("T")
Progress = Callable[[int, int], None]  # (rows done, rows planned)
DEFAULT_BATCH = 500


@dataclass(frozen=True)
class TableJob:
    """Read `columns` (and `keys`) of the rows of `table` matching `where`, and hand each batch to `handle`."""

    table: str
    keys: tuple[str, ...]
    columns: tuple[str, ...]
    handle: Callable[[list[Row]], None]
    where: str = ""  # an SQL condition with %s placeholders for `params`; names quoted by the scanner
    params: tuple[Any, ...] = ()


def locator_of(table: str, key: dict[str, Any], column: str) -> str:
    where = " ".join(f"{name}={value}" for name, value in key.items())
    return f"{table} {where} {column}".strip()


class ScanContext:
    """One scan's connection, settings and report; scanners read through it and report into it."""

    def __init__(
        self, db: ReadOnlyConnection, report: DatabaseReport, *, site_hosts: Iterable[str] = (),
        limit: int | None = None, progress: Progress | None = None, batch_size: int = DEFAULT_BATCH,
        recent_days: int = 30, known_plugins: Iterable[str] | None = None,
    ) -> None:
        self.db = db
        self.report = report
        self.site_hosts = [host.lower() for host in site_hosts if host]
        self.limit = limit
        self.progress = progress
        self.batch_size = max(1, batch_size)
        self.recent_days = recent_days
        self.known_plugins = None if known_plugins is None else frozenset(known_plugins)
        self._tables: frozenset[str] | None = None
        self._columns: dict[str, frozenset[str]] = {}
        self._done = 0
        self._planned = 0

    # ---- the database's shape ----
    @property
    def tables(self) -> frozenset[str]:
        if self._tables is None:
            self._tables = frozenset(self.db.tables())
        return self._tables

    def has(self, table: str) -> bool:
        return table in self.tables

    def columns(self, table: str) -> frozenset[str]:
        if table not in self._columns:
            found = self.query(self.db.columns, table, what=table)
            self._columns[table] = frozenset(found or ())
        return self._columns[table]

    def q(self, name: str) -> str:
        return self.db.quote(name)

    # ---- reporting ----
    def note(self, message: str) -> None:
        self.report.notes.append(message)

    def error(self, message: str) -> None:
        self.report.errors.append(message)

    def query(self, call: Callable[..., T], *args: Any, what: str) -> T | None:
        """Run one read; a failure is recorded (with `what` it was for) and answered with None."""
        try:
            return call(*args)
        except DatabaseScanError as error:
            self.error(f"{what}: {error}")
            return None

    def rows(self, sql: str, params: Sequence[Any] | None = None, *, what: str) -> list[tuple[Any, ...]]:
        return self.query(self.db.query, sql, params, what=what) or []

    def select(self, table: str, columns: Sequence[str], where: str = "", params: Sequence[Any] = ()
               ) -> list[tuple[Any, ...]]:
        """Rows of `columns` of `table`; `where` is built from quoted names and placeholders only."""
        names = ", ".join(self.q(column) for column in columns)
        condition = f" WHERE {where}" if where else ""
        sql = f"SELECT {names} FROM {self.q(table)}{condition}"  # noqa: S608  (quoted names, values as parameters)
        return self.rows(sql, params or None, what=table)

    def count(self, table: str, where: str = "", params: Sequence[Any] = ()) -> int:
        condition = f" WHERE {where}" if where else ""
        sql = f"SELECT COUNT(*) FROM {self.q(table)}{condition}"  # noqa: S608  (as in select)
        found = self.rows(sql, params or None, what=table)
        return int(found[0][0]) if found else 0

    def is_in(self, column: str, count: int) -> str:
        """A condition "column IN (%s, ...)" for `count` parameters."""
        return f"{self.q(column)} IN ({', '.join(['%s'] * max(1, count))})"

    # ---- streaming ----
    def run(self, jobs: list[TableJob]) -> None:
        counts = [self._count(job) for job in jobs]
        self._planned += sum(counts)
        self._tick()
        for job in jobs:
            self.report.scanned.setdefault(job.table, 0)
            for batch in self.batches(job):
                started = time.monotonic()
                try:
                    job.handle(batch)
                except Exception:  # a scanner's bug on odd data must cost one batch, not the scan
                    log.exception("database guard: handling a batch of %s failed", job.table)
                    self.error(f"{job.table}: rows could not be judged (internal error, see the log)")
                self.report.scanned[job.table] += len(batch)
                self._done += len(batch)
                self._tick()
                log.debug("%s: %d rows in %.3f s", job.table, len(batch), time.monotonic() - started)

    def _tick(self) -> None:
        if self.progress is not None:
            self.progress(self._done, max(self._planned, self._done))

    def _count(self, job: TableJob) -> int:
        count = self.count(job.table, job.where, job.params)
        return min(count, self.limit) if self.limit is not None else count

    def batches(self, job: TableJob) -> Iterator[list[Row]]:
        names = list(dict.fromkeys((*job.keys, *job.columns)))
        select = ", ".join(self.q(name) for name in names)
        order = ", ".join(f"{self.q(key)} DESC" for key in job.keys)
        keys = ", ".join(self.q(key) for key in job.keys)
        last: tuple[Any, ...] | None = None
        fetched = 0
        while self.limit is None or fetched < self.limit:
            conditions = [f"({job.where})"] if job.where else []
            params = list(job.params)
            if last is not None:
                marks = ", ".join(["%s"] * len(last))
                conditions.append(f"({keys}) < ({marks})" if len(last) > 1 else f"{keys} < %s")
                params.extend(last)
            size = self.batch_size if self.limit is None else min(self.batch_size, self.limit - fetched)
            where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
            sql = f"SELECT {select} FROM {self.q(job.table)}{where} ORDER BY {order} LIMIT {int(size)}"  # noqa: S608
            found = self.query(self.db.query, sql, params or None, what=job.table)
            if not found:
                return
            batch = [dict(zip(names, row, strict=True)) for row in found]
            fetched += len(batch)
            yield batch
            if len(found) < size:
                return
            last = tuple(batch[-1][key] for key in job.keys)

    # ---- findings ----
    def judge(
        self, content: Content, *, table: str, key: dict[str, Any], column: str, exposure: Exposure,
        label: str = "", locator: str = "", extra: Iterable[Reason] = (), name: str = "",
    ) -> Finding | None:
        """Analyse one stored thing and record a finding unless it is clean."""
        verdict = analyse_content(content, site_hosts=self.site_hosts, name=name or table)
        reasons = list(verdict.reasons)
        extra = list(extra)
        if extra:
            verdict = judge([*reasons, *extra])
            reasons = list(verdict.reasons)
        if verdict.verdict == Verdict.CLEAN:
            return None
        return self.add(Finding(
            table=table, key=key, column=column, locator=locator or locator_of(table, key, column),
            verdict=verdict.verdict, severity=severity_for(verdict.verdict, verdict.score, exposure),
            score=verdict.score, exposure=exposure, reasons=tuple(r for r in reasons if r.weight > 0), label=label,
        ))

    def add(self, finding: Finding) -> Finding:
        self.report.findings.append(finding)
        return finding
