"""Per-request detection over a whole batch: distinct values, a cheap filter, precise rules on the rest.

Targets, agents and referers repeat a lot, so each column is reduced to its distinct values first, and the
values this process has already judged come from memory (memo.py). One Aho-Corasick pass
(`str.contains_any`) keeps the values holding any family's tokens or an encoding; only those are normalised,
checked for tokens again once decoded, and run through one combined expression per family and source; the
few matches are told apart pattern by pattern, and the hits are joined back to the rows.
"""

from __future__ import annotations

import functools

import polars as pl

from jagaweb.logwatch.detect.base import Family, Source, ascii_regex
from jagaweb.logwatch.detect.kinds import Severity
from jagaweb.logwatch.detect.memo import HitMemo
from jagaweb.logwatch.detect.normalise import ENCODING_MARKERS, normalised_path, normalised_text
from jagaweb.logwatch.detect.registry import FAMILIES

UTC_TIME = pl.Datetime("us", "UTC")
FINDING_SCHEMA: dict[str, pl.DataType] = {
    "file": pl.String(), "line": pl.Int64(), "ip": pl.String(), "time": UTC_TIME, "category": pl.String(),
    "rule": pl.String(), "severity": pl.String(), "request": pl.String(), "detail": pl.String(),
}  # fmt: skip
SEVERITY_RANK = {str(severity): rank for rank, severity in enumerate(Severity)}
DETAIL_CHARS = 160
# Which normalised texts each logged column is read as.
COLUMN_SOURCES: dict[str, frozenset[Source]] = {
    "target": frozenset({Source.TARGET, Source.PATH, Source.RAW}),
    "agent": frozenset({Source.AGENT}),
    "referer": frozenset({Source.REFERER}),
}
MEMO = HitMemo()
_HIT_SCHEMA: dict[str, pl.DataType] = {
    "value": pl.String(), "category": pl.String(), "rule": pl.String(), "severity": pl.String(),
    "served": pl.String(), "detail": pl.String(), "order": pl.Int32(),
}  # fmt: skip


def empty_findings() -> pl.DataFrame:
    return pl.DataFrame(schema=FINDING_SCHEMA)


def source_text(source: Source, values: pl.Series) -> pl.Series:
    if source is Source.PATH:
        return normalised_path(values)
    if source is Source.RAW:
        return values.str.to_lowercase()
    return normalised_text(values, plus_is_space=source is not Source.AGENT)


@functools.cache
def trigger_tokens(sources: frozenset[Source]) -> list[str]:
    """Every token of the families reading these sources, plus what normalisation can change."""
    tokens = set(ENCODING_MARKERS)
    if Source.PATH in sources:
        tokens |= {"//", "/."}
    for family in FAMILIES:
        if family.sources() & sources:
            for token in family.tokens:
                tokens.add(token)
                # a space in a logged target is "+" (or %20, which the encoding markers already catch)
                tokens.add(token.replace(" ", "+"))
    return sorted(tokens)


def _attributed(family: Family, family_index: int, source: Source, matched: pl.DataFrame) -> pl.DataFrame:
    """Which of the family's patterns each matched value fits, with the text each one matched."""
    patterns = family.patterns_for(source)
    snippets = matched.select(
        "value",
        *[pl.col("text").str.extract(ascii_regex(pattern.regex), 0).alias(str(index)) for index, pattern in patterns],
    )
    long = snippets.unpivot(index="value", variable_name="pattern", value_name="snippet").drop_nulls("snippet")
    table = pl.DataFrame(
        {
            "pattern": [str(index) for index, _pattern in patterns],
            "rule": [pattern.rule for _index, pattern in patterns],
            "severity": [str(pattern.severity) for _index, pattern in patterns],
            "served": [str(pattern.served) if pattern.served else None for _index, pattern in patterns],
            "order": [family_index * 100 + index for index, _pattern in patterns],
        },
        schema_overrides={"served": pl.String, "order": pl.Int32},
    )
    return long.join(table, on="pattern").select(
        "value", pl.lit(str(family.category)).alias("category"), "rule", "severity", "served",
        (pl.lit(f"{source}: ") + pl.col("snippet").str.slice(0, DETAIL_CHARS)).alias("detail"), "order",
    )


def value_hits(values: pl.Series, sources: frozenset[Source]) -> pl.DataFrame:
    """The findings of distinct values read as `sources`: value, category, rule, severity, served, detail, order."""
    values = values.cast(pl.String)
    # memory first: most of a batch's values were judged in earlier batches, even those that never looked
    # suspicious, so the token filter only reads the new ones
    remembered, unknown = MEMO.split(sources, values)
    if unknown.is_empty():
        return remembered if remembered is not None else pl.DataFrame(schema=_HIT_SCHEMA)
    candidates = unknown.filter(unknown.str.contains_any(trigger_tokens(sources), ascii_case_insensitive=True))
    judged = judge(candidates, sources) if not candidates.is_empty() else pl.DataFrame(schema=_HIT_SCHEMA)
    MEMO.add(sources, unknown, judged)
    return pl.concat([remembered, judged]) if remembered is not None else judged


