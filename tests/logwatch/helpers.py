"""Reading a whole small log in one go, for tests of formats, parsing and statistics."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from jagaweb.logwatch.formats import get_format
from jagaweb.logwatch.parse import ParsedBatch, parse_chunk
from jagaweb.logwatch.reader import LogReader

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "logwatch"
FORMATS = FIXTURES / "formats"


def parse_file(path: Path, log_format: str, batch_bytes: int = 1 << 20) -> ParsedBatch:
    """All batches of the file folded into one ParsedBatch."""
    parsing = get_format(log_format)
    batches = [parse_chunk(chunk, parsing, sample_limit=100) for chunk in LogReader(path, batch_bytes=batch_bytes)]
    whole = ParsedBatch(pl.concat([batch.frame for batch in batches]), sum(batch.lines for batch in batches),
                        directives=sum(batch.directives for batch in batches))
    for batch in batches:
        for reason, count in batch.unparsed.items():
            whole.unparsed[reason] = whole.unparsed.get(reason, 0) + count
        whole.samples += batch.samples
    return whole


def rows(batch: ParsedBatch) -> dict[int, dict]:
    """The requests by line number, without the file column."""
    return {row["line"]: row for row in batch.frame.drop("file").to_dicts()}
