"""The behaviour windows of a site, kept between runs so that ten login attempts a minute apart, read by ten
one-minute runs, still make one brute-force finding.

Each rule's remembered events and last alerts are written as one Arrow IPC stream (zstd), never pickle:
loading can only ever give back a table. The state is bounded (the newest MAX_ROWS_PER_RULE events per rule,
requests cut to REQUEST_CHARS) and tagged with the Polars version, because clients are keyed by Polars'
hash, which is stable within one version only; after an upgrade the windows start empty again (they
re-warm within one window: minutes for every rule but fake-bot's hour).
"""

from __future__ import annotations

import io

import polars as pl

from jagaweb.logwatch.detect import Behaviour
from jagaweb.logwatch.detect.windows import EVENT_SCHEMA

MAX_ROWS_PER_RULE = 20_000
REQUEST_CHARS = 300
ALERT_SCHEMA: dict[str, pl.DataType] = {"client": pl.UInt64(), "alerted": pl.Datetime("us", "UTC")}


def version_tag() -> str:
    return f"polars {pl.__version__}"


def to_bytes(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_ipc(buffer, compression="zstd")
    return buffer.getvalue()


def from_bytes(data: bytes | memoryview) -> pl.DataFrame | None:
    if not data:
        return None
    try:
        return pl.read_ipc(io.BytesIO(bytes(data)))
    except (pl.exceptions.PolarsError, OSError, ValueError):
        return None  # a damaged state costs one window of warming up, never the run


def dump(behaviour: Behaviour) -> tuple[bytes, bytes]:
    """(events, alerts) of every rule, for WatchState."""
    events, alerts = [], []
    for rule in behaviour.rules:
        counter = rule.counter
        carry = counter.carry.sort("time").tail(MAX_ROWS_PER_RULE)
        events.append(carry.with_columns(pl.col("request").str.slice(0, REQUEST_CHARS),
                                         pl.lit(counter.rule).alias("rule")))
        alerts.append(counter.alerts.with_columns(pl.lit(counter.rule).alias("rule")))
    return to_bytes(pl.concat(events, how="vertical_relaxed")), to_bytes(pl.concat(alerts, how="vertical_relaxed"))


def load(behaviour: Behaviour, events: bytes | memoryview, alerts: bytes | memoryview, version: str) -> bool:
    """Put a stored state back into `behaviour`; False (and nothing changed) when there is none to use."""
    if version != version_tag():
        return False
    event_frame, alert_frame = from_bytes(events), from_bytes(alerts)
    if event_frame is None or alert_frame is None:
        return False
    try:
        for rule in behaviour.rules:
            counter = rule.counter
            counter.carry = event_frame.filter(pl.col("rule") == counter.rule).select(
                pl.col(name).cast(dtype) for name, dtype in EVENT_SCHEMA.items())
            counter.alerts = alert_frame.filter(pl.col("rule") == counter.rule).select(
                pl.col(name).cast(dtype) for name, dtype in ALERT_SCHEMA.items())
    except pl.exceptions.PolarsError:
        for rule in behaviour.rules:  # a state of another shape: start empty rather than half-loaded
            rule.counter.carry = pl.DataFrame(schema=EVENT_SCHEMA)
            rule.counter.alerts = pl.DataFrame(schema=ALERT_SCHEMA)
        return False
    return True
