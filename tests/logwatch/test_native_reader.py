"""The compiled reader of the Common Log Format family (`native/clf.c`) agrees with the Polars expressions.

Every test reads the same bytes twice, natively and with the compiled reader switched off, and wants the
same batch: the requests with all their columns, the line count, and the unparsed lines with their reasons
and samples. The native reader reads only plainly well-formed lines and defers the rest, so what matters is
that it never reads a line differently from the expressions.
"""

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jagaweb.logwatch import compiled
from jagaweb.logwatch.formats import get_format
from jagaweb.logwatch.parse import ParsedBatch, parse_chunk
from tests.logwatch.native import NOT_BUILT
from tests.logwatch.test_parse_hostile import chunk_of

if compiled.native is None:
    if os.environ.get("CI"):
        pytest.fail(NOT_BUILT, pytrace=False)
    pytest.skip(NOT_BUILT, allow_module_level=True)

CLF_FORMATS = ("combined", "common", "vhost_combined")
HEAD = '36.80.12.7 - - [12/Nov/2026:10:15:32 +0700] '
COMBINED = HEAD + '"GET /berita?id=5 HTTP/1.1" 200 512 "https://www.google.com/" "Mozilla/5.0 (X11; Linux)"'
COMMON = HEAD + '"GET / HTTP/1.0" 304 -'
VHOST = 'portal.example.go.id:443 ' + COMBINED

