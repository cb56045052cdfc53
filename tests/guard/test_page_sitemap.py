"""Sitemaps (injected gambling pages, growth, foreign addresses) and search-engine verification files."""

from __future__ import annotations

import gzip

import pytest

from jagaweb.guard.choices import Verdict
from jagaweb.guard.page import analyse_page, analyse_sitemap, verification_file
from tests.guard.page_fixtures import analyse, page


def urlset(*paths: str, host: str = "https://diskominfo.contoh.go.id") -> str:
    rows = "".join(f"<url><loc>{host}{path}</loc><lastmod>2024-05-01</lastmod></url>" for path in paths)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</urlset>'


def test_injected_sitemap():
    verdict = analyse_sitemap(page("sitemap_spam.xml"))
    assert verdict.verdict == Verdict.JUDOL and verdict.url_count == 5
    assert len(verdict.spam_urls) == 3
    assert "https://diskominfo.contoh.go.id/?p=link-slot88-resmi" in verdict.spam_urls


@pytest.mark.parametrize("name", ["sitemap_clean.xml", "sitemap_news.xml"])
def test_office_and_news_sitemaps_are_clean(name):
    verdict = analyse_sitemap(page(name))
    assert verdict.verdict == Verdict.CLEAN and verdict.reasons == []


def test_growth_since_the_baseline():
    current = urlset(*[f"/berita/{n}/" for n in range(400)])
    assert analyse_sitemap(current, baseline_count=380).verdict == Verdict.CLEAN
    grown = analyse_sitemap(current, baseline_count=40)
    assert grown.verdict == Verdict.SUSPICIOUS and grown.codes == ["sitemap.count_jump"]


def test_addresses_on_other_sites():
    xml = urlset("/", "/profil/") + urlset("/a/", host="https://elsewhere.invalid")
    verdict = analyse_sitemap(xml.replace("</urlset><?xml", "<?xml"), site_hosts=["diskominfo.contoh.go.id"])
    assert "sitemap.foreign_urls" in verdict.codes


def test_sitemap_index_lists_child_sitemaps_gzip_and_text_forms():
    index = ('<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>'
             'https://x.contoh.go.id/post-sitemap.xml</loc></sitemap></sitemapindex>')
    verdict = analyse_sitemap(index, baseline_count=0)
    assert verdict.sitemaps == ["https://x.contoh.go.id/post-sitemap.xml"] and verdict.verdict == Verdict.CLEAN
    assert analyse_sitemap(gzip.compress(page("sitemap_spam.xml"))).verdict == Verdict.JUDOL
    text = "https://x.contoh.go.id/\nhttps://x.contoh.go.id/?id=slot-gacor-hari-ini\nhttps://x.contoh.go.id/?id=situs-toto\n"
    assert analyse_sitemap(text).verdict == Verdict.JUDOL


def test_broken_sitemaps_do_not_raise():
    for broken in (b"", b"\x1f\x8bnot gzip", b"<urlset><url><loc>", "<loc>" * 10000, b"\x00\xff" * 1000):
        assert analyse_sitemap(broken).verdict == Verdict.CLEAN


def test_entities_in_addresses():
    xml = urlset("/?a=1&amp;p=slot-gacor-hari-ini", "/?a=2&amp;p=link-slot88")
    assert analyse_sitemap(xml).spam_urls[0].startswith("https://diskominfo.contoh.go.id/?a=")


@pytest.mark.parametrize("name,expected", [
    ("google0123456789abcdef.html", "google0123456789abcdef.html"),
    ("/var/www/html/googlea1b2c3d4e5f60718.html", "googlea1b2c3d4e5f60718.html"),
    ("https://x.go.id/google0123456789abcdef.html?x=1", "google0123456789abcdef.html"),
    ("yandex_0123456789abcdef.html", "yandex_0123456789abcdef.html"),
    ("BingSiteAuth.xml", "BingSiteAuth.xml"),
    ("google0123.html", None), ("mygoogle0123456789abcdef.html", None), ("googleXYZ3456789abcdef.html", None),
])
def test_verification_file_names(name, expected):
    assert verification_file(name) == expected


def test_planted_verification_file_is_suspicious_by_name_or_content():
    assert analyse("googlea1b2c3d4e5f60718.html").codes == ["verification.file"]
    renamed = analyse_page(page("googlea1b2c3d4e5f60718.html"), filename="index.html")
    assert renamed.verdict == Verdict.SUSPICIOUS
    fetched = analyse_page(b"", url="https://x.contoh.go.id/google0123456789abcdef.html")
    assert fetched.verdict == Verdict.SUSPICIOUS
