"""Defacement: marker plus shape, and news that merely reports a defacement."""

from __future__ import annotations

from jagaweb.guard.choices import Verdict
from jagaweb.guard.page import analyse_page
from tests.guard.page_fixtures import SITE, analyse, html


def test_classic_defacement_page():
    verdict = analyse("defaced.html")
    assert verdict.verdict == Verdict.DEFACED
    assert {"deface.title", "deface.heading", "deface.text", "deface.shape"} <= set(verdict.codes)
    shape = next(r for r in verdict.reasons if r.code == "deface.shape")
    assert {"short", "no-navigation", "dark", "marquee-or-music"} <= set(shape.evidence)


def test_leetspeak_and_indonesian_markers():
    page = "<html><head><title>H4ck3d by Tim Uji</title></head><body><h1>Diretas oleh Tim Uji</h1></body></html>"
    assert analyse_page(page, url=SITE).verdict == Verdict.DEFACED


def test_news_reporting_a_defacement_is_clean():
    verdict = analyse("clean_news_defacement.html")
    assert verdict.verdict == Verdict.CLEAN


def test_a_weak_marker_on_a_normal_page_is_nothing():
    page = html("<p>Layanan ini owned by Dinas Kominfo dan dikelola bersama Bagian Umum.</p>")
    assert analyse_page(page, url=SITE).reasons == []
    assert analyse_page(html("<p>Akun kami pernah di-hacked, kini sudah aman.</p>"), url=SITE).reasons == []


def test_a_short_page_with_only_weak_markers_and_no_navigation():
    page = ("<html><head><title>Owned by Someone Cyber Team</title></head>"
            "<body bgcolor=black><p>was here</p></body></html>")
    verdict = analyse_page(page, url=SITE)
    assert verdict.verdict in (Verdict.SUSPICIOUS, Verdict.DEFACED)
    assert "deface.title" in verdict.codes
