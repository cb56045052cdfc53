"""Behaviour detection per client over sliding windows, across batches and files fed in time order.

| category    | rule              | counts, per client                                   | default          |
|-------------|-------------------|------------------------------------------------------|------------------|
| brute-force | login             | POSTs to login pages (wp-login.php, /administrator/, | 10 in 5 min      |
|             |                   | /user/login, /admin/login, /auth/login, /masuk, ...) |                  |
| brute-force | xmlrpc            | POSTs to xmlrpc.php (system.multicall, pingbacks)    | 5 in 5 min       |
| brute-force | http-auth         | 401 answers (HTTP basic/digest authentication)       | 10 in 5 min      |
| probing     | error-flood       | 400/403/404/405 answers                              | 50 in 1 min      |
| probing     | directory-busting | distinct paths answered 404                          | 25 in 1 min      |
| crawl       | aggressive-crawl  | page requests (not images, styles, scripts, fonts)   | 600 in 10 min    |
| flood       | rate-spike        | page requests                                        | 150 in 10 s      |
| fake-bot    | fake-crawler      | a request claiming Googlebot/Bingbot from outside    | 1 in 1 h         |
|             |                   | Google's/Microsoft's networks                        |                  |

Each finding names the client and the line that reached the threshold; a client gets at most one finding
per rule per window. `confirm_fake_bots` can check the fake-bot findings with reverse DNS afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import polars as pl

from jagaweb.logwatch import compiled
from jagaweb.logwatch.detect.crawlers import claimed_crawler, claims_outside_owner_networks, confirm_claims
from jagaweb.logwatch.detect.engine import FINDING_SCHEMA, empty_findings
from jagaweb.logwatch.detect.kinds import Category, Severity
from jagaweb.logwatch.detect.windows import WindowCounter

_LOGIN_PATH = (
    r"/wp-login\.php$|/administrator/?(?:index\.php)?$|/user/login$|/index\.php/(?:auth|login|admin)(?:/login)?$|"
    r"/(?:[\w-]+/)?(?:login|log-in|signin|sign-in|logon|masuk|auth|authenticate|session|sessions)"
    r"(?:\.php|\.aspx?|\.jsp|\.html?|\.do)?/?$|/(?:admin|administrator|adminpanel|cpanel|panel|backend|cms)"
    r"(?:/index\.php)?/?$|/phpmyadmin[\w.-]*/(?:index\.php)?$|/j_spring_security_check$"
)
_NOT_FOUND_OR_REFUSED = (400, 403, 404, 405)
_NOTABLE_STATUS = (*_NOT_FOUND_OR_REFUSED, 401)


@dataclass(frozen=True)
class BehaviourConfig:
    login_attempts: int = 10
    login_window: timedelta = timedelta(minutes=5)
    xmlrpc_posts: int = 5
    auth_failures: int = 10
    error_responses: int = 50
    error_window: timedelta = timedelta(minutes=1)
    not_found_paths: int = 25
    crawl_pages: int = 600
    crawl_window: timedelta = timedelta(minutes=10)
    # Pages only: one visit to a modern page loads a hundred images, styles and scripts within seconds.
    spike_pages: int = 150
    spike_window: timedelta = timedelta(seconds=10)
    fake_bot_window: timedelta = timedelta(hours=1)
    # Remembered events per rule; beyond it the oldest go first (a bound on memory, not on accuracy).
    max_rows_per_rule: int = 1_000_000


_STATIC_TARGET = (
    r"(?i)\.(?:css|js|mjs|map|png|jpe?g|gif|svg|ico|webp|avif|bmp|woff2?|ttf|otf|eot|mp4|webm|mp3|ogg|wav)(?:\?|$)"
)
_EVENT_COLUMNS = ("client", "ip", "time", "file", "line", "request")


@dataclass
class _Batch:
    """One batch as the rules read it, with what several rules share worked out once."""

    frame: pl.DataFrame
    notable: pl.DataFrame  # the few rows the event rules look at: POSTs and refused or failed requests
    seconds: pl.DataFrame  # per client and second: page requests (pages) and the last line

    @classmethod
    def of(cls, frame: pl.DataFrame) -> _Batch:
        frame = frame.with_columns(pl.col("ip").hash(seed=0).alias("client")).with_row_index("_row")
        notable = frame.filter((pl.col("method") == "POST") | pl.col("status").is_in(_NOTABLE_STATUS))
        # Targets repeat: the static-file test runs once per distinct target.
        targets = frame.get_column("target").drop_nulls().unique()
        static_targets = targets.filter(targets.str.contains(_STATIC_TARGET))
        page = ~pl.col("target").is_in(static_targets.implode()).fill_null(False)
        native = compiled.native
        seconds = _per_second_natively(frame, page, native) if native is not None else _per_second(frame, page)
        return cls(frame, notable, seconds)

    def events(self, condition: pl.Expr, then: pl.Expr | None = None, key: pl.Expr | None = None) -> pl.DataFrame:
        """Notable rows meeting `condition` (and `then`, worked out on those rows only), one event each."""
        chosen = self.notable.filter(condition)
        if then is not None:
            chosen = chosen.filter(then)
        return chosen.select(*_EVENT_COLUMNS, pl.lit(1, dtype=pl.UInt32).alias("n"),
                             (key if key is not None else pl.lit(None, dtype=pl.String)).alias("key"))

    def rate(self, count: str) -> pl.DataFrame:
        """Rate rules count many rows: one event per client and second keeps them small."""
        return self.seconds.filter(pl.col(count) > 0).select(
            *_EVENT_COLUMNS, pl.col(count).alias("n"), pl.lit(None, dtype=pl.String).alias("key"))

    def fake_crawlers(self) -> pl.DataFrame:
        # Agents repeat: claims are told on the distinct agents, then the rows holding one are picked.
        agents = self.frame.select(pl.col("agent").drop_nulls().unique())
        claims = agents.with_columns(claimed_crawler(pl.col("agent")).alias("crawler")).drop_nulls("crawler")
        if claims.is_empty():
            return self.events(pl.lit(False))
        rows = self.frame.filter(pl.col("agent").is_in(claims.get_column("agent").implode()))
        rows = claims_outside_owner_networks(rows.join(claims, on="agent").select(*_EVENT_COLUMNS, "crawler"))
        return rows.select(*_EVENT_COLUMNS, pl.lit(1, dtype=pl.UInt32).alias("n"), pl.col("crawler").alias("key"))


def _per_second(frame: pl.DataFrame, page: pl.Expr) -> pl.DataFrame:
    """Page requests per client and second (`pages`, 0 included), each second told by its last row (the one
    that took the count over a threshold): client, pages, ip, time, file, line, request."""
    second = pl.col("time").cast(pl.Int64) // 1_000_000  # microseconds since the epoch, to seconds
    keys = frame.select("client", second.alias("second"), page.cast(pl.UInt32).alias("page"), "_row")
    # one 64-bit key for (client, second) groups twice as fast as the pair
    keys = keys.with_columns(pl.struct("client", "second").hash(seed=1).alias("key"))
    counts = keys.group_by("key").agg(pl.col("client").first(), pl.col("page").sum().alias("pages"),
                                      pl.col("_row").max())
    last = frame.select("ip", "time", "file", "line", "request")[counts.get_column("_row")]
    return pl.concat([counts.select("client", "pages"), last], how="horizontal")


def _per_second_natively(frame: pl.DataFrame, page: pl.Expr, native: Any) -> pl.DataFrame:
    """As `_per_second`, counted in C (native/window.c), without the seconds that hold no page request."""
    columns = frame.select("client", pl.col("time").cast(pl.Int64), page.cast(pl.UInt8).alias("page"))
    found = native.per_second(*columns.get_columns())
    last = frame.select("client", "ip", "time", "file", "line", "request")[pl.Series(found["row"])]
    return last.with_columns(pl.Series(found["pages"]).cast(pl.UInt32).alias("pages"))


def _path() -> pl.Expr:
    return pl.col("target").fill_null("").str.extract(r"^([^?]*)", 1).fill_null("").str.to_lowercase()


@dataclass
class _Rule:
    counter: WindowCounter
    events: Callable[[_Batch], pl.DataFrame]


@dataclass
class Behaviour:
    """Stateful behaviour detection: `feed` each batch (in time order) and collect the findings it returns."""

    config: BehaviourConfig | None = None
    rules: list[_Rule] = field(init=False)

    def __post_init__(self) -> None:
        config = self.config or BehaviourConfig()
        self.config = config
        post = pl.col("method") == "POST"
        status = pl.col("status")

        def counter(category: Category, rule: str, severity: Severity, threshold: int, window: timedelta,
                    detail: str, *, distinct: bool = False) -> WindowCounter:
            return WindowCounter(category, rule, severity, threshold, window, detail, distinct=distinct,
                                 max_rows=config.max_rows_per_rule)

        self.rules = [
            _Rule(counter(Category.BRUTE_FORCE, "login", Severity.HIGH, config.login_attempts, config.login_window,
                          "{count} login attempts in {window}"),
                  lambda batch: batch.events(post, _path().str.contains(_LOGIN_PATH))),
            _Rule(counter(Category.BRUTE_FORCE, "xmlrpc", Severity.HIGH, config.xmlrpc_posts, config.login_window,
                          "{count} POSTs to xmlrpc.php in {window}"),
                  lambda batch: batch.events(post, _path().str.ends_with("/xmlrpc.php"))),
            _Rule(counter(Category.BRUTE_FORCE, "http-auth", Severity.MEDIUM, config.auth_failures,
                          config.login_window, "{count} refused logins (401) in {window}"),
                  lambda batch: batch.events(status == 401)),
            _Rule(counter(Category.PROBING, "error-flood", Severity.MEDIUM, config.error_responses,
                          config.error_window, "{count} requests answered 400/403/404/405 in {window}"),
                  lambda batch: batch.events(status.is_in(_NOT_FOUND_OR_REFUSED))),
            _Rule(counter(Category.PROBING, "directory-busting", Severity.MEDIUM, config.not_found_paths,
                          config.error_window, "{count} different missing paths in {window}", distinct=True),
                  lambda batch: batch.events(status == 404, key=_path())),
            _Rule(counter(Category.CRAWL, "aggressive-crawl", Severity.LOW, config.crawl_pages, config.crawl_window,
                          "{count} page requests in {window}"),
                  lambda batch: batch.rate("pages")),
            _Rule(counter(Category.FLOOD, "rate-spike", Severity.MEDIUM, config.spike_pages, config.spike_window,
                          "{count} page requests in {window}"),
                  lambda batch: batch.rate("pages")),
            _Rule(counter(Category.FAKE_BOT, "fake-crawler", Severity.MEDIUM, 1, config.fake_bot_window,
                          "claims to be {key} from outside its owner's networks"),
                  lambda batch: batch.fake_crawlers()),
        ]

    def feed(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Behaviour findings completed by this batch (columns of jagaweb.logwatch.detect.FINDING_SCHEMA)."""
        usable = _usable(frame)
        if usable.is_empty():
            return empty_findings()
        now = usable.get_column("time").max()
        if not isinstance(now, datetime):
            return empty_findings()
        batch = _Batch.of(usable)
        found = []
        for rule in self.rules:
            hits = rule.counter.feed(rule.events(batch), now)
            if hits.is_empty():
                continue
            counter = rule.counter
            found.append(hits.select(
                "file", "line", "ip", "time",
                pl.lit(str(counter.category)).alias("category"),
                pl.lit(counter.rule).alias("rule"),
                pl.lit(str(counter.severity)).alias("severity"),
                "request",
                counter.described().alias("detail"),
            ))
        if not found:
            return empty_findings()
        findings = pl.concat(found, how="vertical_relaxed")
        return findings.select(pl.col(name).cast(dtype) for name, dtype in FINDING_SCHEMA.items()).sort("time")

    def clients(self) -> int:
        """How many clients the windows remember."""
        remembered: set[int] = set()
        for rule in self.rules:
            remembered |= rule.counter.clients()
        return len(remembered)

    def remembered_rows(self) -> int:
        return sum(rule.counter.carry.height + rule.counter.alerts.height for rule in self.rules)


