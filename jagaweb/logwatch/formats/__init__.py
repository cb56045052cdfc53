"""The access-log formats (one module per format) and the one registry, with format auto-detection."""

from __future__ import annotations

import polars as pl

from jagaweb.logwatch.formats.base import FormatName, LogFormat
from jagaweb.logwatch.formats.combined import CombinedFormat
from jagaweb.logwatch.formats.common import CommonFormat
from jagaweb.logwatch.formats.json_lines import JsonFormat
from jagaweb.logwatch.formats.vhost_combined import VhostCombinedFormat
from jagaweb.logwatch.formats.w3c import W3cFormat

FORMATS: dict[FormatName, type[LogFormat]] = {
    kind.name: kind for kind in (CombinedFormat, CommonFormat, VhostCombinedFormat, JsonFormat, W3cFormat)
}
# When two formats read a sample equally well, the first wins (the stricter before the looser).
DETECTION_ORDER = [FormatName.VHOST_COMBINED, FormatName.COMBINED, FormatName.JSON, FormatName.W3C, FormatName.COMMON]
AUTO = "auto"
DETECTION_SAMPLE_LINES = 500


def format_choices() -> list[str]:
    return [AUTO, *(str(name) for name in FORMATS)]


def get_format(name: str) -> LogFormat:
    """A fresh instance (formats may keep state across the batches of one file)."""
    try:
        return FORMATS[FormatName(name)]()
    except ValueError:
        raise ValueError(f"unknown log format {name!r}; known: {', '.join(FORMATS)}") from None


def detect_format(lines: pl.DataFrame) -> FormatName | None:
    """The format that reads most of the first non-empty lines (columns `line`, `text`), or None when no
    format reads any of them."""
    sample = lines.filter(pl.col("text").is_not_null() & (pl.col("text") != "")).head(DETECTION_SAMPLE_LINES)
    best: FormatName | None = None
    best_count = 0
    for name in DETECTION_ORDER:
        count = FORMATS[name]().recognised(sample)
        if count > best_count:
            best, best_count = name, count
    return best
