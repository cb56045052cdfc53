"""W3C extended log files as IIS writes them: `#Fields:` names the space-separated columns (it may change
in the middle of a file, after a restart with a new configuration); dates and times are UTC; spaces
inside values are written as "+". Lines starting with "#" are directives, neither requests nor errors.

The field list is state: it carries over from one batch of a file to the next, so one instance per file.
"""

from __future__ import annotations

import polars as pl

from jagaweb.logwatch.formats.base import FormatName, LogFormat, dash_to_null, finish

# IIS's default selection, for a file read from an offset past its #Fields line
DEFAULT_FIELDS = [
    "date", "time", "s-ip", "cs-method", "cs-uri-stem", "cs-uri-query", "s-port", "cs-username", "c-ip",
    "cs(User-Agent)", "cs(Referer)", "sc-status", "sc-substatus", "sc-win32-status", "time-taken",
]
FIELDS_DIRECTIVE = "#Fields:"
W3C_SOURCES = {
    "ip": "c-ip", "method": "cs-method", "stem": "cs-uri-stem", "query": "cs-uri-query",
    "protocol": "cs-version", "status": "sc-status", "bytes": "sc-bytes", "referer": "cs(Referer)",
    "agent": "cs(User-Agent)", "vhost": "cs-host", "date": "date", "clock": "time",
}


class W3cFormat(LogFormat):
    name = FormatName.W3C
    label = "W3C extended (IIS)"

    def __init__(self) -> None:
        self.fields = list(DEFAULT_FIELDS)

    def parse(self, lines: pl.DataFrame) -> pl.DataFrame:
        frame = lines
        text = pl.col("text")
        frame = frame.with_columns(
            text.str.starts_with("#").fill_null(False).alias("directive"),
            text.str.starts_with(FIELDS_DIRECTIVE).fill_null(False).cum_sum().alias("segment"),
        )
        declared = frame.filter(text.str.starts_with(FIELDS_DIRECTIVE))["text"].to_list()
        parts = []
        for segment, part in frame.partition_by("segment", as_dict=True, maintain_order=True).items():
            index = int(segment[0])
            if index > 0:
                self.fields = declared[index - 1].removeprefix(FIELDS_DIRECTIVE).split()
            parts.append(self.parse_segment(part, self.fields))
        return finish(pl.concat(parts, how="diagonal_relaxed"))

    def parse_segment(self, part: pl.DataFrame, fields: list[str]) -> pl.DataFrame:
        if not fields:
            return part.select("line", "directive")
        data = pl.when(~pl.col("directive")).then(pl.col("text"))
        values = part.with_columns(data.str.splitn(" ", len(fields)).alias("values"))
        complete = ~pl.col("values").struct.field(f"field_{len(fields) - 1}").str.contains(" ", literal=True)
        columns = {name: pl.when(complete).then(pl.col("values").struct.field(f"field_{fields.index(source)}"))
                   for name, source in W3C_SOURCES.items() if source in fields}
        raw = values.select("line", "directive", **columns)
        return raw.with_columns(self.typed(raw.columns))

    def typed(self, present: list[str]) -> list[pl.Expr]:
        def column(name: str) -> pl.Expr:
            return dash_to_null(pl.col(name)) if name in present else pl.lit(None, dtype=pl.String)

        target = pl.concat_str(column("stem"), pl.lit("?") + column("query"), ignore_nulls=True)
        target = pl.when(column("stem").is_not_null()).then(target)
        moment = pl.concat_str(column("date"), column("clock"), separator=" ")
        return [
            column("ip").alias("ip"),
            moment.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us", time_zone="UTC").alias("time"),
            column("method").alias("method"),
            target.alias("target"),
            column("protocol").alias("protocol"),
            pl.when(column("method").is_not_null() & target.is_not_null())
            .then(pl.concat_str(column("method"), target, column("protocol"), separator=" ", ignore_nulls=True))
            .alias("request"),
            column("status").cast(pl.Int32, strict=False).alias("status"),
            column("bytes").cast(pl.Int64, strict=False).alias("bytes"),
            column("referer").alias("referer"),
            column("agent").str.replace_all("+", " ", literal=True).alias("agent"),
            column("vhost").alias("vhost"),
        ]

    def own_directives(self, parsed: pl.DataFrame) -> int:
        return int(parsed["directive"].sum())
