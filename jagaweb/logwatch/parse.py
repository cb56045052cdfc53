"""A chunk of raw lines -> the parsed batch (one row per request) and the count of lines that are not one.

Lines are split and decoded in Rust by Polars' CSV reader (one column, no quoting, a separator byte the
chunk does not hold); when the chunk holds all candidate bytes or the reader's line count disagrees with
the newlines the file reader counted, Python splits the chunk instead. Either way line numbers stay exact.

Unparsed lines: empty, longer than `MAX_LINE_BYTES`, holding bytes that are not UTF-8, binary (a NUL or
other control characters) or not in the log's format. They are counted by reason, and a few are kept as
samples; nothing in a line can stop the run. Bytes that are not UTF-8 are decoded as U+FFFD, so a line
holding that character itself counts as invalid too (web servers escape such bytes, so a real request
never shows it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import polars as pl

from jagaweb.logwatch.early import ReadAhead
from jagaweb.logwatch.formats.base import REQUEST_SCHEMA, REQUIRED, LogFormat
from jagaweb.logwatch.reader import MAX_LINE_BYTES, Chunk

SAMPLE_CHARS = 200
CONTROL_CHARACTERS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
UNUSED_BYTE_CANDIDATES = ("\x00", "\x01", "\x02", "\x03", "\x1e", "\x1f")


class Unparsed(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    INVALID_UTF8 = "invalid_utf8"
    BINARY = "binary"
    UNRECOGNISED = "unrecognised"


@dataclass(frozen=True)
class UnparsedLine:
    line: int
    reason: Unparsed
    text: str  # the start of the line, with bytes that were not UTF-8 shown as U+FFFD

    def as_dict(self) -> dict[str, object]:
        return {"line": self.line, "reason": str(self.reason), "text": self.text}


@dataclass
class ParsedBatch:
    frame: pl.DataFrame  # REQUEST_SCHEMA columns, in line order
    lines: int
    directives: int = 0
    unparsed: dict[Unparsed, int] = field(default_factory=dict)
    samples: list[UnparsedLine] = field(default_factory=list)

    @property
    def unparsed_count(self) -> int:
        return sum(self.unparsed.values())


def empty_requests() -> pl.DataFrame:
    return pl.DataFrame(schema=REQUEST_SCHEMA)


def chunk_lines(chunk: Chunk) -> pl.DataFrame:
    """Columns `line` (Int64, numbered from chunk.first_line) and `text` (String; null for an empty line)."""
    text = split_in_rust(chunk)
    if text is None:
        decoded = chunk.data.decode("utf-8", errors="replace")
        pieces = decoded.split("\n")
        if decoded.endswith("\n"):
            pieces.pop()
        text = pl.Series("text", pieces, dtype=pl.String)
    if b"\r" in chunk.data:  # Windows line ends (IIS)
        text = text.str.strip_suffix("\r")
    numbers = pl.int_range(chunk.first_line, chunk.first_line + len(text), dtype=pl.Int64, eager=True)
    return pl.DataFrame({"line": numbers, "text": text})


def split_in_rust(chunk: Chunk) -> pl.Series | None:
    """The CSV reader cuts lines at a column separator: give it a byte the chunk does not hold."""
    separator = next((byte for byte in UNUSED_BYTE_CANDIDATES if byte.encode() not in chunk.data), None)
    if separator is None:
        return None
    try:
        text = pl.read_csv(chunk.data, has_header=False, separator=separator, quote_char=None,
                           new_columns=["text"], schema={"text": pl.String}, encoding="utf8-lossy",
                           truncate_ragged_lines=True, raise_if_empty=False).to_series()
    except pl.exceptions.PolarsError:
        return None
    return text if len(text) == chunk.lines else None


def hostile_reasons(lines: pl.DataFrame, ascii_only: bool, has_nul: bool) -> pl.Series:
    """Why a line cannot be a request whatever the format (null: it may be one). Checks that cost a pass
    over the text run only when the chunk can hold what they look for."""
    text = pl.col("text")
    reasons = lines.select(
        pl.when(text.is_null() | (text == "")).then(pl.lit(Unparsed.EMPTY.value))
        .when(text.str.len_bytes() > MAX_LINE_BYTES).then(pl.lit(Unparsed.TOO_LONG.value))
        .otherwise(None).alias("reason")).to_series()
    marks = [mark for mark, present in (("\x00", has_nul), ("\ufffd", not ascii_only)) if present]
    if not marks:
        return reasons
    # one pass finds the lines holding a NUL or U+FFFD; only those few are told apart
    marked = lines.select(text.str.contains_any(marks).fill_null(False)).to_series()
    if not marked.any():
        return reasons
    rows = marked.arg_true()
    found = pl.DataFrame({"text": lines.get_column("text").gather(rows), "reason": reasons.gather(rows)}).select(
        pl.coalesce(pl.col("reason"),
                    pl.when(text.str.contains("\x00", literal=True)).then(pl.lit(Unparsed.BINARY.value))
                    .when(text.str.contains("\ufffd", literal=True)).then(pl.lit(Unparsed.INVALID_UTF8.value))))
    return reasons.scatter(rows, found.to_series())


def parse_chunk(chunk: Chunk, log_format: LogFormat, sample_limit: int = 5,
                ready: ReadAhead | None = None) -> ParsedBatch:
    native = log_format.read_natively(chunk.data, chunk.first_line, ready)
    if native is None:
        return parse_lines(chunk_lines(chunk), chunk, log_format, sample_limit)
    # the lines the compiled reader left, numbered as in the file, go through the format's expressions
    rest = Chunk(chunk.path, native.deferred_text, 0, len(native.deferred_lines), chunk.start, chunk.end)
    lines = chunk_lines(rest).with_columns(line=pl.Series(native.deferred_lines, dtype=pl.Int64))
    parsed = parse_lines(lines, rest, log_format, sample_limit)
    read = with_file(native.frame, chunk.path)
    # the few rows read here join the many read natively in line order (a sort gathers faster than a merge)
    frame = pl.concat([read, parsed.frame]).sort("line") if len(parsed.frame) else read
    return ParsedBatch(frame, chunk.lines, directives=parsed.directives, unparsed=parsed.unparsed,
                       samples=parsed.samples)


def with_file(parsed: pl.DataFrame, path: str) -> pl.DataFrame:
    """The request rows of a format's output, in `REQUEST_SCHEMA`."""
    columns = (name for name in REQUEST_SCHEMA if name != "file")
    return parsed.select(pl.lit(path, dtype=pl.String).alias("file"), *columns)


