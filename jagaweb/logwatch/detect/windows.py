"""Sliding-window counting per client, carried from one batch to the next.

A `WindowCounter` keeps the events of the last window (per rule: only the rows that count, and for rate
rules one row per client and second) and the time of each client's last alert. Each batch is counted
together with that carry, so a window can span batches and files; what is older than one window behind the
newest event is forgotten, which also forgets idle clients.

The counting itself is done by the compiled part (`windows` in native/window.c) when it is installed, and
otherwise in Polars; both give the same findings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl

from jagaweb.logwatch import compiled
from jagaweb.logwatch.detect.kinds import Category, Severity

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# The columns of an event: who (`client` is a 64-bit hash of the address, much cheaper to group and join on
# than the text), when, where it was logged, how many requests it stands for, and a key for rules that count
# distinct things (paths).
EVENT_SCHEMA: dict[str, pl.DataType] = {
    "client": pl.UInt64(), "ip": pl.String(), "time": pl.Datetime("us", "UTC"), "file": pl.String(),
    "line": pl.Int64(), "request": pl.String(), "n": pl.UInt32(), "key": pl.String(),
}  # fmt: skip


@dataclass
class WindowCounter:
    """One behaviour rule: `threshold` events of a client within `window` make one finding per window."""

    category: Category
    rule: str
    severity: Severity
    threshold: int
    window: timedelta
    detail: str  # "{count}", "{window}" and "{key}" are filled in
    distinct: bool = False  # count distinct keys instead of events
    max_rows: int = 1_000_000
    carry: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=EVENT_SCHEMA))
    alerts: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema={"client": pl.UInt64(), "alerted": pl.Datetime("us", "UTC")}))

    def described(self) -> pl.Expr:
        """The finding's detail from the template, for rows of `feed`'s result."""
        pieces = []
        rest = self.detail.replace("{window}", self.window_text)
        while rest:
            positions = [(rest.find(mark), mark) for mark in ("{count}", "{key}") if mark in rest]
            if not positions:
                pieces.append(pl.lit(rest))
                break
            position, mark = min(positions)
            if position:
                pieces.append(pl.lit(rest[:position]))
            pieces.append(pl.col("count" if mark == "{count}" else "key").cast(pl.String).fill_null(""))
            rest = rest[position + len(mark):]
        return pl.concat_str(pieces) if pieces else pl.lit("")

    @property
    def window_text(self) -> str:
        seconds = int(self.window.total_seconds())
        if seconds % 3600 == 0:
            return f"{seconds // 3600} h"
        return f"{seconds // 60} min" if seconds % 60 == 0 else f"{seconds} s"

    def clients(self) -> set[int]:
        return set(self.carry.get_column("client").to_list()) | set(self.alerts.get_column("client").to_list())

    def feed(self, events: pl.DataFrame, now: datetime) -> pl.DataFrame:
        """Findings (ip, time, file, line, request, count, key) for this batch's events; `now` is the batch's
        newest time, up to which the windows move (and forget) even when the rule saw nothing."""
        if events.is_empty():
            self._forget(self.carry.with_columns(pl.lit(False).alias("fresh")), now)
            return pl.DataFrame()
        events = events.select([pl.col(name).cast(dtype) for name, dtype in EVENT_SCHEMA.items()])
        if self.distinct:
            # a path already counted in this window is not counted again
            events = events.unique(subset=["client", "key"], keep="first", maintain_order=True)
            events = events.join(self.carry.select("client", "key"), on=["client", "key"], how="anti")
        every = pl.concat([self.carry.with_columns(pl.lit(False).alias("fresh")),
                           events.with_columns(pl.lit(True).alias("fresh"))])
        latest = every.get_column("time").max()
        newest = max(now, latest) if isinstance(latest, datetime) else now
        findings = self._findings(every) if not events.is_empty() else pl.DataFrame()  # all already counted
        self._forget(every, newest)
        return findings

    def _busy_clients(self, every: pl.DataFrame) -> pl.DataFrame:
        """Clients that can reach the threshold. Any window of the rule's length lies within two consecutive
        window-long buckets, so one of them holds at least half the threshold; clients without such a bucket
        (nearly all) are skipped before the exact sliding count."""
        window_us = int(self.window.total_seconds() * 1_000_000)
        half = (self.threshold + 1) // 2
        bucket = pl.struct("client", (pl.col("time").cast(pl.Int64) // window_us).alias("bucket")).hash(seed=1)
        buckets = every.group_by(bucket.alias("key")).agg(
            pl.col("client").first(), pl.col("n").sum().alias("n"), pl.col("fresh").any().alias("fresh"))
        fresh_clients = buckets.filter(pl.col("fresh")).select("client").unique()
        full = buckets.filter(pl.col("n") >= half).select("client").unique()
        return full.join(fresh_clients, on="client", how="semi")

    def _findings(self, every: pl.DataFrame) -> pl.DataFrame:
        native = compiled.native
        found = self._counted_natively(every, native) if native is not None else self._counted(every)
        if found.is_empty():
            return pl.DataFrame()
        latest = found.group_by("client").agg(pl.col("time").max().alias("alerted"))
        self.alerts = pl.concat([self.alerts.join(latest, on="client", how="anti"), latest])
        return found.select("ip", "time", "file", "line", "request", "count", "key")

    def _counted(self, every: pl.DataFrame) -> pl.DataFrame:
        busy = self._busy_clients(every)
        if busy.is_empty():
            return pl.DataFrame()
        counted = every.join(busy, on="client", how="semi").sort(["client", "time", "line"]).with_columns(
            pl.col("n").cast(pl.Int64).rolling_sum_by("time", window_size=self.window, closed="right")
            .over("client").alias("count"))
        triggers = counted.filter(pl.col("fresh") & (pl.col("count") >= self.threshold))
        if triggers.is_empty():
            return pl.DataFrame()
        return self._spaced(triggers.join(self.alerts, on="client", how="left", maintain_order="left"))

    def _counted_natively(self, every: pl.DataFrame, native: Any) -> pl.DataFrame:
        numbers = every.select("client", pl.col("time").cast(pl.Int64), pl.col("line").fill_null(0),
                               pl.col("n").cast(pl.Int64), pl.col("fresh").cast(pl.UInt8))
        alerts = self.alerts.select("client", pl.col("alerted").cast(pl.Int64))
        found = native.windows(*numbers.get_columns(), *alerts.get_columns(), self.threshold,
                               self.window // timedelta(microseconds=1))
        if not found["row"].rows():
            return pl.DataFrame()
        return every[pl.Series(found["row"])].with_columns(pl.Series(found["count"]).alias("count"))

    def _spaced(self, triggers: pl.DataFrame) -> pl.DataFrame:
        """The triggers (sorted by client and time, with the client's last finding as `alerted`) that become
        findings: a client's first trigger at least a window after its last finding (or its first ever),
        then the first a window after that one, and so on. Chosen one round per finding, so the result is
        the same whether the rows came in one batch or in many."""
        chosen = []
        pending = triggers
        while True:
            pending = pending.filter(pl.col("alerted").is_null() | (pl.col("time") >= pl.col("alerted") + self.window))
            if pending.is_empty():
                break
            found = pending.unique(subset=["client"], keep="first", maintain_order=True)
            chosen.append(found.drop("alerted"))
            pending = pending.join(found.select("client", pl.col("time").alias("found")), on="client", how="left",
                                   maintain_order="left")
            pending = pending.with_columns(pl.coalesce("found", "alerted").alias("alerted")).drop("found")
        return pl.concat(chosen).sort(["time", "line"]) if chosen else pl.DataFrame()

    def _forget(self, every: pl.DataFrame, newest: datetime) -> None:
        # as a number, then cast: Polars takes a time-zone-aware datetime literal twenty times as slowly
        horizon = pl.lit(_microseconds(newest - self.window)).cast(pl.Datetime("us", "UTC"))
        kept = every.filter(pl.col("time") > horizon).drop("fresh")
        if kept.height > self.max_rows:
            kept = kept.sort("time").tail(self.max_rows)
        self.carry = kept
        self.alerts = self.alerts.filter(pl.col("alerted") > horizon)


def _microseconds(moment: datetime) -> int:
    """Microseconds since the epoch; a time without a zone is taken as UTC, as the time column is."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - EPOCH) // timedelta(microseconds=1)
