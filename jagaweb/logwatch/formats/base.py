"""What every log format provides, and the columns of a parsed batch (shared with jagaweb.logwatch.detect)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

import polars as pl

from jagaweb.logwatch.early import ReadAhead


class FormatName(StrEnum):
    COMBINED = "combined"
    COMMON = "common"
    VHOST_COMBINED = "vhost_combined"
    JSON = "json"
    W3C = "w3c"


UTC_TIME = pl.Datetime("us", "UTC")
# The parsed batch handed to detection and statistics: one row per request, in line order.
REQUEST_SCHEMA: dict[str, pl.DataType] = {
    "file": pl.String(),
    "line": pl.Int64(),
    "ip": pl.String(),
    "time": UTC_TIME,
    "method": pl.String(),
    "target": pl.String(),
    "protocol": pl.String(),
    "request": pl.String(),
    "status": pl.Int32(),
    "bytes": pl.Int64(),
    "referer": pl.String(),
    "agent": pl.String(),
    "vhost": pl.String(),
}
# What a format returns: the schema without `file` (the caller adds it), plus `directive`.
FORMAT_COLUMNS = [name for name in REQUEST_SCHEMA if name != "file"]
REQUIRED = ("ip", "time", "request")
# A request's time lies in these bounds (UTC, microseconds since the epoch: 1000-01-01 and 9999-01-01);
# anything else ("12/Nov/-2026", an epoch number in nanoseconds) is no log time, and Python could not even
# hold it: the line is unparsed. The compiled reader (native/clf.c) applies the same bounds.
EARLIEST_TIME_US = -30_610_224_000_000_000
LATEST_TIME_US = 253_370_764_800_000_000


@dataclass(frozen=True)
class NativeRead:
    """What a compiled reader made of a chunk: the requests it read (`parse`'s columns, in line order) and
    the lines it left to `parse`, by number and as text (each followed by a newline)."""

    frame: pl.DataFrame
    deferred_lines: list[int]
    deferred_text: bytes


class LogFormat(ABC):
    """One access-log format. A new instance per file, since a format may carry state between batches
    (the W3C field list). `parse` gets a frame with `line` (Int64) and `text` (String; null for lines
    already known to be unparsable) and returns one row per input row, in the same order, with the
    `FORMAT_COLUMNS` and a Boolean `directive` (a comment or header line, neither a request nor an error).
    A row is a request when the `REQUIRED` columns are not null."""

    name: ClassVar[FormatName]
    label: ClassVar[str]

    @abstractmethod
    def parse(self, lines: pl.DataFrame) -> pl.DataFrame: ...

    def read_natively(self, data: bytes, first_line: int, ready: ReadAhead | None = None) -> NativeRead | None:
        """Read the chunk's lines (`data`, numbered from `first_line`) with compiled code where the format has
        it; None when it has none (or it was not built), and `parse` reads every line. `ready` is what the
        compiled code made of the chunk before (jagaweb.logwatch.early), used when it read it as this format
        reads it."""
        return None

    def recognised(self, sample: pl.DataFrame) -> int:
        """How many lines of the sample this format reads as a request or a directive of its own."""
        parsed = self.parse(sample)
        requests = parsed.select(pl.all_horizontal(pl.col(REQUIRED).is_not_null()) & ~pl.col("directive"))
        return int(requests.to_series().sum()) + self.own_directives(parsed)

    def own_directives(self, parsed: pl.DataFrame) -> int:
        return 0


def dash_to_null(column: pl.Expr) -> pl.Expr:
    """Access logs write "-" for a missing value."""
    return pl.when(column != "-").then(column)


ODD_REQUEST = r"^([A-Za-z][A-Za-z_-]*) (.+?)(?: (HTTP/[0-9.]+))?$"


def with_request_parts(frame: pl.DataFrame) -> pl.DataFrame:
    """Add method, target and protocol from `request`, e.g. "GET /index.php?id=1 HTTP/1.1".

    Request lines repeat (the same pages, images and scripts), so each distinct one is cut once and the
    parts are joined back to the rows."""
    requests = frame.select(pl.col("request").unique())
    parts = request_parts(requests)
    return frame.drop("method", "target", "protocol", strict=False).join(
        parts, on="request", how="left", nulls_equal=True, maintain_order="left")


def request_parts(frame: pl.DataFrame) -> pl.DataFrame:
    """`request` with its method, target and protocol.

    Nearly every request line is three words, which splitting reads; the rest (HTTP/0.9's two words,
    spaces inside a target) get a regular expression. A line of junk (a TLS handshake sent to port 80)
    gets nulls, while `request` keeps it for detection."""
    request = pl.col("request")
    words = frame.select(request.str.len_bytes().alias("length"), request.str.split_exact(" ", 2).alias("words"))
    words = words.unnest("words")
    method, target, protocol = pl.col("field_0"), pl.col("field_1"), pl.col("field_2")
    # exactly three words when the lengths add up (knowing a string's length costs nothing, counting spaces does)
    three = pl.col("length") == pl.sum_horizontal(word.str.len_bytes() for word in (method, target, protocol)) + 2
    usual = three & protocol.str.starts_with("HTTP/")
    parts = words.select(pl.when(usual).then(method).alias("method"), pl.when(usual).then(target).alias("target"),
                         pl.when(usual).then(protocol).alias("protocol"), usual.alias("usual"))
    odd = ~parts["usual"] & frame["request"].is_not_null()
    if odd.any():
        groups = frame.select(pl.when(odd).then(request).str.extract_groups(ODD_REQUEST)).to_series()
        parts = parts.with_columns(pl.coalesce(pl.col(name), groups.struct.field(group)).alias(name)
                                   for group, name in (("1", "method"), ("2", "target"), ("3", "protocol")))
    return frame.select("request").with_columns(parts.drop("usual"))


def finish(frame: pl.DataFrame) -> pl.DataFrame:
    """Select the format columns in schema order with their types (missing ones as nulls)."""
    present = set(frame.columns)
    columns = [(pl.col(name) if name in present else pl.lit(None)).cast(REQUEST_SCHEMA[name]).alias(name)
               for name in FORMAT_COLUMNS]
    if "time" in present:
        time = columns[FORMAT_COLUMNS.index("time")]
        inside = time.dt.epoch("us").is_between(EARLIEST_TIME_US, LATEST_TIME_US, closed="left")
        columns[FORMAT_COLUMNS.index("time")] = pl.when(inside).then(time).alias("time")
    directive = pl.col("directive") if "directive" in present else pl.lit(False)
    return frame.select(*columns, directive.alias("directive"))
