"""Cloaking: one address, different answers for a browser, Googlebot, a phone and a search visitor."""

from __future__ import annotations

import pytest

from jagaweb.guard.choices import Identity, Verdict
from jagaweb.guard.page import analyse_page, compare_identities
from tests.guard.page_fixtures import SITE, page


def test_same_page_for_everyone_is_clean():
    home = page("clean_dinas_home.html")
    verdict = compare_identities({identity: home for identity in Identity.values}, url=SITE)
    assert verdict.verdict == Verdict.CLEAN and verdict.reasons == []


def test_googlebot_and_search_visitors_get_the_doorway():
    home, spam = page("clean_dinas_home.html"), page("doorway_fancy.html")
    verdict = compare_identities({
        Identity.NORMAL: home, Identity.MOBILE: home, Identity.GOOGLEBOT: spam, Identity.SEARCH: spam,
    }, url=SITE)
    assert verdict.verdict == Verdict.JUDOL
    assert {"cloaking.judol", "cloaking.terms", "cloaking.title", "cloaking.content"} <= set(verdict.codes)
    terms = next(r for r in verdict.reasons if r.code == "cloaking.terms")
    assert any(item.startswith("googlebot: ") for item in terms.evidence)
    assert any(item.startswith("search: ") for item in terms.evidence)


def test_only_the_footer_differs_for_googlebot():
    verdict = compare_identities({
        "normal": page("clean_dinas_home.html"), "googlebot": page("infected_footer_hidden.html"),
    }, url=SITE)
    assert verdict.verdict == Verdict.JUDOL
    assert "cloaking.gambling_links" in verdict.codes
    assert "cloaking.title" not in verdict.codes


def test_search_visitors_redirected_elsewhere():
    normal = analyse_page(page("clean_dinas_home.html"), url=SITE)
    search = analyse_page(b"", url=SITE, location="https://masuk-sini.invalid/")
    verdict = compare_identities({"normal": normal, "search": search})
    assert "cloaking.redirect" in verdict.codes and verdict.verdict == Verdict.SUSPICIOUS


def test_the_reference_identity_must_be_there():
    with pytest.raises(ValueError, match="reference"):
        compare_identities({"googlebot": "<p>x</p>"})
