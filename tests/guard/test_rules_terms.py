"""The file guard's quick look before the vocabulary: it may let too much through, never too little."""

from __future__ import annotations

from importlib import resources

import pytest

from jagaweb.guard.rules.terms import find_terms_quickly, may_have_terms
from jagaweb.guard.vocabulary import find_terms, read_terms

COUNTING = {"promo", "topic", "deface"}


def variants() -> list[str]:
    source = resources.files("jagaweb.guard.vocabulary").joinpath("terms.txt").read_text(encoding="utf-8")
    terms = [text for text, _tier, _category in read_terms(source)]
    spelled = [
        *terms,
        *(t.upper() for t in terms),
        *(t.replace(" ", "-") for t in terms),
        *(t.replace(" ", "") for t in terms),
        *(t.replace("o", "0").replace("a", "4") for t in terms),
        *(t.replace("l", "1").replace("e", "3") for t in terms),
    ]
    return [f"<p>Berita hari ini: {t}.</p>" for t in spelled]


@pytest.mark.parametrize("chunk", range(8))
def test_quick_look_never_hides_a_term(chunk: int) -> None:
    texts = variants()[chunk::8]
    for text in texts:
        full = {key for key, term in find_terms(text).items() if term.tier in COUNTING}
        quick = {key for key, term in find_terms_quickly(text).items() if term.tier in COUNTING}
        assert quick == full, text


def test_quick_look_skips_ordinary_code() -> None:
    code = b"<?php\n$data = array('login' => 1, 'link' => 'http://x', 'online' => true); // free system security\n"
    assert not may_have_terms(code)
    assert may_have_terms(b"echo 'SLOT88';")
    assert may_have_terms(b"<a>s1ot g4cor</a>")
