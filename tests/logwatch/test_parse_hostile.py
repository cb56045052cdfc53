"""Hostile input never stops a run: such lines are counted as unparsed, by reason; fuzzing finds no crash."""

import json

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jagaweb.logwatch.formats import FORMATS, get_format
from jagaweb.logwatch.formats.base import REQUEST_SCHEMA
from jagaweb.logwatch.parse import SAMPLE_CHARS, Unparsed, parse_chunk
from jagaweb.logwatch.reader import Chunk
from jagaweb.logwatch.scan import scan_paths

GOOD = b'36.80.12.7 - - [12/Nov/2026:10:15:32 +0700] "GET / HTTP/1.1" 200 512 "-" "Mozilla/5.0"'


def chunk_of(data: bytes, first_line: int = 1) -> Chunk:
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    return Chunk("test.log", data, first_line, lines, 0, len(data))


HOSTILE = {
    "empty": b"",
    "binary": b"\x00\x01\x02\x03\xff\xfe" + b"\x00" * 40,
    "controls": b"\x01\x02 36.80.12.7 \x1b[31m\x7f",
    "invalid_utf8": GOOD.replace(b"Mozilla/5.0", b"Mozilla/5.0 \xc3\x28 \xff"),
    "huge": b"A" * 100_000,
    "huge_valid_shape": GOOD.replace(b"GET / ", b"GET /" + b"a" * 100_000 + b" "),
    "half": GOOD[:30],
}


def test_hostile_lines_are_counted_with_their_reason():
    data = b"\n".join([GOOD, *HOSTILE.values(), GOOD]) + b"\n"
    batch = parse_chunk(chunk_of(data, first_line=10), get_format("combined"), sample_limit=20)
    assert batch.frame["line"].to_list() == [10, 18]
    assert batch.lines == 9
    assert batch.unparsed == {Unparsed.EMPTY: 1, Unparsed.BINARY: 2, Unparsed.INVALID_UTF8: 1,
                              Unparsed.TOO_LONG: 2, Unparsed.UNRECOGNISED: 1}
    reasons = {sample.line: sample.reason for sample in batch.samples}
    assert reasons == {11: Unparsed.EMPTY, 12: Unparsed.BINARY, 13: Unparsed.BINARY, 14: Unparsed.INVALID_UTF8,
                       15: Unparsed.TOO_LONG, 16: Unparsed.TOO_LONG, 17: Unparsed.UNRECOGNISED}
    assert all(len(sample.text) <= SAMPLE_CHARS for sample in batch.samples)


def test_nul_bytes_with_every_separator_byte_still_parse():
    """A chunk holding every byte the fast splitter could use falls back to Python, with the same result."""
    junk = bytes([0, 1, 2, 3, 0x1E, 0x1F])
    data = b"\n".join([GOOD, junk, GOOD]) + b"\n"
    batch = parse_chunk(chunk_of(data), get_format("combined"))
    assert batch.frame["line"].to_list() == [1, 3]
    assert batch.unparsed == {Unparsed.BINARY: 1}


def test_windows_line_ends():
    batch = parse_chunk(chunk_of(GOOD + b"\r\n" + GOOD + b"\r\n"), get_format("combined"))
    assert batch.frame["agent"].to_list() == ["Mozilla/5.0", "Mozilla/5.0"]


def test_sample_limit():
    data = b"junk\n" * 50
    batch = parse_chunk(chunk_of(data), get_format("combined"), sample_limit=3)
    assert batch.unparsed == {Unparsed.UNRECOGNISED: 50}
    assert [sample.line for sample in batch.samples] == [1, 2, 3]


def check_batch(data: bytes, log_format: str) -> None:
    chunk = chunk_of(data, first_line=7)
    batch = parse_chunk(chunk, get_format(log_format))
    assert batch.frame.schema == pl.Schema(REQUEST_SCHEMA)
    assert batch.lines == chunk.lines
    assert len(batch.frame) + batch.unparsed_count + batch.directives == batch.lines
    lines = batch.frame["line"].to_list()
    assert lines == sorted(set(lines))
    assert all(7 <= line < 7 + chunk.lines for line in lines)