# Lines at the edges of what the native reader takes: each either read the same way, or left to Polars.
EDGES = [
    COMBINED, COMMON, VHOST,
    COMBINED.replace("/2026:", "/-2026:"), COMBINED.replace("/2026:", "/1000:").replace("+0700", "+0100"),
    COMBINED.replace("12/Nov/2026:10", "31/Dec/9998:23").replace("+0700", "-0100"),  # times out of bounds
    COMBINED + ' "10.0.0.1"',  # Nginx's X-Forwarded-For after the agent
    COMBINED + '"next"',  # a quote straight after the agent
    COMBINED + 'x',  # anything else straight after it
    COMBINED.replace("Mozilla/5.0", 'Mozilla/5.0 \\"WebView\\"'),  # Apache's escaped quotes
    COMBINED.replace("Mozilla/5.0", 'Mozilla/5.0 \\"WebView\\"') + ' "10.0.0.1"',
    COMBINED.replace("Mozilla/5.0", 'Mozilla/5.0 \\"WebView\\"') + '"next"',
    COMBINED.replace("/berita?id=5", "/a\\\\b"),  # a backslash that escapes a backslash
    COMBINED.replace("/berita?id=5", '/a\\"b'),
    COMBINED.replace('"https://www.google.com/"', '"-"').replace('"Mozilla/5.0 (X11; Linux)"', '"-"'),
    COMBINED.replace('"https://www.google.com/"', '""').replace('"Mozilla/5.0 (X11; Linux)"', '""'),
    COMBINED.replace("200 512", "- -"), COMBINED.replace("200 512", "200 -"), COMBINED.replace("200 512", "2000 5"),
    COMBINED.replace("200 512", "200 " + "9" * 18), COMBINED.replace("200 512", "200 " + "9" * 19),
    COMBINED.replace("200 512", "200 " + "9" * 25), COMBINED.replace("200 512", "200  512"),
    COMBINED.replace("200 512", "200 512 "), COMBINED.replace("200 512", "20x 512"),
    COMBINED.replace('"GET /berita?id=5 HTTP/1.1"', '"-"'),
    COMBINED.replace('"GET /berita?id=5 HTTP/1.1"', '""'),
    COMBINED.replace("GET /berita?id=5 HTTP/1.1", "GET /index.html"),  # HTTP/0.9
    COMBINED.replace("GET /berita?id=5 HTTP/1.1", "GET /a b HTTP/1.1"),  # a space in the target
    COMBINED.replace("GET /berita?id=5 HTTP/1.1", "GET /a HTTP/1.1 HTTP/1.0"),
    COMBINED.replace("GET /berita?id=5 HTTP/1.1", "GET  HTTP/1.1"),  # an empty target
    COMBINED.replace("GET /berita?id=5 HTTP/1.1", " /x HTTP/1.1"),  # an empty method
    COMBINED.replace("GET /berita?id=5 HTTP/1.1", "GET /x HTTPS/1.1"),
    COMBINED.replace("GET /berita?id=5 HTTP/1.1", "GET /x HTTP/"),
    COMBINED.replace("GET /berita?id=5 HTTP/1.1", "\\x16\\x03\\x01"),  # a TLS handshake, as Apache logs it
    *(COMBINED.replace("12/Nov/2026:10:15:32 +0700", time) for time in (
        "12/nov/2026:10:15:32 +0700", "1/Nov/2026:10:15:32 +0700", "00/Nov/2026:10:15:32 +0700",
        "29/Feb/2024:10:15:32 +0700", "29/Feb/2026:10:15:32 +0700", "31/Dec/1969:23:59:59 -1200",
        "12/Nov/2026:24:00:00 +0700", "12/Nov/2026:10:15:60 +0700", "12/Nov/2026:10:15:32 +05:30",
        "12/Nov/2026:10:15:32 +0545", "12/Nov/2026:10:15:32 0700", "12/Nov/2026:10:15:32 +0700 x",
        "12/Nov/0999:10:15:32 +0700",
    )),
    COMBINED.replace("- - [", "-  - ["), COMBINED.replace("- - [", "- bob ["), COMBINED.replace("- - [", "- - x["),
    COMBINED.replace("- - [", "- b]b ["), COMBINED.replace("- - [", '- "bob" ['),
    COMBINED.replace("] \"", "]\""), COMBINED.replace("36.80.12.7", "2001:db8::1"),
    COMBINED.replace("Linux", "Linux\t"), COMBINED.replace("Linux", "Linüx"), COMBINED.replace("Linux", "\ufffd"),
    COMMON + "   ", COMMON + ' "-" "curl/8.4.0"', COMMON.replace("304 -", "304 - x"),
    "portal.example.go.id " + COMBINED, "portal.example.go.id:80:443 " + COMBINED, "host: " + COMBINED,
    ":443 " + COMBINED, "a:b1 " + COMBINED,
    "", "   ", "not a log line", '"', '""""""', HEAD, HEAD + '"', "\x00" + COMBINED,
]
# the same edges in the other two layouts
EDGES += [edge.replace(' "https://www.google.com/" "Mozilla/5.0 (X11; Linux)"', "") for edge in EDGES]
EDGES += ["portal.example.go.id:443 " + edge for edge in EDGES]


def both(data: bytes, log_format: str, monkeypatch: pytest.MonkeyPatch) -> tuple[ParsedBatch, ParsedBatch]:
    native = parse_chunk(chunk_of(data, first_line=7), get_format(log_format), sample_limit=1000)
    with monkeypatch.context() as switched_off:
        switched_off.setattr(compiled, "native", None)
        assert get_format(log_format).read_natively(data, 7) is None
        expressions = parse_chunk(chunk_of(data, first_line=7), get_format(log_format), sample_limit=1000)
    return native, expressions


def assert_same(native: ParsedBatch, expressions: ParsedBatch) -> None:
    assert native.frame.schema == expressions.frame.schema
    assert native.frame.to_dicts() == expressions.frame.to_dicts()
    assert (native.lines, native.directives, native.unparsed) == (
        expressions.lines, expressions.directives, expressions.unparsed)
    assert native.samples == expressions.samples


@pytest.mark.parametrize("log_format", CLF_FORMATS)
def test_edge_lines_read_as_the_expressions_read_them(log_format, monkeypatch):
    data = "\n".join(EDGES).encode() + b"\n"
    native, expressions = both(data, log_format, monkeypatch)
    assert_same(native, expressions)
    assert len(native.frame) > 5  # there was something to compare


