"""The loader on random YAML-ish text and on damaged definitions: a definition or a DefinitionError whose
problems point inside the text, never any other exception."""

from __future__ import annotations

import re
from pathlib import Path

from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jagaweb.sop.definitions import DefinitionError, SopDefinition, load_definition

GOOD = (Path(__file__).resolve().parent.parent / "fixtures" / "sop" / "good.yaml").read_text()
GOOD_LINES = GOOD.splitlines(keepends=True)

TOKENS = [
    "header", "performers", "steps", "triggers", "nama", "number", "symbol", "start", "process", "decision",
    "end", "next", "yes", "no", "waktu", "value", "unit", "minutes", "performer", "activity", "automation",
    "kind", "admin", "1", "2", "-1", "0x1f", "1.5", ".inf", "1:30", "2024-02-30", "31-02-2024", "~", "null",
    "true", ":", ": ", " ", "  ", "\n", "\n  ", "\n    ", "- ", "-", "{", "}", "[", "]", ",", "?", "&a ", "*a",
    "*b", "!!int ", "!!str ", "!!binary ", "!custom ", "<<: ", "'", '"', "#", "|", ">-", "\t", "%YAML 1.1\n",
    "---\n", "...\n", "\\", "@", "`", "\x00", "\x85", "\ufeff", "é", "\U0001f600", "\r\n",
]
LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
yamlish = st.lists(st.sampled_from(TOKENS), max_size=80).map("".join)


def assert_loads_or_explains(text: str) -> None:
    with translation.override("en"):
        try:
            definition = load_definition(text, source_name="fuzz.yaml")
        except DefinitionError as exc:
            assert exc.errors
            # YAML also breaks lines at \r, NEL and the Unicode separators; an error may point past the end.
            last_line = len(LINE_BREAK.findall(text)) + 2
            for problem in exc.errors:
                assert problem.line is None or 1 <= problem.line <= last_line, problem
                assert str(problem).startswith("fuzz.yaml")
            return
    assert isinstance(definition, SopDefinition)
    assert definition.steps[0].symbol == "start"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(yamlish)
def test_random_yaml_like_text_never_crashes_the_loader(text):
    assert_loads_or_explains(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(min_value=0, max_value=len(GOOD_LINES) - 1),
    st.integers(min_value=0, max_value=3),
    st.lists(st.sampled_from(TOKENS), max_size=6).map("".join),
)
def test_a_damaged_definition_is_loaded_or_explained(line, removed, inserted):
    damaged = [*GOOD_LINES[:line], inserted, *GOOD_LINES[line + removed:]]
    assert_loads_or_explains("".join(damaged))


def test_deep_nesting_and_self_referring_aliases_are_explained():
    for text in ["[" * 5000 + "]" * 5000, "steps: &s [*s, *s]\n", "header: &h {nama: *h}\nperformers: *h\n"]:
        assert_loads_or_explains(text)
