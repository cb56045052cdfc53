"""Daily visitor figures per site, merged run after run from the statistics of the lines each run read.

Sums (requests, pages, bandwidth, status codes, hours, unparsed lines) simply add up. Top lists keep the
TOP_KEPT largest entries per day: each run adds its own top entries to the stored ones and cuts the list
again, so an entry that was pushed out restarts from what later runs count (the usual bounded top list;
the leaders of a day are exact, the tail is a lower bound).

Unique visitors (address + user agent, as GoAccess counts them) and clients (addresses) do not add up:
the same visitor comes back run after run. Each day's visitors and clients are kept as 64-bit keys
(BLAKE2b of the address and agent: stable across processes and library versions) in VisitorKey, and the
day's counts are the size of those sets - exact, whatever the runs. The keys of days before yesterday are
pruned (jobs.py); a day's `exact` flag turns false then, and lines of that day read later add their own
distinct counts (an upper bound). Days are the institution's (settings.TIME_ZONE), as in VisitorStats.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl
from django.db import connection
from django.utils.translation import gettext as _

from jagaweb.inventory.models import Site
from jagaweb.logwatch.models import DailyVisitors, VisitorKey, VisitorKeyKind, insert_rows
from jagaweb.logwatch.stats import VisitorReport, VisitorStats

TOP_KEPT = 100
KEY_CHARS = 300
NO_AGENT = "(none)"
COUNTERS = ("requests", "pages", "bandwidth", "not_found", "crawler_requests")
TOP_FIELDS = ("top_pages", "top_not_found", "top_referrers", "top_agents", "top_crawlers", "top_clients",
              "browsers", "systems")


@dataclass
class DayDelta:
    """What one run read of one day."""

    day: date
    counters: Counter[str] = field(default_factory=Counter)
    hours: list[int] = field(default_factory=lambda: [0] * 24)
    statuses: Counter[str] = field(default_factory=Counter)
    tops: dict[str, dict[str, int]] = field(default_factory=dict)
    visitor_keys: set[int] = field(default_factory=set)
    client_keys: set[int] = field(default_factory=set)


def stable_key(*parts: str | None) -> int:
    return stable_keys(["\n".join(part or "" for part in parts)])[0]


def stable_keys(values: list[str]) -> list[int]:
    """64-bit BLAKE2b of each value: the same in every process and version, unlike Polars' own hash."""
    blake2b, from_bytes = hashlib.blake2b, int.from_bytes
    return [from_bytes(blake2b(value.encode("utf-8", "replace"), digest_size=8).digest(), "big", signed=True)
            for value in values]


def merge_top(stored: dict[str, int], new: dict[str, int], kept: int = TOP_KEPT) -> dict[str, int]:
    merged = Counter(stored)
    merged.update(new)
    return dict(sorted(merged.items(), key=lambda item: (-item[1], item[0]))[:kept])


def top_per_day(frame: pl.DataFrame, key: str, deltas: dict[date, DayDelta], name: str) -> None:
    if frame.is_empty():
        return
    grouped = (frame.filter(pl.col(key).is_not_null())
               .group_by("date", pl.col(key).cast(pl.String).str.slice(0, KEY_CHARS).alias("key"))
               .agg(pl.col("requests").sum())
               .sort(["date", "requests", "key"], descending=[False, True, False])
               .group_by("date", maintain_order=True).head(TOP_KEPT))
    for day, value, requests in grouped.select("date", "key", "requests").iter_rows():
        deltas.setdefault(day, DayDelta(day)).tops.setdefault(name, {})[value] = int(requests)


def visitor_rows(stats: VisitorStats) -> pl.DataFrame:
    """Distinct (date, ip, agent) of what the statistics were fed."""
    visits = stats.table("visits").select("date", "ip", "agent_key").unique()
    names = (pl.concat(stats.agent_names).unique("agent_key") if stats.agent_names
             else pl.DataFrame(schema={"agent_key": pl.UInt64, "agent": pl.String}))
    return visits.join(names, on="agent_key", how="left").select("date", "ip", "agent")