FRAGMENTS = [
    GOOD, b"portal.go.id:443 " + GOOD, b'36.1.1.1 - - [12/Nov/2026:10:15:32 +0700] "GET / HTTP/1.1" 200 -',
    b'{"remote_addr":"1.2.3.4","time_iso8601":"2026-11-12T10:00:00+07:00","request":"GET / HTTP/1.1"}',
    b'{"ts":1794453333.1,"request":{"client_ip":"1.2.3.4","method":"GET","uri":"/","headers":{}}}',
    b"#Fields: date time c-ip cs-method cs-uri-stem sc-status", b"2026-11-12 03:00:00 1.2.3.4 GET / 200",
    b'"', b"\\", b'\\"', b"[", b"]", b"{", b"}", b"#", b" ", b"-", b"\x00", b"\xff", b"\r", b"\t", b"\xe2\x80\xae",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=400), log_format=st.sampled_from(sorted(FORMATS)))
def test_fuzz_random_bytes(data, log_format):
    check_batch(data, log_format)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(st.lists(st.sampled_from(FRAGMENTS), max_size=6).map(b"".join), max_size=12),
       cut=st.integers(min_value=0, max_value=200), log_format=st.sampled_from(sorted(FORMATS)))
def test_fuzz_mangled_log_lines(lines, cut, log_format):
    """Pieces of real lines of every format, glued and cut anywhere."""
    data = b"\n".join(lines)
    check_batch(data[: len(data) - cut] if cut < len(data) else data, log_format)


@pytest.mark.parametrize("log_format", sorted(FORMATS))
def test_every_format_survives_every_hostile_line(log_format):
    check_batch(b"\n".join(HOSTILE.values()) + b"\n", log_format)


# Times a format's parser can read but no log holds (and Python's datetime cannot): a negative or
# three-digit year, a year past 9998, an epoch far out.
TIMES_OUT_OF_BOUNDS = {
    "combined": [b'36.1.1.1 - - [12/Nov/-2026:10:15:32 +0700] "GET / HTTP/1.1" 200 5 "-" "x"',
                 b'36.1.1.1 - - [01/Jan/1000:00:30:00 +0100] "GET / HTTP/1.1" 200 5 "-" "x"',
                 b'36.1.1.1 - - [12/Nov/9999:10:15:32 +0700] "GET / HTTP/1.1" 200 5 "-" "x"'],
    "json": [b'{"remote_addr":"1.2.3.4","time_iso8601":"-2026-11-12T10:00:00+07:00","request":"GET / HTTP/1.1"}',
             b'{"ts":1794453333000000000.0,"request":{"client_ip":"1.2.3.4","method":"GET","uri":"/","headers":{}}}'],
    "w3c": [b"#Fields: date time c-ip cs-method cs-uri-stem sc-status", b"0999-11-12 03:00:00 1.2.3.4 GET / 200"],
}


@pytest.mark.parametrize("log_format", sorted(TIMES_OUT_OF_BOUNDS))
def test_a_time_out_of_bounds_makes_the_line_unparsed_not_the_scan_fail(tmp_path, log_format):
    """A line of 12/Nov/-2026 stopped `jagaweb logs scan`: Python cannot hold the year its statistics met."""
    lines = TIMES_OUT_OF_BOUNDS[log_format]
    batch = parse_chunk(chunk_of(b"\n".join(lines) + b"\n"), get_format(log_format))
    assert batch.frame.is_empty()
    assert batch.unparsed_count == len(lines) - batch.directives
    log = tmp_path / "access.log"
    log.write_bytes(b"\n".join(lines) + b"\n")
    report = scan_paths([log], log_format=log_format)
    assert report.requests == 0
    json.dumps(report.as_dict())
