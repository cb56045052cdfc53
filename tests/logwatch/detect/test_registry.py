"""The rule families are well formed: unique, documented, compilable, and their cheap filter is sound."""

from __future__ import annotations

import os
import subprocess
import sys

import polars as pl
import pytest

from jagaweb.logwatch.choices import Category, Severity
from jagaweb.logwatch.detect import kinds
from jagaweb.logwatch.detect.base import Source, ascii_regex
from jagaweb.logwatch.detect.catalogue import markdown_table, rule_catalogue
from jagaweb.logwatch.detect.engine import trigger_tokens
from jagaweb.logwatch.detect.registry import FAMILIES
from tests.logwatch.detect.frames import fixture_rows

PATTERNS = [(family, pattern) for family in FAMILIES for pattern in family.patterns]


def test_one_family_class_per_module():
    modules = [type(family).__module__ for family in FAMILIES]
    assert len(modules) == len(set(modules))


@pytest.mark.parametrize(("family", "pattern"), PATTERNS, ids=[f"{p.rule}" for _f, p in PATTERNS])
def test_each_pattern_compiles_and_is_documented(family, pattern):
    # the values the models' and forms' TextChoices know
    assert family.category in Category.values
    assert pattern.severity in Severity.values and (pattern.served is None or pattern.served in Severity.values)
    assert pattern.description.strip() and pattern.sources
    # a pattern that could not compile, or that matched everything, would be useless
    assert pl.select(pl.lit("").str.contains(ascii_regex(pattern.regex))).item() is False


def test_detection_kinds_match_the_choices_in_values_and_order():
    """Detection keeps Django-free copies of the two enums; the severity order ranks findings."""
    assert [str(kind) for kind in kinds.Category] == Category.values
    assert [str(kind) for kind in kinds.Severity] == Severity.values


def test_detection_imports_no_django():
    code = ("import sys, jagaweb.logwatch.detect, jagaweb.logwatch.scan; "
            "print(sorted(name for name in sys.modules if name.split('.')[0] in ('django', 'numpy')))")
    imported = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              env={**os.environ, "DJANGO_SETTINGS_MODULE": ""}).stdout.strip()
    assert imported == "[]"


def test_rule_names_are_unique_per_category():
    names = [(doc.category, doc.rule) for doc in rule_catalogue()]
    assert len(names) == len(set(names))


def test_tokens_are_lower_case():
    for family in FAMILIES:
        assert all(token == token.lower() and token for token in family.tokens), type(family).__name__


def test_every_attack_in_the_fixture_passes_the_cheap_filter():
    # The prefilter may let too much in, never too little: each attack holds a token or an encoding.
    columns = {"target": frozenset({Source.TARGET, Source.PATH, Source.RAW}), "agent": frozenset({Source.AGENT}),
               "referer": frozenset({Source.REFERER})}
    for _category, field, value in fixture_rows("attacks.tsv"):
        if field in columns:
            tokens = trigger_tokens(columns[field])
            assert any(token in value.lower() for token in tokens), value


def test_ascii_regex_limits_classes_inside_and_outside_brackets():
    assert ascii_regex(r"\bx\w[\w@\s]\d\s\.") == (
        r"(?-u:\b)x[0-9A-Za-z_][0-9A-Za-z_@\t\n\x0B\x0C\r ][0-9][\t\n\x0B\x0C\r ]\.")
    assert pl.select(pl.lit("naïve").str.contains(ascii_regex(r"\bna\w"))).item() is False


def test_catalogue_documents_every_category():
    assert {doc.category for doc in rule_catalogue()} == {str(category) for category in Category}
    assert markdown_table().count("\n") == len(rule_catalogue()) + 1


def test_the_cheap_filter_passes_ordinary_pages_and_uploads():
    """Tokens that are in every other path ("load" in /uploads/, ".ht" in .html) would send most values of
    a busy site through normalisation and every family's expressions."""
    tokens = trigger_tokens(frozenset({Source.TARGET, Source.PATH, Source.RAW}))
    for value in ("/wp-content/uploads/2026/11/banjir.jpg", "/berita/pelantikan-bupati.html", "/download/perda"):
        assert not [token for token in tokens if token in value.lower()], value
