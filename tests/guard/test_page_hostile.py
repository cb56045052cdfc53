"""Hostile input never crashes the page analysis and never takes long: huge, deep, binary, badly encoded."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jagaweb.guard.choices import Verdict
from jagaweb.guard.page import analyse_page, analyse_sitemap
from jagaweb.guard.page.decode import MAX_BYTES, decode_page
from tests.guard.page_fixtures import SITE, html

SPAM = '<div style="display:none"><a href="https://hoki88.invalid/">slot gacor</a> situs toto</div>'


def timed(content: str | bytes, **options: object) -> tuple[float, object]:
    start = time.perf_counter()
    verdict = analyse_page(content, url=SITE, **options)  # type: ignore[arg-type]
    return time.perf_counter() - start, verdict


def test_huge_page_is_cut_and_still_judged():
    filler = "<p>" + "berita kegiatan dinas " * 50 + "</p>"
    content = (html(SPAM) + filler * (4 * MAX_BYTES // len(filler))).encode()
    assert len(content) > 3 * MAX_BYTES
    elapsed, verdict = timed(content)
    assert verdict.verdict == Verdict.JUDOL
    assert "page.truncated" in verdict.codes
    assert elapsed < 30


@pytest.mark.parametrize("nest", [
    "<div>", "<div><span><p><b>", "<p><b>", "<table><tr><td>", "<dl><dd>", "<font>", "<a href=x>", "<x-y>",
])
def test_deep_nesting_is_flattened_quickly(nest):
    content = html(nest * 150_000 + SPAM)
    elapsed, verdict = timed(content)
    assert "page.too_deep" in verdict.codes
    # Past the depth limit browsers stop nesting (the hiding <div> is empty there and its links show), so
    # the spam after the deep part is read as visible text, as a crawler would read it.
    assert "judol.text" in verdict.codes and verdict.verdict != Verdict.CLEAN
    assert elapsed < 20, f"{elapsed:.1f} s for {nest!r}"


def test_deep_nesting_hidden_behind_stray_close_tags():
    content = html("<b>" + "<span></i>" * 150_000 + SPAM)
    elapsed, verdict = timed(content)
    assert "page.too_deep" in verdict.codes and elapsed < 20


def test_ordinary_nesting_is_left_alone():
    _, verdict = timed(html("<div>" * 300 + "<p>teks</p>" + "</div>" * 300))
    assert "page.too_deep" not in verdict.codes


ODD = {
    "empty": b"", "blank": b"   ", "lone-bracket": b"<", "brackets": b"<<<<>>>>" * 1000,
    "open-comment": b"<!-- only a comment", "unclosed-title": b"<html><head><title>",
    "png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 100, "nul-bytes": b"\x00" * 5000,
    "exe": b"MZ\x90\x00\x03\x00\x00\x00", "utf-16-bom": b"\xff\xfe" + "<p>slot gacor</p>".encode("utf-16-le"),
    "charset-rot13": b"<html><head><meta charset='rot13'><title>x</title></head><body>ok</body></html>",
    "charset-zlib": b"<html><head><meta charset=zlib></head><body>ok</body></html>",
    "charset-utf16-meta": b"<html><head><meta charset=utf-16></head><body>ok</body></html>",
    "bad-utf8": b"<html><body>\xc3\x28\xa0\xa1 \xe2\x28\xa1 bad utf-8 \xf0\x28\x8c\xbc</body></html>",
    "latin1-undeclared": b"<p>caf\xe9 latin-1 without a charset</p>" * 100,
    "cut-character": "<p>\u0405L\u041e\u0422 \uff27\uff21\uff23\uff2f\uff32</p>".encode() + b"\xe2\x82",
    "huge-attribute": ("<div style='" + "x" * 2_000_000 + "'>a</div>").encode(),
    "brace-storm": ("<style>" + "{" * 200_000 + "}" * 100 + "</style><p>x</p>").encode(),
    "many-hiding-rules": ("<style>" + ".a{display:none}" * 50_000 + "</style><div class=a>x</div>").encode(),
    "many-links": ("<a href='https://x.invalid/'>l</a>" * 50_000).encode(),
    "script-storm": ("<script>" + "eval(atob(" * 50_000 + "</script>").encode(),
    "leet-storm": ("<p>" + "g4c0r1" * 200_000 + "</p>").encode(),
    "marks-and-zero-width": ("<p>" + "\u0301" * 100_000 + "s\u200b" * 100_000 + "</p>").encode(),
    "many-scripts": ("<p>" + "".join(chr(c) for c in range(0x100, 0x3000)) * 20 + "</p>").encode(),
}


@pytest.mark.parametrize("content", list(ODD.values()), ids=list(ODD))
def test_odd_input_never_raises(content):
    elapsed, verdict = timed(content, content_type="text/html; charset=nonsense")
    assert verdict.verdict in Verdict.values
    assert elapsed < 20


def test_binary_content_is_not_parsed():
    _, verdict = timed(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 50)
    assert verdict.codes == ["page.binary"] and verdict.verdict == Verdict.CLEAN


def test_decoding_follows_bom_header_and_meta():
    assert decode_page(b"\xef\xbb\xbf<p>\xc3\xa9</p>").text == "<p>\u00e9</p>"
    assert decode_page(b"<p>\xe9</p>", content_type="text/html; charset=ISO-8859-1").text == "<p>\u00e9</p>"
    assert decode_page(b'<meta charset="windows-1252"><p>\x93x\x94</p>').text.endswith("\u201cx\u201d</p>")
    assert decode_page("<p>x</p>" * 10, max_bytes=16).truncated


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=3000), st.text(max_size=3000)))
def test_anything_at_all(content):
    verdict = analyse_page(content, url=SITE)
    assert 0 <= verdict.score <= 100
    analyse_sitemap(content)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([
    "<div>", "</div>", "<a href='https://x.invalid/'>", "</a>", "<style>.q{display:none}</style>", "<p class=q>",
    "slot gacor", "<b>", "<table>", "<td>", "<script>", "</script>", "<!--", "-->", "<font color=#fff>", "&#8203;",
    "<meta http-equiv=refresh content='0;url=https://y.invalid/'>", "<iframe width=0 src=//z.invalid>", "\x00",
]), max_size=200))
def test_random_tag_soup(parts):
    verdict = analyse_page("".join(parts), url=SITE)
    assert verdict.summary is not None
