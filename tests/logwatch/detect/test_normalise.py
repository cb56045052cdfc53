"""Normalisation undoes encodings on whole columns, and detection sees through them."""

from __future__ import annotations

import polars as pl
import pytest

from jagaweb.logwatch.detect import detect_requests
from jagaweb.logwatch.detect.normalise import DECODE_ROUNDS, logged, normalised_path, normalised_text
from tests.logwatch.detect.frames import batch, row


def text(value: str, **options: bool) -> str:
    # among other values, as in a batch: steps only touch the values that need them
    values = pl.Series(["/plain", value, None, "/%41"])
    return normalised_text(values, **options)[1]


def path(value: str) -> str:
    return normalised_path(pl.Series(["/plain", value, None]))[1]


@pytest.mark.parametrize(("raw", "expected"), [
    ("/a?q=%3Cscript%3E", "/a?q=<script>"),
    ("/a?q=%253Cscript%253E", "/a?q=<script>"),  # double encoding
    ("/a?q=%25253Cscript%25253E", "/a?q=<script>"),  # triple
    ("/a?q=%u003Cscript%U003E", "/a?q=<script>"),  # IIS %uXXXX, either case
    ("/a?q=%EF%BC%9Cscript%EF%BC%9E", "/a?q=<script>"),  # fullwidth, percent-encoded
    ("/a?q=\uff1cSCRIPT\uff1e", "/a?q=<script>"),  # fullwidth, sent raw
    ("/a?q=&lt;b&gt;&#60;&#x3C;&#0000060;&amp;lt;", "/a?q=<b><<<<"),  # entities, padded, nested
    ("/a?q=java&Tab;script&colon;", "/a?q=javascript:"),
    ("/a?q=union+select", "/a?q=union select"),  # + is a space
    ("/a?q=%2b1", "/a?q=+1"),  # but an encoded + stays one
    ("/a?q=%00x%2500y", "/a?q=xy"),  # NUL bytes dropped
    ("/a?q=\\x3cscript\\x3e", "/a?q=<script>"),  # Apache's \\xhh
    ("/a?q=%E2%80%98x%E2%80%99", "/a?q='x'"),  # typographic quotes
])
def test_text_is_decoded_and_folded(raw, expected):
    assert text(raw) == expected


def test_untouched_values_stay_as_they_were():
    values = pl.Series(["/plain", "/%41%2541", None, "/&lt;", "/Berita"])
    assert normalised_text(values).to_list() == ["/plain", "/aa", "", "/<", "/berita"]
    assert normalised_path(values).to_list() == ["/plain", "/aa", "", "/&lt;", "/berita"]


def test_decoding_is_bounded():
    layered = "%3C"
    for _round in range(DECODE_ROUNDS):
        layered = layered.replace("%", "%25")
    assert text("/a?q=" + layered) == "/a?q=%3c"  # one layer more than the rounds stays encoded


def test_apache_escapes_of_quotes_and_backslashes_are_undone():
    assert logged(pl.Series(['a\\"b\\\\c', None])).to_list() == ['a"b\\c', ""]


@pytest.mark.parametrize(("raw", "expected"), [
    ("/A/./B//C/././d.PHP?x=/../", "/a/b/c/d.php"),
    ("/a\\..\\..\\windows\\win.ini", "/a/../../windows/win.ini"),
    ("/%2e%2e/%2E%2E/etc/passwd", "/../../etc/passwd"),
    ("/..%c0%af..%c0%afetc/passwd", "/../../etc/passwd"),  # overlong UTF-8
    ("/uploads/x.php%00.jpg", "/uploads/x.php.jpg"),
    ("/a%3Fb?c", "/a?b"),  # an encoded ? is part of the path
])
def test_paths_are_decoded_and_collapsed(raw, expected):
    assert path(raw) == expected


def test_double_encoded_payloads_are_detected():
    targets = ["/index.php?id=1%2527%2520OR%25201%253D1--", "/?q=%253Cscript%253Ealert(1)%253C%252Fscript%253E",
               "/?file=..%252f..%252f..%252fetc%252fpasswd", "/%252e%2565nv"]
    found = detect_requests(batch([row(target) for target in targets]))
    assert set(found.select("line", "category").rows()) >= {(1, "sqli"), (2, "xss"), (3, "lfi"),
                                                             (4, "sensitive-file")}


def test_plain_value_needs_no_encoding_markers_to_be_found():
    # No %, no entity: the cheap filter lets it through on the family's own words
    found = detect_requests(batch([row("/berita?id=5+AND+1=1"), row("/?q=<script>alert(1)</script>")]))
    assert set(found.get_column("category")) == {"sqli", "xss"}
