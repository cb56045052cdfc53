"""Visitor statistics like GoAccess's panels, kept as daily aggregates so they can be stored per site and day.

`VisitorStats.feed` takes each parsed batch and keeps only grouped counts (per day and key), folded
together every few batches, so memory follows the number of distinct visits (client, agent, hour), paths
and referrers, not the number of lines. A visitor is, as in GoAccess, one client address with one user
agent on one day. Classifying user agents (browser, system, crawler) and referrers (their site) happens
once per distinct value when the report is made, never per request.

Days and hours are in `time_zone` (the institution's), not UTC, so a day's figures match its calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl

STATIC_FILE = (r"(?i)\.(?:css|js|mjs|map|png|jpe?g|gif|webp|avif|svg|ico|bmp|tiff?|woff2?|ttf|otf|eot|"
               r"mp4|webm|mp3|ogg|wav|flv|swf|pdf|docx?|xlsx?|pptx?|zip|rar|7z|gz|tgz|txt|xml|json|csv)$")
CRAWLER = (r"(?i)bot\b|bot/|crawl|spider|slurp|archiver|facebookexternalhit|mediapartners|feedfetcher|"
           r"bingpreview|lighthouse|headlesschrome|scrapy|nutch|httrack")
CRAWLER_NAME = (r"(?i)([a-z0-9_.-]*(?:bot|crawl|spider|slurp|archiver|fetch|externalhit|preview|scrapy|nutch|"
                r"httrack|headlesschrome|lighthouse)[a-z0-9_.-]*)")
FIRST_PRODUCT = r"^([^/;( ]+)"  # "Feedly/1.0 (+http://...)" -> "Feedly"
BROWSERS = [  # first match wins: many agents name several browsers ("Chrome/... Safari/...")
    ("Edge", r"Edg(?:e|A|iOS)?/"), ("Opera", r"OPR/|Opera"), ("Samsung Internet", r"SamsungBrowser/"),
    ("UC Browser", r"UCBrowser/"), ("Facebook app", r"FBAN|FBAV"), ("Instagram app", r"Instagram"),
    ("Firefox", r"Firefox/|FxiOS/"), ("Chrome", r"Chrome/|CriOS/"), ("Safari", r"Safari/"),
    ("Internet Explorer", r"MSIE |Trident/"),
    ("HTTP library or tool", r"(?i)^(?:curl|wget|python|go-http-client|java|okhttp|libwww|php|ruby|axios|node)"),
]
SYSTEMS = [
    ("Android", r"Android"), ("iOS", r"iPhone|iPad|iPod"), ("Windows", r"Windows"), ("ChromeOS", r"CrOS"),
    ("macOS", r"Macintosh|Mac OS X"), ("Linux", r"Linux|X11"),
]
NO_AGENT = "(none)"
OTHER = "Other"
CRAWLER_FAMILY = "Crawler"
FOLD_EVERY = 8
AGENT_NAMES = "agent_names"  # folded with the tables, kept apart from them
AGENT_SEED = 20261109
COLUMN_TYPES: dict[str, pl.DataType] = {
    "date": pl.Date(), "hour": pl.Int8(), "path": pl.String(), "ip": pl.String(),
    "status": pl.Int32(), "referer": pl.String(), "agent": pl.String(), "agent_key": pl.UInt64(),
    "vhost": pl.String(),
    "requests": pl.Int64(), "bandwidth": pl.Int64(),
}

# per key table: the key columns after `date`, and the sums kept. "visits" (one client with one agent in one
# hour) is the finest grain of four panels at once: hours, visitors, clients and agents are sums over it.
# Agents are long strings, so visits hold a 64-bit hash of the agent (grouping by it is cheaper), and
# VisitorStats.agent_names maps the hashes back to the agents.
TABLES: dict[str, tuple[list[str], list[str]]] = {
    "visits": (["hour", "ip", "agent_key"], ["requests", "bandwidth"]),
    "paths": (["path"], ["requests", "bandwidth"]),
    "not_found": (["path"], ["requests"]),
    "statuses": (["status"], ["requests"]),
    "referrers": (["referer"], ["requests"]),
    "vhosts": (["vhost"], ["requests", "bandwidth"]),
}


def steady_offset(time_zone: str, first: datetime | None, last: datetime | None) -> timedelta | None:
    """The zone's UTC offset if it is the same all through [first, last] (checked once a week, which no
    daylight-saving rule slips through), else None."""
    if first is None or last is None or last - first > timedelta(days=400):
        return None
    zone = ZoneInfo(time_zone)
    offsets = {(first + timedelta(days=7 * week)).astimezone(zone).utcoffset()
               for week in range((last - first).days // 7 + 1)}
    offsets.add(last.astimezone(zone).utcoffset())
    return offsets.pop() if len(offsets) == 1 else None


def classify(column: pl.Expr, patterns: list[tuple[str, str]], otherwise: str) -> pl.Expr:
    chain: Any = pl
    for name, pattern in patterns:
        chain = chain.when(column.str.contains(pattern)).then(pl.lit(name))
    return chain.otherwise(pl.lit(otherwise))


class VisitorStats:
    def __init__(self, time_zone: str = "UTC") -> None:
        self.time_zone = time_zone
        self.parts: dict[str, list[pl.DataFrame]] = {name: [] for name in TABLES}
        self.agent_names: list[pl.DataFrame] = []
        self.batches = 0

    def feed(self, frame: pl.DataFrame) -> None:
        if not len(frame):
            return
        date, hour = self.local_date_and_hour(frame["time"])
        rows = frame.select(
            date.alias("date"),
            hour.alias("hour"),
            "ip", "status", "referer", "agent", "vhost", "target", pl.col("agent").hash(AGENT_SEED).alias("agent_key"),
            pl.col("bytes").fill_null(0).alias("bandwidth"),
        ).lazy()  # made once, then grouped four ways in parallel
        vhosts = frame["vhost"].null_count() < len(frame)
        queries = [self.grouped(rows, "visits"), self.grouped(rows, "referrers"),
                   *([self.grouped(rows, "vhosts")] if vhosts else []),
                   rows.group_by("date", "target", "status").agg(pl.len().cast(pl.Int64).alias("requests"),
                                                                 pl.col("bandwidth").sum()),
                   rows.select("agent_key", "agent").unique("agent_key")]
        visits, referrers, *rest = pl.collect_all(queries)
        *vhost_counts, targets, agent_names = rest
        results = {"visits": visits, "referrers": referrers, **self.target_tables(targets)}
        if vhost_counts:
            results["vhosts"] = vhost_counts[0]
        for name, result in results.items():
            self.parts[name].append(result)
        self.agent_names.append(agent_names)
        self.batches += 1
        if self.batches % FOLD_EVERY == 0:
            self.fold()

    @staticmethod
    def target_tables(targets: pl.DataFrame) -> dict[str, pl.DataFrame]:
        """Paths, missing paths and statuses from the counts per day, target and status: a batch holds far
        fewer distinct targets than requests, so the path is cut from each target once."""
        by_path = targets.with_columns(pl.col("target").str.splitn("?", 2).struct.field("field_0").alias("path"))
        requests = pl.col("requests").sum()
        return {
            "paths": by_path.group_by("date", "path").agg(requests, pl.col("bandwidth").sum()),
            "not_found": by_path.filter(pl.col("status") == 404).group_by("date", "path").agg(requests),
            "statuses": targets.group_by("date", "status").agg(requests),
        }

    def local_date_and_hour(self, times: pl.Series) -> tuple[pl.Expr, pl.Expr]:
        """The day and hour in `time_zone`. While the zone keeps one UTC offset (always, for Indonesia's zones)
        adding it is ten times cheaper than a time-zone conversion."""
        offset = steady_offset(self.time_zone, times.min(), times.max())  # type: ignore[arg-type]
        if offset is None:
            local = pl.col("time").dt.convert_time_zone(self.time_zone)
            return local.dt.date(), local.dt.hour()
        micros = pl.col("time").dt.epoch("us") + int(offset.total_seconds()) * 1_000_000
        return ((micros // 86_400_000_000).cast(pl.Int32).cast(pl.Date),
                ((micros // 3_600_000_000) % 24).cast(pl.Int8))

    def grouped(self, rows: pl.LazyFrame, name: str) -> pl.LazyFrame:
        """The rows counted per day and the table's keys (visits, referrers and virtual hosts)."""
        keys, sums = TABLES[name]
        return rows.group_by("date", *keys).agg(
            *(pl.len().cast(pl.Int64).alias(column) if column == "requests" else pl.col(column).sum()
              for column in sums))

    def fold(self) -> None:
        """Merge the per-batch pieces, so their number (and the memory) stays small; the tables together, on
        every core (the last fold comes at the end of a scan, when nothing else runs)."""
        queries = {name: pl.concat(parts, how="vertical_relaxed").lazy().group_by("date", *TABLES[name][0])
                   .agg(pl.col(TABLES[name][1]).sum()) for name, parts in self.parts.items() if len(parts) > 1}
        if len(self.agent_names) > 1:
            queries[AGENT_NAMES] = pl.concat(self.agent_names).lazy().unique("agent_key")
        for name, whole in zip(queries, pl.collect_all(list(queries.values())) if queries else [], strict=True):
            if name == AGENT_NAMES:
                self.agent_names = [whole]
            else:
                self.parts[name] = [whole]

    def table(self, name: str) -> pl.DataFrame:
        self.fold()
        if self.parts[name]:
            return self.parts[name][0]
        keys, sums = TABLES[name]
        return pl.DataFrame(schema={column: COLUMN_TYPES[column] for column in ["date", *keys, *sums]})

    def report(self) -> VisitorReport:
        return VisitorReport.build(self)


@dataclass
class VisitorReport:
    daily: pl.DataFrame  # date, requests, visitors, pages, bandwidth, not_found, crawler_requests
    hourly: pl.DataFrame  # date, hour, requests, visitors, bandwidth
    paths: pl.DataFrame  # date, path, page, requests, bandwidth ("path" without its query string)
    not_found: pl.DataFrame  # date, path, requests (status 404)
    statuses: pl.DataFrame  # date, status, requests
    clients: pl.DataFrame  # date, ip, requests, bandwidth
    referrers: pl.DataFrame  # date, referer, site, requests
    agents: pl.DataFrame  # date, agent, browser, system, crawler, requests
    vhosts: pl.DataFrame  # date, vhost, requests, bandwidth

    @classmethod
    def build(cls, stats: VisitorStats) -> VisitorReport:
        stats.fold()
        names = stats.agent_names[0] if stats.agent_names else pl.DataFrame(
            schema={"agent_key": pl.UInt64, "agent": pl.String})
        keyed_visits = stats.table("visits").lazy()
        visits = keyed_visits.join(names.lazy(), on="agent_key", how="left").drop("agent_key")
        paths = stats.table("paths").lazy().with_columns(
            (~pl.col("path").fill_null("").str.contains(STATIC_FILE)).alias("page"))
        referrers = stats.table("referrers").lazy().filter(pl.col("referer").is_not_null()).with_columns(
            pl.col("referer").str.extract(r"^[A-Za-z][A-Za-z0-9+.-]*://([^/:?#]+)", 1).str.to_lowercase()
            .alias("site"))
        statuses = stats.table("statuses")
        # independent of one another: worked out together, on every core
        hourly, paths_table, referrers_table, agent_counts, clients, visitors = pl.collect_all([
            visits.group_by("date", "hour").agg(
                pl.col("requests", "bandwidth").sum(), pl.len().cast(pl.Int64).alias("visitors")).sort("date", "hour"),
            paths,
            referrers,
            visits.group_by("date", "agent").agg(pl.col("requests").sum()),
            visits.group_by("date", "ip").agg(pl.col("requests", "bandwidth").sum()),
            # an agent's key stands for the agent, and is cheaper to compare
            keyed_visits.group_by("date").agg(pl.struct("ip", "agent_key").n_unique().cast(pl.Int64).alias("visitors")),
        ])
        agents = classify_agents(agent_counts)
        daily = hourly.group_by("date").agg(pl.col("requests", "bandwidth").sum())
        for extra in (
            visitors,
            paths_table.filter("page").group_by("date").agg(pl.col("requests").sum().alias("pages")),
            statuses.filter(pl.col("status") == 404).group_by("date").agg(pl.col("requests").sum().alias("not_found")),
            agents.filter(pl.col("crawler").is_not_null()).group_by("date")
            .agg(pl.col("requests").sum().alias("crawler_requests")),
        ):
            daily = daily.join(extra, on="date", how="left")
        daily = daily.fill_null(0).select("date", "requests", "visitors", "pages", "bandwidth", "not_found",
                                          "crawler_requests").sort("date")
        return cls(daily=daily, hourly=hourly, paths=paths_table, not_found=stats.table("not_found"),
                   statuses=statuses, clients=clients, referrers=referrers_table, agents=agents,
                   vhosts=stats.table("vhosts").filter(pl.col("vhost").is_not_null()))

    def totals(self) -> dict[str, int]:
        daily = self.daily.select(pl.all().exclude("date").sum())
        row = daily.row(0, named=True) if len(self.daily) else dict.fromkeys(daily.columns, 0)
        return {
            **{name: int(value or 0) for name, value in row.items()},
            "clients": self.clients["ip"].n_unique(),
            "distinct_paths": self.paths["path"].n_unique(),
            "referring_sites": self.referrers["site"].drop_nulls().n_unique(),
            "user_agents": self.agents["agent"].drop_nulls().n_unique(),
        }

    def as_dict(self, top: int = 10) -> dict[str, Any]:
        """Totals, the daily and hourly figures and the top `top` of each panel, for JSON."""
        def ranked(frame: pl.DataFrame, key: str, sums: tuple[str, ...] = ("requests",)) -> pl.LazyFrame:
            grouped = frame.lazy().group_by(key).agg(pl.col(list(sums)).sum())
            return grouped.sort(["requests", key], descending=[True, False], nulls_last=True).head(top)

        panels = {
            "paths": ranked(self.paths.filter("page"), "path", ("requests", "bandwidth")),
            "static_files": ranked(self.paths.filter(~pl.col("page")), "path", ("requests", "bandwidth")),
            "not_found": ranked(self.not_found, "path"),
            "clients": ranked(self.clients, "ip", ("requests", "bandwidth")),
            "referring_sites": ranked(self.referrers.drop_nulls("site"), "site"),
            "browsers": ranked(self.agents, "browser"),
            "systems": ranked(self.agents, "system"),
            "crawlers": ranked(self.agents.drop_nulls("crawler"), "crawler"),
            "statuses": ranked(self.statuses, "status"),
            "vhosts": ranked(self.vhosts, "vhost", ("requests", "bandwidth")),
        }
        hours = self.hourly.lazy().group_by("hour").agg(pl.col("requests", "bandwidth").sum())
        *tops, hours_table = pl.collect_all([*panels.values(), hours])  # together, on every core
        all_hours = pl.DataFrame({"hour": range(24)}, schema={"hour": hours_table.schema["hour"]})
        return {
            "totals": self.totals(),
            "daily": [{**row, "date": row["date"].isoformat()} for row in self.daily.to_dicts()],
            "hours": all_hours.join(hours_table, on="hour", how="left").fill_null(0).sort("hour").to_dicts(),
            "top": {name: table.to_dicts() for name, table in zip(panels, tops, strict=True)},
        }


def classify_agents(agents: pl.DataFrame) -> pl.DataFrame:
    """Browser family, operating system and crawler name, worked out once per distinct agent."""
    distinct = agents.select(pl.col("agent").unique())
    agent = pl.col("agent")
    crawler = agent.str.contains(CRAWLER)
    named = distinct.with_columns(
        pl.when(agent.is_null()).then(pl.lit(NO_AGENT)).when(crawler).then(pl.lit(CRAWLER_FAMILY))
        .otherwise(classify(agent, BROWSERS, OTHER)).alias("browser"),
        pl.when(agent.is_null()).then(pl.lit(NO_AGENT)).otherwise(classify(agent, SYSTEMS, OTHER)).alias("system"),
        pl.when(crawler).then(pl.coalesce(  # the name, not a word of the address its makers put after it
            agent.str.replace_all(r"(?:https?://|www\.)\S*", "").str.extract(CRAWLER_NAME, 1),
            agent.str.extract(FIRST_PRODUCT, 1)))
        .alias("crawler"),
    )
    return agents.join(named, on="agent", how="left", nulls_equal=True).select(
        "date", "agent", "browser", "system", "crawler", "requests")