@functools.cache
def normalised_tokens(source: Source) -> list[str]:
    """The tokens of the families reading `source`, to test the normalised text with."""
    return sorted({token for family in FAMILIES if source in family.sources() for token in family.tokens})


def judge(values: pl.Series, sources: frozenset[Source]) -> pl.DataFrame:
    """Normalise and match candidate values (no memory): the hits, one row per value and matching pattern."""
    columns: dict[str, pl.Series] = {"value": values}
    columns.update({source: source_text(source, values) for source in sources})
    texts = pl.DataFrame(columns)
    # A value let in for its encoding alone ("%20") is dropped once decoded text holds no family's token.
    texts = texts.filter(pl.any_horizontal(
        pl.col(source).str.contains_any(normalised_tokens(source)) for source in sources))
    if texts.is_empty():
        return pl.DataFrame(schema=_HIT_SCHEMA)
    # Each family's text once, then one pass per family and source with all its patterns joined, evaluated
    # together; only the few values a family matches are then told apart pattern by pattern.
    pairs = [(index, family, source) for index, family in enumerate(FAMILIES)
             for source in sorted(family.sources() & sources)]
    prepared = pl.DataFrame({f"{index}:{source}": family.prepared(texts.get_column(source))
                             for index, family, source in pairs})
    masks = prepared.select(
        pl.col(f"{index}:{source}").str.contains(family.combined_regex(source)) for index, family, source in pairs)
    found = []
    for index, family, source in pairs:
        mask = masks.get_column(f"{index}:{source}")
        if not mask.any():
            continue
        matched = pl.DataFrame({"value": texts.get_column("value").filter(mask),
                                "text": prepared.get_column(f"{index}:{source}").filter(mask)})
        found.append(_attributed(family, index, source, matched))
    if not found:
        return pl.DataFrame(schema=_HIT_SCHEMA)
    return pl.concat(found)


def _column_hits(frame: pl.DataFrame, column: str, sources: frozenset[Source]) -> pl.DataFrame | None:
    if column not in frame.columns:
        return None
    values = frame.get_column(column).drop_nulls().unique()
    hits = value_hits(values, sources)
    if hits.is_empty():
        return None
    # the rows holding a value with findings are few: pick them before joining the findings to them
    rows = frame.select("_row", pl.col(column).cast(pl.String)).filter(
        pl.col(column).is_in(hits.get_column("value").unique().implode()))
    return rows.join(hits, left_on=column, right_on="value").drop(column)


def _row_family_hits(frame: pl.DataFrame) -> list[pl.DataFrame]:
    found = []
    for family_index, family in enumerate(FAMILIES):
        hits = family.row_hits(frame)
        if hits is not None and not hits.is_empty():
            found.append(hits.select(
                "_row",
                pl.lit(str(family.category)).alias("category"),
                "rule",
                "severity",
                pl.lit(None, dtype=pl.String).alias("served"),
                "detail",
                pl.lit(family_index * 100 + 99, dtype=pl.Int32).alias("order"),
            ))
    return found


def detect_requests(frame: pl.DataFrame) -> pl.DataFrame:
    """Per-request findings for a parsed batch (see jagaweb.logwatch.detect for the columns and rules).

    At most one finding per line and category: the most severe, then the first rule in registry order.
    """
    if frame.is_empty():
        return empty_findings()
    indexed = frame.with_row_index("_row")
    parts = [hits for column, sources in COLUMN_SOURCES.items()
             if (hits := _column_hits(indexed, column, sources)) is not None]
    parts += _row_family_hits(indexed)
    if not parts:
        return empty_findings()
    hits = pl.concat(parts, how="vertical_relaxed")
    context = indexed.select("_row", *[column for column in ("file", "line", "ip", "time", "request", "status")
                                       if column in indexed.columns])
    hits = hits.join(context, on="_row")
    status = pl.col("status") if "status" in hits.columns else pl.lit(None, dtype=pl.Int32)
    served = pl.col("served").is_not_null() & status.is_between(200, 299)
    hits = hits.with_columns(pl.when(served).then(pl.col("served")).otherwise(pl.col("severity")).alias("severity"))
    hits = hits.with_columns(pl.col("severity").replace_strict(SEVERITY_RANK, return_dtype=pl.Int8).alias("rank"))
    best = hits.sort(["_row", "rank", "order"], descending=[False, True, False]).unique(
        subset=["_row", "category"], keep="first", maintain_order=True)
    return best.select(
        pl.col(name).cast(dtype) if name in best.columns else pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in FINDING_SCHEMA.items()
    )