def day_deltas(stats: VisitorStats, unparsed: dict[date, int]) -> dict[date, DayDelta]:
    report: VisitorReport = stats.report()
    deltas: dict[date, DayDelta] = {}
    for row in report.daily.iter_rows(named=True):
        delta = deltas.setdefault(row["date"], DayDelta(row["date"]))
        delta.counters.update({name: int(row[name]) for name in COUNTERS})
    for day, hour, requests in report.hourly.select("date", "hour", "requests").iter_rows():
        deltas.setdefault(day, DayDelta(day)).hours[int(hour)] += int(requests)
    for day, status, requests in report.statuses.select("date", "status", "requests").iter_rows():
        deltas.setdefault(day, DayDelta(day)).statuses[str(status)] += int(requests)
    agents = report.agents.with_columns(pl.col("agent").fill_null(NO_AGENT))
    for frame, key, name in (
        (report.paths.filter("page"), "path", "top_pages"), (report.not_found, "path", "top_not_found"),
        (report.referrers, "site", "top_referrers"), (agents, "agent", "top_agents"),
        (agents, "crawler", "top_crawlers"), (report.clients, "ip", "top_clients"),
        (agents, "browser", "browsers"), (agents, "system", "systems"),
    ):
        top_per_day(frame, key, deltas, name)
    visitors = visitor_rows(stats).with_columns(
        pl.concat_str(pl.col("ip").fill_null(""), pl.lit("\n"), pl.col("agent").fill_null("")).alias("visitor"))
    for (day,), group in visitors.group_by("date"):
        delta = deltas.setdefault(day, DayDelta(day))
        delta.visitor_keys.update(stable_keys(group.get_column("visitor").unique().to_list()))
        delta.client_keys.update(stable_keys(group.get_column("ip").fill_null("").unique().to_list()))
    for day, count in unparsed.items():
        deltas.setdefault(day, DayDelta(day)).counters["unparsed"] += count
    return deltas


def add_keys(site: Site, day: date, kind: VisitorKeyKind, keys: set[int]) -> int:
    """Store the keys; returns how many distinct keys the day has now."""
    if connection.vendor == "postgresql":
        # one statement with the keys as an array: a hundred times fewer round trips than rows of VALUES
        table = connection.ops.quote_name(VisitorKey._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} (site_id, date, kind, key) "
                           "SELECT %s, %s, %s, unnest(%s::bigint[]) ON CONFLICT DO NOTHING",
                           [site.pk, day, str(kind), sorted(keys)])
    else:
        stamp = connection.ops.adapt_datefield_value(day)
        insert_rows(VisitorKey, ("site_id", "date", "kind", "key"),
                    [(site.pk, stamp, str(kind), key) for key in keys], skip_existing=True)
    return VisitorKey.objects.filter(site=site, date=day, kind=kind).count()


def merge_days(site: Site, deltas: dict[date, DayDelta]) -> list[DailyVisitors]:
    """Add the deltas to the stored days (within the caller's transaction)."""
    merged = []
    for day in sorted(deltas):
        delta = deltas[day]
        row = DailyVisitors.objects.filter(site=site, date=day).first() or DailyVisitors(site=site, date=day)
        for name in (*COUNTERS, "unparsed"):
            setattr(row, name, getattr(row, name) + delta.counters.get(name, 0))
        row.hours = [int(old) + new for old, new in zip(row.hours or [0] * 24, delta.hours, strict=True)]
        row.statuses = dict(sorted((Counter(row.statuses) + delta.statuses).items()))
        for name in TOP_FIELDS:
            if name in delta.tops:
                setattr(row, name, merge_top(getattr(row, name) or {}, delta.tops[name]))
        if row.exact:
            row.visitors = add_keys(site, day, VisitorKeyKind.VISITOR, delta.visitor_keys)
            row.clients = add_keys(site, day, VisitorKeyKind.CLIENT, delta.client_keys)
        else:
            row.visitors += len(delta.visitor_keys)
            row.clients += len(delta.client_keys)
        row.save()
        merged.append(row)
    return merged


def prune_visitor_keys(before: date) -> int:
    """Forget the visitor keys of days before `before`; their days are no longer exact."""
    DailyVisitors.objects.filter(date__lt=before, exact=True).update(exact=False)
    deleted, _by_model = VisitorKey.objects.filter(date__lt=before).delete()
    return deleted


def status_classes(statuses: dict[str, int]) -> dict[str, int]:
    """Requests per class: 1xx ... 5xx (and "other" for anything odd)."""
    classes: dict[str, int] = defaultdict(int)
    for status, requests in statuses.items():
        name = f"{status[0]}xx" if len(status) == 3 and status[0] in "12345" else "other"
        classes[name] += int(requests)
    return dict(sorted(classes.items()))


def ranked(counts: dict[str, int], top: int) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]


def csv_rows(day: DailyVisitors, top: int = TOP_KEPT) -> list[list[Any]]:
    """The day as rows of (section, name, value): the figures, the hours, then each top list."""
    rows: list[list[Any]] = [[_("section"), _("name"), _("value")]]
    figures = [("requests", day.requests), ("visitors", day.visitors), ("clients", day.clients),
               ("pages", day.pages), ("bandwidth", day.bandwidth), ("not_found", day.not_found),
               ("crawler_requests", day.crawler_requests), ("unparsed", day.unparsed),
               ("exact", int(day.exact))]
    rows += [["figures", name, value] for name, value in figures]
    rows += [["hours", f"{hour:02d}", value] for hour, value in enumerate(day.hours or [0] * 24)]
    rows += [["status_classes", name, value] for name, value in status_classes(day.statuses).items()]
    rows += [["statuses", name, value] for name, value in sorted(day.statuses.items())]
    for name in TOP_FIELDS:
        rows += [[name, key, value] for key, value in ranked(getattr(day, name) or {}, top)]
    return rows
