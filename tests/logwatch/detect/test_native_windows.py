"""The compiled window counting (native/window.c) gives the findings Polars gives, batch after batch.

Events come with clashing times, out of order, from few clients, with counts above one and repeated keys,
cut into batches at random; both counters must agree on every batch's findings and on what they remember.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jagaweb.logwatch import compiled
from jagaweb.logwatch.detect.behaviour import _per_second, _per_second_natively
from jagaweb.logwatch.detect.kinds import Category, Severity
from jagaweb.logwatch.detect.windows import EPOCH, EVENT_SCHEMA, WindowCounter
from tests.logwatch.native import require_native

START = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
WINDOW = timedelta(seconds=30)

events = st.lists(
    st.tuples(st.integers(0, 4), st.integers(0, 120), st.integers(1, 3), st.sampled_from(["/a", "/b", "/c"])),
    max_size=80)


def event_frame(rows: list[tuple[int, int, int, str]], first_line: int) -> pl.DataFrame:
    return pl.DataFrame(
        {"client": [client for client, *_ in rows], "ip": [f"10.0.0.{client}" for client, *_ in rows],
         "time": [START + timedelta(seconds=second) for _, second, _, _ in rows],
         "file": ["access.log"] * len(rows), "line": list(range(first_line, first_line + len(rows))),
         "request": [f"GET {key}" for *_, key in rows], "n": [n for _, _, n, _ in rows],
         "key": [key for *_, key in rows]},
        schema=EVENT_SCHEMA)


def counter(distinct: bool, threshold: int) -> WindowCounter:
    return WindowCounter(Category.PROBING, "test", Severity.MEDIUM, threshold, WINDOW, "{count}", distinct=distinct)


def remembered(counter: WindowCounter) -> tuple[list[dict], list[dict]]:
    return (counter.carry.sort(["client", "time", "line"]).to_dicts(),
            counter.alerts.sort("client").to_dicts())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=events, cuts=st.lists(st.integers(0, 80), max_size=4), distinct=st.booleans(),
       threshold=st.integers(1, 6))
def test_native_and_polars_counting_agree(monkeypatch, rows, cuts, distinct, threshold):
    require_native()
    native = compiled.native
    polars, compiled_counter = counter(distinct, threshold), counter(distinct, threshold)
    bounds = [0, *sorted(cut for cut in cuts if cut < len(rows)), len(rows)]
    for begin, end in itertools.pairwise(bounds):
        part = event_frame(rows[begin:end], first_line=begin + 1)
        # the batch's newest time, as Behaviour passes it (the start when the part is empty)
        now = part.get_column("time").max() if len(part) else START
        with monkeypatch.context() as switched_off:
            switched_off.setattr(compiled, "native", None)
            expected = polars.feed(part, now)
        assert compiled.native is native
        found = compiled_counter.feed(part, now)
        assert found.to_dicts() == expected.to_dicts()
        assert remembered(compiled_counter) == remembered(polars)


def test_a_client_out_of_order_is_counted_by_time():
    require_native()
    watched = counter(distinct=False, threshold=3)
    rows = [(1, 50, 1, "/a"), (1, 10, 1, "/a"), (2, 11, 1, "/a"), (1, 30, 1, "/a"), (1, 31, 1, "/a")]
    found = watched.feed(event_frame(rows, first_line=1), START + timedelta(seconds=50))
    # times 10, 30, 31 are three in 30 s: the third (line 5) triggers; 50 makes 30, 31, 50 but comes too soon
    assert found.select("line", "count").rows() == [(5, 3)]


def test_columns_of_another_type_or_with_nulls_are_refused():
    require_native()
    native = compiled.native
    assert native is not None
    numbers = pl.Series([1, 2], dtype=pl.Int64)
    clients = pl.Series([1, 2], dtype=pl.UInt64)
    fresh = pl.Series([1, 1], dtype=pl.UInt8)
    no_alerts = (pl.Series([], dtype=pl.UInt64), pl.Series([], dtype=pl.Int64))
    found = native.windows(clients, numbers, numbers, numbers, fresh, *no_alerts, 1, 10)
    assert pl.Series(found["row"]).to_list() == [0, 1]
    with pytest.raises(TypeError, match="client"):
        native.windows(numbers, numbers, numbers, numbers, fresh, *no_alerts, 1, 10)
    with pytest.raises(ValueError, match="nulls"):
        native.windows(pl.Series([1, None], dtype=pl.UInt64), numbers, numbers, numbers, fresh, *no_alerts, 1, 10)
    with pytest.raises(ValueError, match="length"):
        native.windows(clients, numbers[:1], numbers, numbers, fresh, *no_alerts, 1, 10)
    with pytest.raises(ValueError, match="window"):
        native.windows(clients, numbers, numbers, numbers, fresh, *no_alerts, 1, 0)
    with pytest.raises(TypeError, match="page"):
        native.per_second(clients, numbers, numbers)
    with pytest.raises(ValueError, match="length"):
        native.per_second(clients, numbers[:1], fresh)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(st.integers(0, 3), st.integers(-3_000_000, 3_000_000), st.booleans()), max_size=60))
def test_pages_per_second_are_counted_natively_as_polars_counts_them(rows):
    """Clients and seconds (before 1970 too: a second is floored, not cut towards zero), pages or not."""
    require_native()
    frame = pl.DataFrame(
        {"client": [client for client, _, _ in rows], "ip": [f"10.0.0.{client}" for client, _, _ in rows],
         "time": [START + timedelta(microseconds=offset) - (START - EPOCH) for _, offset, _ in rows],
         "file": ["access.log"] * len(rows), "line": list(range(1, len(rows) + 1)),
         "request": ["GET /"] * len(rows), "page": [page for _, _, page in rows]},
        schema_overrides={"client": pl.UInt64, "time": pl.Datetime("us", "UTC")}).with_row_index("_row")
    page = pl.col("page")
    expected = _per_second(frame, page).filter(pl.col("pages") > 0)
    found = _per_second_natively(frame, page, compiled.native)
    order = ["client", "time", "line"]
    assert found.select(expected.columns).sort(order).to_dicts() == expected.sort(order).to_dicts()
