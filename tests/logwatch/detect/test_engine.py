"""How per-request findings are put together: one per line and category, severity by answer, odd rows."""

from __future__ import annotations

import polars as pl

from jagaweb.logwatch.detect import FINDING_SCHEMA, detect_requests
from jagaweb.logwatch.detect.engine import MEMO
from jagaweb.logwatch.detect.memo import HitMemo
from tests.logwatch.detect.frames import SCHEMA, batch, from_field, row


def found(frame: pl.DataFrame) -> list[tuple]:
    return detect_requests(frame).select("line", "category", "rule", "severity").rows()


def test_one_finding_per_line_and_category_the_most_severe():
    # UNION SELECT (high), a comment (high) and a tautology (low) all match; one sqli finding remains
    findings = detect_requests(batch([row("/?id=1'+union+select+1,2--+-&x=1=1")]))
    assert findings.filter(pl.col("category") == "sqli").height == 1
    assert findings.filter(pl.col("category") == "sqli").get_column("severity").item() == "high"


def test_a_line_can_have_several_categories():
    findings = detect_requests(batch([row("/?q=<script>alert(1)</script>&id=1'+or+'1'='1",
                                          agent="sqlmap/1.7.2#stable (https://sqlmap.org)")]))
    assert set(findings.get_column("category")) == {"xss", "sqli", "scanner"}


def test_an_answered_probe_is_more_severe():
    findings = detect_requests(batch([row("/.env", status=404, line=1), row("/.env", status=200, line=2),
                                      row("/wso.php", status=403, line=3), row("/wso.php", status=200, line=4)]))
    severity = dict(((line, rule), severity) for line, _category, rule, severity in
                    findings.select("line", "category", "rule", "severity").rows())
    assert severity[(1, "environment-file")] == "high" and severity[(2, "environment-file")] == "critical"
    assert severity[(3, "known-shell")] == "high" and severity[(4, "known-shell")] == "critical"


def test_request_lines_no_browser_sends():
    rows = [from_field("request", value, number) for number, value in enumerate(
        ["", "\\x16\\x03\\x01\\x02\\x00", "CONNECT example.com:443 HTTP/1.1", "GET http://example.com/ HTTP/1.1",
         "TRACE / HTTP/1.1", "GET / HTTP/1.1", "OPTIONS * HTTP/1.1", "PROPFIND /dav/ HTTP/1.1"], start=1)]
    rules = {line: rule for line, _category, rule, _severity in found(batch(rows))}
    assert rules == {1: "empty-request", 2: "malformed-request", 3: "proxy-probe", 4: "proxy-probe",
                     5: "unusual-method"}


def test_each_value_is_read_where_it_was_logged():
    payload = "<script>alert(1)</script>"
    findings = detect_requests(batch([row("/", agent=payload, line=1), row("/", referer=payload, line=2)]))
    details = dict(findings.select("line", "detail").rows())
    assert details[1].startswith("agent: <script") and details[2].startswith("referer: <script")


def test_repeated_values_give_the_same_findings_from_memory():
    MEMO.clear()
    frame = batch([row("/?id=1;DROP+TABLE+users", line=1), row("/berita", line=2), row("/.git/config", line=3)])
    first = detect_requests(frame)
    again = detect_requests(frame)
    assert first.equals(again) and first.height == 2


def test_empty_and_null_columns():
    assert detect_requests(pl.DataFrame(schema=SCHEMA)).is_empty()
    assert dict(detect_requests(pl.DataFrame(schema=SCHEMA)).schema) == FINDING_SCHEMA
    nulls = batch([row(None, method=None, status=None, agent=None)]).with_columns(pl.lit(None).alias("request"))
    assert found(nulls) == [(1, "probing", "empty-request", "low")]


def test_missing_optional_columns_are_tolerated():
    frame = batch([row("/.env")]).drop("referer", "agent", "vhost", "status")
    assert found(frame) == [(1, "sensitive-file", "environment-file", "high")]


def test_findings_keep_file_and_line_of_each_row():
    frame = pl.concat([batch([row("/.env", file="a.log", line=7)]), batch([row("/.env", file="b.log", line=7)])])
    assert sorted(detect_requests(frame).select("file", "line").rows()) == [("a.log", 7), ("b.log", 7)]


def test_the_memory_knows_what_it_judged_and_starts_over_past_its_limit():
    memory = HitMemo(limit=4)
    kind = "target"
    hits = pl.DataFrame({"value": ["/.env"], "rule": ["environment-file"]})
    memory.add(kind, pl.Series(["/", "/.env", "/berita"]), hits)
    remembered, unknown = memory.split(kind, pl.Series(["/berita", "/.env", "/baru"]))
    assert unknown.to_list() == ["/baru"]
    assert remembered is not None and remembered.get_column("value").to_list() == ["/.env"]
    memory.add(kind, pl.Series(["/baru", "/lagi"]), hits.clear())  # 5 > 4: what came before is forgotten
    remembered, unknown = memory.split(kind, pl.Series(["/.env", "/lagi"]))
    assert unknown.to_list() == ["/.env"] and remembered is not None and remembered.is_empty()