def parse_lines(source: pl.DataFrame, chunk: Chunk, log_format: LogFormat, sample_limit: int) -> ParsedBatch:
    """Parse `source` (`line`, `text`: the lines of `chunk.data`) with the format's expressions."""
    if not len(source):
        return ParsedBatch(empty_requests(), 0)
    reasons = hostile_reasons(source, chunk.data.isascii(), b"\x00" in chunk.data)
    lines = source
    if reasons.null_count() < len(reasons):
        lines = source.with_columns(pl.when(reasons.is_null()).then(pl.col("text")).alias("text"))
    parsed = log_format.parse(lines)
    requests = pl.all_horizontal(pl.col(REQUIRED).is_not_null()) & ~pl.col("directive")
    outcome = parsed.select(requests.alias("request"), pl.col("directive"))
    frame = with_file(parsed.filter(outcome["request"]), chunk.path)
    failed = ~outcome["request"] & ~outcome["directive"]
    batch = ParsedBatch(frame, len(source), directives=int(outcome["directive"].sum()))
    if failed.any():
        count_unparsed(batch, source.with_columns(reasons).filter(failed), sample_limit)
    return batch


def count_unparsed(batch: ParsedBatch, failed: pl.DataFrame, sample_limit: int) -> None:
    """Give the lines the format did not read their reason, count them and keep the first few."""
    text = pl.col("text")
    failed = failed.with_columns(
        pl.when(pl.col("reason").is_not_null()).then(pl.col("reason"))
        .when(text.str.contains(CONTROL_CHARACTERS)).then(pl.lit(Unparsed.BINARY.value))
        .otherwise(pl.lit(Unparsed.UNRECOGNISED.value)).alias("reason"))
    for reason, count in failed.group_by("reason").len().iter_rows():
        batch.unparsed[Unparsed(reason)] = count
    samples = failed.head(max(sample_limit, 0)).select("line", "reason", text.str.slice(0, SAMPLE_CHARS))
    batch.samples = [UnparsedLine(number, Unparsed(reason), value or "")
                     for number, reason, value in samples.iter_rows()]
