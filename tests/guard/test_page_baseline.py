"""Comparing a page with its known-good baseline summary."""

from __future__ import annotations

import json

from jagaweb.guard.choices import Verdict
from jagaweb.guard.page import PageSummary, analyse_page, compare_with_baseline
from tests.guard.page_fixtures import SITE, analyse, html


def summary(content: str | bytes) -> PageSummary:
    verdict = analyse_page(content, url=SITE)
    assert verdict.summary is not None
    return verdict.summary


def stored(value: PageSummary) -> dict:
    """As the baseline is kept: JSON in the database."""
    return json.loads(json.dumps(value.to_dict()))


def test_summary_round_trips_through_json():
    original = analyse("clean_dinas_home.html").summary
    assert original is not None
    assert PageSummary.from_dict(stored(original)) == original
    assert PageSummary.from_dict({**stored(original), "added_later": 1}) == original


def test_unchanged_page_is_clean():
    base = analyse("clean_dinas_home.html").summary
    again = analyse("clean_dinas_home.html").summary
    verdict = compare_with_baseline(stored(base), again)
    assert verdict.verdict == Verdict.CLEAN and verdict.reasons == []


def test_footer_injection_against_the_baseline():
    base = analyse("clean_dinas_home.html").summary
    now = analyse("infected_footer_hidden.html").summary
    verdict = compare_with_baseline(base, now)
    assert verdict.verdict == Verdict.JUDOL
    assert {"baseline.new_terms", "baseline.new_gambling_sites", "baseline.hidden_links"} <= set(verdict.codes)


def test_one_new_promotion_term_is_reported():
    base = summary(html("<p>Agenda rapat koordinasi.</p>"))
    now = summary(html("<p>Agenda rapat koordinasi. slot88</p>"))
    verdict = compare_with_baseline(base, now)
    assert verdict.codes == ["baseline.new_terms"] and verdict.verdict == Verdict.SUSPICIOUS


def test_defacement_replaces_title_and_text():
    base = analyse("clean_dinas_home.html").summary
    now = analyse("defaced.html").summary
    verdict = compare_with_baseline(base, now)
    assert {"baseline.title_changed", "baseline.replaced"} <= set(verdict.codes)
    assert verdict.verdict == Verdict.DEFACED


def test_edited_text_and_new_scripts_frames_and_verification():
    words = " ".join(f"kata{n}" for n in range(300))
    base = summary(html(f"<p>{words}</p>"))
    other = " ".join(f"lain{n}" for n in range(300))
    now = summary(html(
        f"<p>{other}</p><script src='https://cdn.elsewhere.invalid/a.js'></script>"
        "<iframe src='https://frames.invalid/x'></iframe>",
        head="<meta name='google-site-verification' content='planted-token'>"))
    codes = set(compare_with_baseline(base, now).codes)
    assert {"baseline.text_changed", "baseline.new_scripts", "baseline.new_frames",
            "baseline.new_verification"} <= codes


def test_small_edits_and_new_social_links_are_clean():
    base = summary(html("<p>" + "berita kegiatan dinas " * 50 + "</p>"))
    now = summary(html("<p>" + "berita kegiatan dinas " * 50 + "tambahan agenda baru</p>"
                       "<a href='https://www.instagram.com/dinas'>Instagram</a>"))
    assert compare_with_baseline(base, now).verdict == Verdict.CLEAN


def test_a_new_redirect():
    base = summary(html("<p>Halaman</p>"))
    now = analyse_page(b"", url=SITE, location="https://elsewhere.invalid/").summary
    verdict = compare_with_baseline(base, now)
    assert "baseline.new_redirect" in verdict.codes and verdict.verdict == Verdict.SUSPICIOUS
