"""Each attack class is found in realistic payloads; ordinary Indonesian government traffic raises nothing."""

from __future__ import annotations

from collections import defaultdict

import polars as pl
import pytest

from jagaweb.logwatch.choices import Category
from jagaweb.logwatch.detect import FINDING_SCHEMA, detect_requests
from tests.logwatch.detect.frames import batch, fixture_rows, from_field, row

ATTACKS = fixture_rows("attacks.tsv")
BENIGN = fixture_rows("benign.tsv")
PER_REQUEST = sorted({category for category, _field, _value in ATTACKS})


def categories_by_line(findings: pl.DataFrame) -> dict[int, set[str]]:
    found: dict[int, set[str]] = defaultdict(set)
    for line, category in findings.select("line", "category").iter_rows():
        found[line].add(category)
    return found


def test_fixture_covers_every_per_request_category():
    behaviour_only = {Category.BRUTE_FORCE, Category.CRAWL, Category.FLOOD, Category.FAKE_BOT}
    assert set(PER_REQUEST) == {str(category) for category in Category} - {str(c) for c in behaviour_only}


@pytest.mark.parametrize("category", PER_REQUEST)
def test_every_attack_of_the_category_is_found(category):
    cases = [(field, value) for expected, field, value in ATTACKS if expected == category]
    findings = detect_requests(batch([from_field(field, value, number) for number, (field, value)
                                      in enumerate(cases, start=1)]))
    found = categories_by_line(findings)
    missed = [value for number, (_field, value) in enumerate(cases, start=1) if category not in found[number]]
    assert not missed, f"{category} not found in: {missed}"


def test_benign_traffic_raises_nothing():
    findings = detect_requests(batch([from_field(field, value, number)
                                      for number, (field, value) in enumerate(BENIGN, start=1)]))
    assert findings.is_empty(), findings.select("line", "category", "rule", "detail").rows()


def test_findings_have_the_documented_columns_and_values():
    findings = detect_requests(batch([row("/index.php?id=1'+OR+'1'='1", ip="198.51.100.7", line=42)]))
    assert dict(findings.schema) == FINDING_SCHEMA
    found = findings.row(0, named=True)
    assert (found["line"], found["ip"], found["category"]) == (42, "198.51.100.7", "sqli")
    assert found["severity"] in {"low", "medium", "high", "critical"}
    assert found["request"] == "GET /index.php?id=1'+OR+'1'='1 HTTP/1.1"
    assert found["detail"].startswith("target: ") and "or" in found["detail"]


@pytest.mark.parametrize("target", [
    "/berita?judul=Select+Committee+Union+meeting",
    "/cari?q=sleep+well+and+eat+well",
    "/cari?q=1+or+2+hari",
    "/artikel/or-and-xor-gerbang-logika",
    "/?s=having+fun+in+jakarta",
    "/wp-content/uploads/2024/05/laporan.pdf",
    "/search?q=jum%27at+%23berkah",
])
def test_sql_and_script_words_in_ordinary_text_are_left_alone(target):
    assert detect_requests(batch([row(target)])).is_empty()


def test_indonesian_locale_in_user_agents_is_not_a_command():
    agents = ["Opera/9.80 (MTK; Opera Mini/2.1199/34.1244; U; id) Presto/2.8.119 Version/11.10",
              "Mozilla/5.0 (Linux; U; Android 4.4.2; id-id; SM-G7102 Build/KOT49H) AppleWebKit/534.30"]
    assert detect_requests(batch([row("/", agent=agent) for agent in agents])).is_empty()
