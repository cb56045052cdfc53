"""The Common Log Format family (common, combined, vhost_combined), parsed in Rust by Polars.

Most lines hold no escaped quote, so cutting them at every `"` yields the quoted fields directly, and the
pieces between are checked by small expressions without capture groups and cut at their spaces: about
twice as fast as one capturing expression over the whole line. The few lines with an escaped quote
(Apache writes `\\"` inside a logged header) are read by a full expression that understands escapes.

Faster still, `native/clf.c` (built when a C compiler is at hand) reads the plainly well-formed lines of a
chunk in one pass and leaves every other line to these expressions, which decide what it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import polars as pl

from jagaweb.logwatch import compiled
from jagaweb.logwatch.early import ReadAhead
from jagaweb.logwatch.formats.base import LogFormat, NativeRead, dash_to_null, finish, with_request_parts
from jagaweb.logwatch.reader import MAX_LINE_BYTES

CLF_TIME = "%d/%b/%Y:%H:%M:%S %z"
CLF_TIME_WIDTH = len("10/Oct/2000:13:55:36 -0700")
QUOTED = r'"((?:[^"\\]|\\.)*)"'
STATUS_BYTES = r"([0-9]{3}|-) ([0-9]+|-)"


@dataclass(frozen=True)
class ClfLayout:
    vhost: bool  # "%v:%p " before the client address (vhost_combined)
    referer_agent: bool  # quoted referer and user agent after the byte count (combined)

    @property
    def head(self) -> str:
        """The part before the request's opening quote: [vhost,] client, identity, user, [time]."""
        return (r"([^ ]+) " if self.vhost else "") + r"([^ ]+) [^ ]+ [^ ]+ \[([^\]]*)\] "

    @property
    def tail(self) -> str:
        """Between the request's closing quote and the referer's opening one (or the end of the line)."""
        return f"^ {STATUS_BYTES} $" if self.referer_agent else f"^ {STATUS_BYTES} *$"

    @property
    def whole_line(self) -> str:
        ending = f" {QUOTED} {QUOTED}(?:[ \t].*)?$" if self.referer_agent else " *$"
        return "^" + self.head + f"{QUOTED} {STATUS_BYTES}" + ending

    @property
    def names(self) -> list[str]:
        """The fields in the order of `whole_line`'s groups."""
        names = (["vhost"] if self.vhost else []) + ["ip", "time", "request", "status", "bytes"]
        return names + (["referer", "agent"] if self.referer_agent else [])


def fields_by_split(lines: pl.DataFrame, layout: ClfLayout) -> pl.DataFrame:
    """The raw fields of each line, and `ok`: the line has the layout's shape and no escaped quote."""
    text = pl.col("text")
    # for common, the last piece holds the rest of the line, which must be empty
    parts = text.str.split_exact('"', 6) if layout.referer_agent else text.str.splitn('"', 3)
    count = 7 if layout.referer_agent else 3
    pieces = lines.select(
        "line",
        parts.struct.rename_fields([f"p{index}" for index in range(count)]).alias("parts"),
        text.str.contains('\\"', literal=True).alias("escaped"),
    ).unnest("parts")
    head, tail = pl.col("p0"), pl.col("p2")
    shape = head.str.contains("^" + layout.head + "$") & tail.str.contains(layout.tail) & ~pl.col("escaped")
    if layout.referer_agent:
        # after the agent: nothing, or fields a configuration appended (Nginx's "$http_x_forwarded_for")
        shape &= (pl.col("p4") == " ") & ((pl.col("p6") == "") | pl.col("p6").str.starts_with(" "))
    words = head.str.splitn(" ", 3 if layout.vhost else 2).struct.rename_fields(
        ["vhost", "ip", "rest"] if layout.vhost else ["ip", "rest"])
    status_bytes = tail.str.split_exact(" ", 2).struct.rename_fields(["blank", "status", "bytes"])
    fields = pieces.select(
        "line", "escaped", shape.fill_null(False).alias("ok"),
        words.alias("words"),
        head.str.slice(-CLF_TIME_WIDTH - 2, CLF_TIME_WIDTH).alias("time"),
        pl.col("p1").alias("request"),
        status_bytes.alias("status_bytes"),
        *([pl.col("p3").alias("referer"), pl.col("p5").alias("agent")] if layout.referer_agent else []),
    ).unnest("words", "status_bytes")
    return fields.drop("rest", "blank")


def parse_escaped(lines: pl.DataFrame, fields: pl.DataFrame, layout: ClfLayout) -> pl.DataFrame:
    """Read the lines with an escaped quote by the full expression, in place of what splitting made."""
    redo = fields["escaped"] & ~fields["ok"] & lines["text"].is_not_null()
    if not redo.any():
        return fields
    rows = redo.arg_true()
    groups = lines["text"].gather(rows).str.extract_groups(layout.whole_line)
    found = groups.struct.field("1").is_not_null()
    rows, groups = rows.filter(found), groups.filter(found)
    columns = {name: fields[name].scatter(rows, groups.struct.field(str(index)))
               for index, name in enumerate(layout.names, start=1)}
    # the full expression takes whatever time stands between the brackets, however wide
    return fields.with_columns(**columns, ok=fields["ok"].scatter(rows, True))


def parse_clf(lines: pl.DataFrame, layout: ClfLayout) -> pl.DataFrame:
    fields = parse_escaped(lines, fields_by_split(lines, layout), layout)
    ok = pl.col("ok")
    typed = fields.select(
        "line",
        pl.when(ok).then(pl.col("ip")).alias("ip"),  # a null address makes the row no request
        pl.col("time").str.to_datetime(CLF_TIME, strict=False, time_unit="us"),
        "request",
        pl.col("status").cast(pl.Int32, strict=False),
        pl.col("bytes").cast(pl.Int64, strict=False),
        *([dash_to_null(pl.col("referer")), dash_to_null(pl.col("agent"))] if layout.referer_agent else []),
        *([pl.col("vhost").str.replace(r":[0-9]+$", "")] if layout.vhost else []),
    )
    return with_request_parts(typed)


class ClfFormat(LogFormat):
    """What the three formats of the family share; each names its layout."""

    layout: ClassVar[ClfLayout]

    def parse(self, lines: pl.DataFrame) -> pl.DataFrame:
        return finish(parse_clf(lines, self.layout))

    def read_natively(self, data: bytes, first_line: int, ready: ReadAhead | None = None) -> NativeRead | None:
        native = compiled.native
        if native is None:  # installed without a C compiler: `parse` reads every line
            return None
        layout = (self.layout.vhost, self.layout.referer_agent)
        if ready is not None and ready.layout == layout:
            columns, deferred_lines, deferred_text = ready.result
        else:
            columns, deferred_lines, deferred_text = native.parse(data, first_line, *layout, MAX_LINE_BYTES)
        read = pl.DataFrame([pl.Series(column).alias(name) for name, column in columns.items()])
        return NativeRead(finish(read), deferred_lines, deferred_text)
