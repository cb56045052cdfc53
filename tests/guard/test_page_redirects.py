"""Redirects to other sites (HTTP, meta refresh, script), cloaked redirects, suspicious scripts."""

from __future__ import annotations

from jagaweb.guard.choices import Verdict
from jagaweb.guard.page import analyse_page
from tests.guard.page_fixtures import SITE, analyse, html


def test_meta_refresh_to_a_foreign_site():
    verdict = analyse("meta_refresh_foreign.html")
    assert verdict.verdict == Verdict.SUSPICIOUS and "redirect.meta" in verdict.codes
    assert verdict.summary is not None and verdict.summary.redirect == "promo-kilat.invalid"


def test_meta_refresh_within_the_site_is_fine():
    head = '<meta http-equiv="refresh" content="0;URL=\'https://www.contoh.go.id/portal/\'">'
    assert analyse_page(html("", head=head), url="https://contoh.go.id/").reasons == []
    relative = '<meta http-equiv="refresh" content="5; url=/id/">'
    assert analyse_page(html("", head=relative), url=SITE).reasons == []


def test_meta_refresh_to_a_gambling_site():
    head = '<meta http-equiv="refresh" content="0;url=https://slot-gacor.invalid/">'
    assert analyse_page(html("", head=head), url=SITE).verdict == Verdict.JUDOL


def test_script_redirect_for_search_visitors_is_cloaking():
    verdict = analyse("js_redirect_cloak.html")
    assert verdict.verdict == Verdict.JUDOL
    assert {"redirect.script", "redirect.cloaked"} <= set(verdict.codes)


def test_script_redirect_to_a_foreign_site():
    script = '<script>setTimeout(function(){ location.replace("https://elsewhere.invalid/x"); }, 10)</script>'
    verdict = analyse_page(html(script), url=SITE)
    assert verdict.codes == ["redirect.script"] and verdict.verdict == Verdict.SUSPICIOUS


def test_http_redirect_reported_by_the_fetch():
    verdict = analyse_page(b"", url=SITE, location="https://toto-macau.invalid/")
    assert verdict.verdict == Verdict.JUDOL and "redirect.http" in verdict.codes


def test_redirect_without_a_known_site_address_counts_less():
    head = '<meta http-equiv="refresh" content="0;url=https://other.invalid/">'
    verdict = analyse_page(html("", head=head))
    assert verdict.codes == ["redirect.meta"] and verdict.verdict == Verdict.CLEAN


def test_obfuscated_inline_script():
    script = "<script>eval(atob('ZG9jdW1lbnQud3JpdGUoJ3gnKQ=='))</script>"
    verdict = analyse_page(html(script), url=SITE)
    assert "script.obfuscated" in verdict.codes and verdict.verdict == Verdict.SUSPICIOUS


def test_scripts_from_a_gambling_host():
    verdict = analyse_page(html('<script src="https://cdn-slot88.invalid/r.js"></script>'), url=SITE)
    assert verdict.verdict == Verdict.JUDOL and "script.gambling_source" in verdict.codes


def test_ordinary_scripts_are_clean():
    scripts = ('<script src="/wp-includes/js/jquery.min.js?ver=3.7"></script>'
               '<script>var ajaxurl = "/wp-admin/admin-ajax.php"; document.getElementById("menu").onclick = 1;</script>'
               '<script async src="https://www.googletagmanager.com/gtag/js?id=G-1"></script>')
    assert analyse_page(html(scripts), url=SITE).verdict == Verdict.CLEAN


def test_amp_version_or_canonical_address_on_another_site():
    amp = '<link rel="amphtml" href="https://slot-amp.invalid/dinas/">'
    verdict = analyse_page(html("", head=amp), url=SITE)
    assert verdict.codes == ["redirect.amphtml"] and verdict.verdict == Verdict.JUDOL
    canonical = '<link rel="canonical" href="https://elsewhere.invalid/page/">'
    verdict = analyse_page(html("", head=canonical), url=SITE)
    assert verdict.codes == ["redirect.canonical"] and verdict.verdict == Verdict.CLEAN  # moved domains do this
    gambling = '<link rel="canonical" href="https://situs-toto.invalid/">'
    assert analyse_page(html("", head=gambling), url=SITE).verdict == Verdict.JUDOL
    own = '<link rel="canonical" href="https://www.contoh.go.id/dinas/"><link rel="amphtml" href="/dinas/amp/">'
    assert analyse_page(html("", head=own), url="https://dinas.contoh.go.id/").reasons == []
