"""Turning planned segments into parsed batches that know where they end, read a batch ahead in a thread.

Each `Piece` is one parsed batch plus the position just after it (offset and next line of its file), so a
commit can store exactly how far its data goes. A segment ends with a piece marked `end`: the cursor can
then move from a rotated file to the new one. The format of a file is detected once from its first lines
(`confident` when there were enough of them to remember it) and a W3C file's field list is carried along.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import polars as pl

from jagaweb.logwatch.following import Plan, Segment
from jagaweb.logwatch.formats import detect_format, get_format
from jagaweb.logwatch.formats.base import FormatName, LogFormat
from jagaweb.logwatch.parse import ParsedBatch, chunk_lines, empty_requests, parse_chunk
from jagaweb.logwatch.reader import Chunk, LogReader, LogReadError

DETECTION_MIN_LINES = 50
STATE_ATTRIBUTES = ("fields",)  # what a format instance carries from one batch to the next
Item = TypeVar("Item")


@dataclass
class FileJob:
    """One configured log file of the site: its plan and what its cursor knows about its format."""

    key: str  # the cursor's path
    plan: Plan
    log_format: str = ""
    format_state: dict[str, Any] = field(default_factory=dict)


@dataclass
class Piece:
    job: FileJob
    segment: Segment
    batch: ParsedBatch
    offset: int  # just after this batch: where the next read of this file resumes
    next_line: int
    consumed: int  # bytes of log text this batch stands for
    log_format: str
    confident: bool  # the format was given or detected from enough lines to be remembered
    format_state: dict[str, Any] = field(default_factory=dict)
    end: bool = False  # nothing more in this segment
    error: str = ""


def carried_state(log_format: LogFormat) -> dict[str, Any]:
    return {name: getattr(log_format, name) for name in STATE_ATTRIBUTES if hasattr(log_format, name)}


def restore_state(log_format: LogFormat, state: dict[str, Any]) -> None:
    for name in STATE_ATTRIBUTES:
        if name in state and hasattr(log_format, name):
            setattr(log_format, name, state[name])


def pieces(jobs: list[FileJob], batch_bytes: int) -> Iterator[Piece]:
    for job in jobs:
        for segment in job.plan.segments:
            yield from segment_pieces(job, segment, batch_bytes)


def segment_pieces(job: FileJob, segment: Segment, batch_bytes: int) -> Iterator[Piece]:
    name, confident, parsing = job.log_format, bool(job.log_format), None
    offset, next_line = segment.offset, segment.next_line
    try:
        reader = LogReader(segment.source, offset=segment.offset, first_line=segment.next_line,
                           batch_bytes=batch_bytes, take_unterminated=not segment.live)
        chunks = iter(reader)
        waiting: list[Chunk] = []
        if not name:
            for chunk in chunks:  # enough lines to judge by, even when batches are tiny
                waiting.append(chunk)
                if sum(piece.lines for piece in waiting) >= DETECTION_MIN_LINES:
                    break
            if not waiting:
                yield Piece(job, segment, ParsedBatch(empty_requests(), 0), offset, next_line, 0, "", False, end=True)
                return
            found = detect_format(pl.concat([chunk_lines(piece) for piece in waiting]))
            name = str(found or FormatName.COMBINED)
            confident = found is not None and sum(piece.lines for piece in waiting) >= DETECTION_MIN_LINES
        parsing = get_format(name)
        restore_state(parsing, job.format_state)
        for chunk in itertools.chain(waiting, chunks):
            batch = parse_chunk(chunk, parsing, sample_limit=0)
            if str(segment.source) != str(segment.path) and len(batch.frame):
                batch.frame = batch.frame.with_columns(pl.lit(str(segment.path), dtype=pl.String).alias("file"))
            offset, next_line = chunk.end, chunk.first_line + chunk.lines
            yield Piece(job, segment, batch, offset, next_line, chunk.end - chunk.start, name, confident,
                        carried_state(parsing))
    except (LogReadError, OSError) as exc:
        error = str(exc.__cause__ or exc).replace(str(segment.source), str(segment.path))
        yield Piece(job, segment, ParsedBatch(empty_requests(), 0), offset, next_line, 0, name, confident,
                    carried_state(parsing) if parsing else {}, end=True, error=error)
        return
    yield Piece(job, segment, ParsedBatch(empty_requests(), 0), offset, next_line, 0, name, confident,
                carried_state(parsing), end=True)
