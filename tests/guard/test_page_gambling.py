"""Gambling spam on a page: where the words stand decides, and news about gambling is not spam."""

from __future__ import annotations

import json

import pytest

from jagaweb.guard.choices import Verdict
from jagaweb.guard.page import analyse_page
from tests.guard.page_fixtures import SITE, analyse, html


@pytest.mark.parametrize("name", [
    "clean_dinas_home.html", "clean_slot_waktu.html", "clean_news_arrest.html", "clean_awareness.html",
    "clean_news_defacement.html",
])
def test_ordinary_government_pages_are_clean(name):
    verdict = analyse(name)
    assert verdict.verdict == Verdict.CLEAN, verdict.to_dict()
    assert verdict.score < 20


@pytest.mark.parametrize("name,codes", [
    ("infected_footer_hidden.html", {"judol.hidden", "judol.links"}),
    ("infected_class_hidden.html", {"judol.hidden", "judol.links"}),
    ("infected_same_colour.html", {"judol.hidden", "judol.links"}),
    ("doorway_fancy.html", {"judol.title", "judol.text"}),
])
def test_injected_pages_are_judol(name, codes):
    verdict = analyse(name)
    assert verdict.verdict == Verdict.JUDOL
    assert codes <= set(verdict.codes), verdict.codes
    assert verdict.score >= 50


def test_the_same_page_before_and_after_the_footer_injection():
    assert analyse("clean_dinas_home.html").verdict == Verdict.CLEAN
    assert analyse("infected_footer_hidden.html").verdict == Verdict.JUDOL


def test_result_is_json_with_exactly_verdict_score_reasons():
    result = analyse("infected_footer_hidden.html").to_dict()
    assert list(result) == ["verdict", "score", "reasons"]
    assert json.loads(json.dumps(result)) == result
    hidden = next(reason for reason in result["reasons"] if reason["code"] == "judol.hidden")
    assert hidden["message"] and hidden["weight"] > 0
    assert "gacor-terbaru.invalid" in hidden["evidence"]


def test_doorway_title_in_fancy_letters_names_the_terms():
    fancy = ("\U0001d412\U0001d40b\U0001d40e\U0001d413 \U0001d406\U0001d400\U0001d402\U0001d40e\U0001d411 "
             "\u0455\u0456tu\u0455 \u0455l\u043et Ma\u200bxw\u0456n")
    verdict = analyse_page(html("<p>Halaman</p>", title=fancy), url=SITE)
    title = next(r for r in verdict.reasons if r.code == "judol.title")
    assert {"slot gacor", "situs slot", "maxwin"} <= set(title.evidence)


def test_news_context_quiets_body_text_but_not_hidden_links():
    article = ("<p>Polisi menangkap tersangka yang mempromosikan situs slot dengan bonus new member; barang bukti "
               "disita dan tersangka dijerat pidana.</p>")
    assert analyse_page(html(article), url=SITE).verdict == Verdict.CLEAN
    hidden = '<div style="display:none"><a href="https://hoki.invalid/">slot gacor</a></div>'
    assert analyse_page(html(article + hidden), url=SITE).verdict == Verdict.JUDOL


def test_many_promotion_terms_in_visible_text_without_news_context():
    spam = ("<p>Daftar slot gacor hari ini di situs slot terpercaya: rtp live, pola slot, bocoran slot, "
            "bonus new member, deposit pulsa, wd cepat, maxwin.</p>")
    assert analyse_page(html(spam), url=SITE).verdict == Verdict.JUDOL


def test_one_promotion_word_alone_is_not_an_alarm():
    verdict = analyse_page(html("<p>Komentar: ayo main di slot88 ya</p>"), url=SITE)
    assert verdict.verdict == Verdict.CLEAN
    assert "judol.text" in verdict.codes  # still shown, with a small weight


def test_visible_links_to_gambling_hosts():
    links = "".join(f'<a href="https://{name}.invalid/">partner {n}</a> '
                    for n, name in enumerate(["dewa-togel", "slot-raja88"]))
    verdict = analyse_page(html(f"<p>Mitra: {links}</p>"), url=SITE)
    assert verdict.verdict == Verdict.JUDOL
    assert set(next(r for r in verdict.reasons if r.code == "judol.links").evidence) == {
        "dewa-togel.invalid", "slot-raja88.invalid"}


def test_parasite_pages_under_the_site_itself():
    links = "".join(f'<a href="/?p={slug}">{n}</a> ' for n, slug in enumerate(
        ["slot-gacor-hari-ini", "link-slot88-resmi", "rtp-live-mahjong-ways", "togel-hari-ini"]))
    verdict = analyse_page(html(f"<p>{links}</p>"), url=SITE)
    assert "judol.slugs" in verdict.codes
    assert verdict.verdict in (Verdict.SUSPICIOUS, Verdict.JUDOL)


def test_news_slugs_on_the_site_itself_are_not_parasites():
    links = ('<a href="/berita/polisi-tangkap-admin-situs-slot-gacor/">Polisi tangkap admin</a> '
             '<a href="/berita/tersangka-bandar-togel-ditahan/">Tersangka ditahan</a>')
    assert "judol.slugs" not in analyse_page(html(f"<p>{links}</p>"), url=SITE).codes


def test_gambling_promotion_written_by_a_script():
    script = "<script>document.write('<a href=\"https://x.invalid/\">slot gacor maxwin</a>');</script>"
    verdict = analyse_page(html(script), url=SITE)
    assert "judol.script" in verdict.codes


def test_topic_words_in_the_title_of_a_page_that_is_not_news():
    verdict = analyse_page(html("<p>Situs judi online dan judi bola terbaik.</p>",
                                title="Situs Judi Online Terbaik"), url=SITE)
    assert "judol.title_topic" in verdict.codes
    assert verdict.verdict != Verdict.CLEAN


def test_a_hidden_tab_with_an_article_about_gambling_is_not_spam():
    tab = ('<div class="tab" style="display:none"><h3>Polisi Tangkap Bandar Judi Online</h3><p>Tersangka ditangkap '
           'dan barang bukti disita; polisi mengimbau warga melaporkan situs judi.</p></div>')
    verdict = analyse_page(html(tab), url=SITE)
    assert verdict.verdict == Verdict.CLEAN, verdict.to_dict()


def test_a_hidden_menu_with_ordinary_weak_words_is_not_spam():
    menu = ('<ul style="display:none"><li><a href="/antrian/">Slot Layanan</a></li><li><a href="/jaminan/">Deposit '
            'Jaminan</a></li><li><a href="/kasino/">Kasino Jaman Belanda (sejarah)</a></li></ul>')
    assert analyse_page(html(menu), url=SITE).verdict == Verdict.CLEAN


def test_english_casino_spam():
    spam = ('<div style="position:absolute;left:-5000px"><a href="https://luckyspin.invalid/">best online casino</a> '
            '<a href="https://reels.invalid/">no deposit bonus</a></div>')
    assert analyse_page(html(spam), url=SITE).verdict == Verdict.JUDOL


def test_structured_data_of_a_news_article_is_not_a_script():
    data = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Polisi Tangkap Admin Situs '
            'Slot Gacor", "articleBody": "bonus new member, rtp live, maxwin"}</script>')
    verdict = analyse_page(html(data), url=SITE)
    assert "judol.script" not in verdict.codes and verdict.verdict == Verdict.CLEAN
