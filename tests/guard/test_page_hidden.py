"""Hidden blocks: every way of hiding the guard knows, and the ordinary hidden things it must ignore."""

from __future__ import annotations

import pytest

from jagaweb.guard.choices import Verdict
from jagaweb.guard.page import analyse_page
from jagaweb.guard.page.document import parse
from tests.guard.page_fixtures import SITE, analyse, html

SPAM = '<a href="https://hoki88.invalid/">slot gacor</a> <a href="https://dewa-toto.invalid/">situs toto</a>'


@pytest.mark.parametrize("opening,how", [
    ('<div style="display:none">', "display"),
    ('<div style="DISPLAY : None !important">', "display"),
    ('<div style="visibility:hidden">', "visibility"),
    ('<div style="position:absolute; left:-9999px">', "offscreen"),
    ('<div style="text-indent:-5000px">', "offscreen"),
    ('<div style="height:0;overflow:hidden">', "zero-size"),
    ('<div style="width:1px; height:1px; overflow:hidden">', "zero-size"),
    ('<div style="font-size:0">', "font-size"),
    ('<div style="font-size:0.5px">', "font-size"),
    ('<div style="opacity:0">', "opacity"),
    ('<div style="color:transparent">', "transparent"),
    ('<div style="clip:rect(0 0 0 0);position:absolute">', "clip"),
    ('<div hidden>', "attribute"),
])
def test_each_way_of_hiding_gambling_links(opening, how):
    page = parse(html(f"{opening}{SPAM}</div>"), url=SITE)
    assert [block.how for block in page.hidden] == [how]
    verdict = analyse_page(html(f"{opening}{SPAM}</div>"), url=SITE)
    assert verdict.verdict == Verdict.JUDOL and "judol.hidden" in verdict.codes


@pytest.mark.parametrize("style,body_attrs,opening", [
    ("", "", '<p style="color:#ffffff">'),  # white on the browser's white
    ("", "", '<p style="color:white;background:white">'),
    ("", 'style="background-color:#000"', '<p style="color:#000000">'),  # black on a black page
    ("", 'bgcolor="#003366"', '<p><font color="#036">'),
    ("body{background:#fafafa}", "", '<p style="color:rgb(250,250,250)">'),
    ("", "", '<div style="background:#123456"><span><p style="color:#123456">'),  # an ancestor's background
])
def test_same_colour_as_the_background(style, body_attrs, opening):
    page = f"<html><head><style>{style}</style></head><body {body_attrs}><nav><a href='/'>a</a></nav>{opening}{SPAM}"
    verdict = analyse_page(page, url=SITE)
    assert "judol.hidden" in verdict.codes, verdict.to_dict()


def test_a_class_hidden_in_the_pages_own_style_block():
    head = "<style>.partner-links{position:absolute;left:-10000px}</style>"
    verdict = analyse_page(html(f'<div class="partner-links">{SPAM}</div>', head=head), url=SITE)
    assert "judol.hidden" in verdict.codes
    assert "style-class:offscreen" in next(r for r in verdict.reasons if r.code == "judol.hidden").message


def test_hiding_only_on_small_screens_is_not_hiding():
    head = "<style>@media (max-width:600px){.wide{display:none}}</style>"
    page = parse(html(f'<div class="wide">{SPAM}</div>', head=head), url=SITE)
    assert page.hidden == []


def test_hover_menus_and_unparseable_selectors_do_not_break_anything():
    head = "<style>.m li:hover>ul{display:none} .x[{display:none} #a::before{display:none}</style>"
    verdict = analyse_page(html('<ul class="m"><li><a href="/a">A</a></li></ul>', head=head), url=SITE)
    assert verdict.verdict == Verdict.CLEAN


def test_ordinary_hidden_things_are_clean():
    assert analyse("clean_dinas_home.html").verdict == Verdict.CLEAN  # sub-menus, skip link, social icons, GTM
    social = ('<ul style="display:none"><li><a href="https://www.facebook.com/x">f</a></li>'
              '<li><a href="https://instagram.com/x">i</a></li><li><a href="https://dinkes.contoh.go.id/">d</a></li></ul>')
    assert analyse_page(html(social), url=SITE).verdict == Verdict.CLEAN


def test_a_hidden_link_farm_without_gambling_words_is_suspicious():
    verdict = analyse("hidden_link_farm.html")
    assert verdict.verdict == Verdict.SUSPICIOUS
    assert "hidden.links" in verdict.codes
    assert verdict.summary is not None and verdict.summary.hidden_links == 5


def test_links_in_nested_hidden_blocks_count_once():
    page = parse(html(f'<div style="display:none"><p style="visibility:hidden">{SPAM}</p></div>'), url=SITE)
    assert sorted(link for block in page.hidden for link in block.links) == [
        ("https://dewa-toto.invalid/", "situs toto"), ("https://hoki88.invalid/", "slot gacor")]


def test_a_hidden_anchor_itself():
    page = parse(html('<a style="display:none" href="https://hoki88.invalid/">slot gacor</a>'), url=SITE)
    assert page.hidden[0].links == [("https://hoki88.invalid/", "slot gacor")]


def test_hidden_iframe_to_another_site():
    frame = '<iframe src="https://tracker.invalid/x" width="1" height="1" frameborder="0"></iframe>'
    verdict = analyse_page(html(frame), url=SITE)
    assert "frame.hidden" in verdict.codes and verdict.verdict == Verdict.SUSPICIOUS