def _usable(frame: pl.DataFrame) -> pl.DataFrame:
    needed: dict[str, pl.DataType] = {
        "ip": pl.String(), "time": pl.Datetime("us", "UTC"), "file": pl.String(), "line": pl.Int64(),
        "request": pl.String(), "method": pl.String(), "target": pl.String(), "status": pl.Int32(),
        "agent": pl.String(),
    }
    columns = [(pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype).alias(name)
               for name, dtype in needed.items()]
    return frame.select(columns).filter(pl.col("ip").is_not_null() & pl.col("time").is_not_null())


async def confirm_fake_bots(findings: pl.DataFrame, *, timeout: float = 3.0,
                            servers: list[tuple[str, int]] | None = None) -> pl.DataFrame:
    """`findings` without the fake-crawler findings that forward-confirmed reverse DNS shows to be genuine.

    Goes through jagaweb.net (DNS); the pure detection never does."""
    fake = findings.filter(pl.col("rule") == "fake-crawler").with_columns(
        pl.col("detail").str.extract(r"claims to be (\w+)", 1).alias("crawler"))
    if fake.is_empty():
        return findings
    unconfirmed = await confirm_claims(fake, timeout=timeout, servers=servers)
    keep = pl.concat([findings.filter(pl.col("rule") != "fake-crawler"), unconfirmed.drop("crawler")])
    return keep.sort("time")