def test_the_usual_lines_are_read_natively_and_the_odd_ones_deferred():
    data = "\n".join([COMBINED, COMBINED.replace("Linux", "Linüx"), "", COMBINED]).encode() + b"\r\n"
    read = get_format("combined").read_natively(data, 1)
    assert read is not None
    assert read.frame["line"].to_list() == [1, 4]
    assert read.deferred_lines == [2, 3]
    assert read.deferred_text == COMBINED.replace("Linux", "Linüx").encode() + b"\n\n"
    row = read.frame.row(0, named=True)
    assert (row["method"], row["target"], row["protocol"]) == ("GET", "/berita?id=5", "HTTP/1.1")
    assert row["time"].isoformat() == "2026-11-12T03:15:32+00:00"


def test_windows_line_ends_and_an_unterminated_last_line(monkeypatch):
    data = (COMBINED + "\r\n" + COMBINED + "\r\r\n" + COMBINED).encode()
    assert_same(*both(data, "combined", monkeypatch))


def test_strings_on_either_side_of_what_a_view_holds_read_the_same(monkeypatch):
    """The reader hands strings over as Arrow string views: up to 12 bytes inside the view, longer ones in
    the text buffer the view points to. Lengths around that edge, empty and missing values, and a column
    whose text grows past its first buffer (a batch of long agents) must read as the expressions read them."""
    lines = []
    for length in (0, 1, 4, 11, 12, 13, 16, 200, 5000):
        target = "/" + "p" * max(length - 1, 0) if length else ""
        agent = "A" * length
        lines.append(f'{HEAD}"GET {target} HTTP/1.1" 200 {length} "{"r" * length or "-"}" "{agent or "-"}"')
    lines += [f'{HEAD}"GET /{number} HTTP/1.1" 200 1 "-" "{"agent " * 400}{number}"' for number in range(300)]
    data = "\n".join(lines).encode() + b"\n"
    read = get_format("combined").read_natively(data, 1)
    assert read is not None and read.deferred_lines == []  # every line read natively
    native, expressions = both(data, "combined", monkeypatch)
    assert_same(native, expressions)
    assert native.frame["agent"].str.len_bytes().to_list()[:9] == [None, 1, 4, 11, 12, 13, 16, 200, 5000]
    assert native.frame["target"].to_list()[:5] == ["", "/", "/ppp", "/pppppppppp", "/ppppppppppp"]


def test_a_column_is_handed_over_once():
    columns, _lines, _text = compiled.native.parse(COMBINED.encode(), 1, False, True, 65536)
    column = columns["ip"]
    assert column.rows() == 1
    column.__arrow_c_array__()
    with pytest.raises(RuntimeError, match="already handed over"):
        column.__arrow_c_array__()


FIELD = st.sampled_from(["-", "", "a", "/x?q=1", "GET / HTTP/1.1", "Mozilla/5.0", '\\"', "\\", '"', " ", "9" * 19,
                         "200", "12/Nov/2026:10:15:32 +0700", "[", "]", "ü", "\t"])


@st.composite
def near_lines(draw: st.DrawFn) -> str:
    """A well-formed line with a few of its pieces replaced, cut or doubled."""
    pieces = [*draw(st.sampled_from([VHOST, COMBINED, COMMON])).partition(" ")]
    line = "".join(pieces)
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(line)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        if action == "insert":
            line = line[:at] + draw(FIELD) + line[at:]
        elif action == "delete":
            line = line[:at] + line[at + draw(st.integers(1, 4)):]
        else:
            line = line[:at] + draw(FIELD) + line[at + 1:]
    return line


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(near_lines(), min_size=1, max_size=8), log_format=st.sampled_from(CLF_FORMATS))
def test_near_misses_read_as_the_expressions_read_them(lines, log_format, monkeypatch):
    assert_same(*both("\n".join(lines).encode() + b"\n", log_format, monkeypatch))
