"""No input crashes detection: arbitrary text in every field, huge values, binary junk (bounded runs)."""

from __future__ import annotations

import time

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jagaweb.logwatch.detect import FINDING_SCHEMA, Behaviour, detect_requests
from jagaweb.logwatch.detect.engine import MEMO
from tests.logwatch.detect.frames import batch, row

ANY_TEXT = st.text(max_size=300)
ATTACKISH = st.text(alphabet=st.sampled_from(list("%'\"<>()/\\;|`$&#{}[]=+-*.!?:0123456789abcdefuxAZ \t\n\x00")),
                    max_size=200)
FIELD = st.one_of(st.none(), ANY_TEXT, ATTACKISH)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(FIELD, FIELD, FIELD, FIELD, st.one_of(st.none(), st.integers(100, 599))),
                min_size=1, max_size=8))
def test_arbitrary_fields_never_crash(rows):
    frame = batch([{**row(target, line=number, agent=agent, referer=referer, status=status, at=number),
                    "request": request}
                   for number, (target, agent, referer, request, status) in enumerate(rows, start=1)])
    findings = detect_requests(frame)
    assert dict(findings.schema) == FINDING_SCHEMA
    assert set(findings.get_column("line").to_list()) <= set(range(1, len(rows) + 1))
    behaviour = Behaviour().feed(frame)
    assert dict(behaviour.schema) == FINDING_SCHEMA


def test_huge_and_repetitive_values_are_quick():
    MEMO.clear()
    values = [
        "/?q=" + "%25" * 50_000 + "3C",
        "/?q=" + "'or" * 30_000,
        "/" + "../" * 40_000 + "etc/passwd",
        "/?q=" + "<" * 100_000,
        "/?q=" + "&#" * 50_000,
        "/?q=select " + "a," * 40_000 + " from x",
        "/?q=" + "${" * 40_000,
        "/?q=" + "{{" * 40_000 + "}}",
    ]
    started = time.perf_counter()
    findings = detect_requests(batch([row(value, agent=value[:60_000], referer=value) for value in values]))
    assert time.perf_counter() - started < 30
    assert set(findings.get_column("line")) >= {3}  # the traversal is still found


def test_binary_and_invalid_text_in_the_request_line():
    junk = ["\x16\x03\x01\x00\xa5\x01\x00\x00", "\x00" * 100, "GET /\udcff HTTP/1.1".encode(
        "utf-8", "surrogateescape").decode("utf-8", "replace"), "🙂" * 1000]
    frame = batch([{**row(None, method=None, line=number), "request": value}
                   for number, value in enumerate(junk, start=1)])
    assert detect_requests(frame).get_column("rule").to_list() == ["malformed-request"] * 4


def test_types_the_parser_may_hand_over_are_accepted():
    frame = batch([row("/.env")]).with_columns(pl.col("status").cast(pl.Int64), pl.col("line").cast(pl.Int32))
    assert detect_requests(frame).get_column("rule").to_list() == ["environment-file"]
