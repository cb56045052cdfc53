"""The demo site server's subset of mod_rewrite: the rules cloaking attackers write, followed as Apache does,
and everything else ignored without harm."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jagaweb.demo.rewrite import MAX_RULES, Outcome, Request, RulesFile, parse, read_rules
from tests.demo.attack_world import BROWSER, GOOGLEBOT

GOOGLE = "https://www.google.co.id/"


def apply(htaccess: str, path: str = "/", query: str = "", **headers: str) -> tuple[str, str, int]:
    named = {name.replace("_", "-"): value for name, value in headers.items()}
    result = parse(htaccess).apply(Request(path, query, named))
    return str(result.outcome), result.path or result.location, result.status


def rules(*lines: str) -> str:
    return "\n".join(["RewriteEngine On", *lines])


def test_nothing_happens_without_the_engine_switched_on() -> None:
    body = "RewriteRule ^$ doorway.html [L]"
    assert apply(body)[0] == Outcome.UNCHANGED
    assert apply("RewriteEngine On\nRewriteEngine Off\n" + body)[0] == Outcome.UNCHANGED
    assert apply(rules(body)) == ("rewrite", "/doorway.html", 0)


def test_a_user_agent_condition_rewrites_in_place_and_nc_ignores_case() -> None:
    plain = rules("RewriteCond %{HTTP_USER_AGENT} Googlebot", "RewriteRule ^$ /promo/ [L]")
    nocase = plain.replace("Googlebot", "googlebot [NC]")
    assert apply(plain, User_Agent=GOOGLEBOT) == ("rewrite", "/promo/", 0)
    assert apply(plain.replace("Googlebot", "googlebot"), User_Agent=GOOGLEBOT)[0] == Outcome.UNCHANGED
    assert apply(nocase, User_Agent=GOOGLEBOT) == ("rewrite", "/promo/", 0)
    assert apply(nocase, User_Agent=BROWSER)[0] == Outcome.UNCHANGED
    assert apply(nocase, "/profil.html", User_Agent=GOOGLEBOT)[0] == Outcome.UNCHANGED  # the rule's own pattern


def test_conditions_must_all_hold_unless_joined_by_or() -> None:
    both = rules("RewriteCond %{HTTP_REFERER} google\\. [NC]", "RewriteCond %{HTTP_ACCEPT_LANGUAGE} ^id [NC]",
                 "RewriteRule ^$ /promo.html [L]")
    assert apply(both, Referer=GOOGLE, Accept_Language="id-ID,id;q=0.9")[0] == Outcome.REWRITE
    assert apply(both, Referer=GOOGLE, Accept_Language="en-US")[0] == Outcome.UNCHANGED
    either = both.replace("google\\. [NC]", "google\\. [NC,OR]")
    assert apply(either, Referer=GOOGLE, Accept_Language="en-US")[0] == Outcome.REWRITE
    assert apply(either, Accept_Language="id")[0] == Outcome.REWRITE
    assert apply(either, Referer="https://duckduckgo.com/", Accept_Language="en")[0] == Outcome.UNCHANGED


def test_an_or_chain_that_holds_still_needs_the_conditions_after_it() -> None:
    chained = rules("RewriteCond %{HTTP_USER_AGENT} bingbot [NC,OR]", "RewriteCond %{HTTP_USER_AGENT} googlebot [NC]",
                    "RewriteCond %{QUERY_STRING} ^$", "RewriteRule ^$ /promo.html [L]")
    assert apply(chained, User_Agent=GOOGLEBOT)[0] == Outcome.REWRITE
    assert apply(chained, User_Agent="bingbot/2.0")[0] == Outcome.REWRITE
    assert apply(chained, query="p=1", User_Agent=GOOGLEBOT)[0] == Outcome.UNCHANGED


def test_negated_conditions_and_patterns() -> None:
    not_a_bot = rules("RewriteCond %{HTTP_USER_AGENT} !bot [NC]", "RewriteRule !^assets/ /maintenance.html [L]")
    assert apply(not_a_bot, "/profil.html", User_Agent=BROWSER) == ("rewrite", "/maintenance.html", 0)
    assert apply(not_a_bot, "/assets/css/style.css", User_Agent=BROWSER)[0] == Outcome.UNCHANGED
    assert apply(not_a_bot, "/profil.html", User_Agent=GOOGLEBOT)[0] == Outcome.UNCHANGED


def test_l_stops_and_without_it_the_next_rules_see_the_new_path() -> None:
    chain = rules("RewriteRule ^old/(.*)$ new/$1", "RewriteRule ^new/(.*)$ newest/$1 [L]", "RewriteRule . /never")
    assert apply(chain, "/old/page.html") == ("rewrite", "/newest/page.html", 0)
    stopped = chain.replace("new/$1\n", "new/$1 [L]\n")
    assert apply(stopped, "/old/page.html") == ("rewrite", "/new/page.html", 0)
    assert apply(rules("RewriteRule ^index\\.php$ - [L]", "RewriteRule . /never"), "/index.php")[0] == "unchanged"


def test_redirects_with_status_and_back_references() -> None:
    body = rules("RewriteCond %{HTTP_REFERER} ^https?://(www\\.)?(google)\\. [NC]",
                 "RewriteRule ^berita/(.*)$ https://gacor.example/%2?dari=$1 [R=301,L]")
    assert apply(body, "/berita/satu.html", Referer=GOOGLE) == (
        "redirect", "https://gacor.example/google?dari=satu.html", 301)
    absolute = rules("RewriteRule ^a$ https://gacor.example/ [L]")
    assert apply(absolute, "/a") == ("redirect", "https://gacor.example/", 302)
    assert apply(rules("RewriteRule ^a$ /b [R]"), "/a") == ("redirect", "/b", 302)
    assert apply(rules("RewriteRule ^a$ /b [R=307]"), "/a") == ("redirect", "/b", 307)


def test_rewrite_base_prefixes_relative_targets() -> None:
    assert apply(rules("RewriteBase /situs/", "RewriteRule ^$ promo.html"), "/") == ("rewrite", "/situs/promo.html", 0)
    assert apply(rules("RewriteRule ^$ promo.html?x=1 [QSA,L]"), "/") == ("rewrite", "/promo.html", 0)


def test_forbidden_and_gone() -> None:
    assert apply(rules("RewriteCond %{HTTP_USER_AGENT} ahrefs [NC]", "RewriteRule .* - [F]"),
                 "/x", User_Agent="AhrefsBot")[0] == Outcome.FORBIDDEN
    assert apply(rules("RewriteRule ^lama\\.html$ - [G]"), "/lama.html")[0] == Outcome.GONE


def test_rules_inside_ifmodule_mod_rewrite_apply_and_other_containers_are_skipped() -> None:
    body = """
    # BEGIN WordPress
    <IfModule mod_rewrite.c>
    RewriteEngine On
    RewriteRule ^$ /promo.html [L]
    </IfModule>
    <IfModule !mod_rewrite.c>
    RewriteRule ^$ /never.html [L]
    </IfModule>
    """
    assert apply(body) == ("rewrite", "/promo.html", 0)
    skipped = rules("<FilesMatch \"\\.php$\">", "RewriteRule ^$ /never.html [L]", "</FilesMatch>",
                    "RewriteRule ^$ /promo.html [L]")
    assert apply(skipped) == ("rewrite", "/promo.html", 0)


def test_what_the_subset_does_not_understand_is_ignored() -> None:
    body = rules(
        "Options -Indexes", "AddHandler application/x-httpd-php .jpg", "ErrorDocument 404 /404.html",
        "RewriteCond %{REQUEST_FILENAME} !-f", "RewriteRule ^(.*)$ /never-a.html [L]",  # a file test
        "RewriteCond %{TIME_HOUR} ^2", "RewriteRule ^$ /never-b.html [L]",  # an unknown variable
        "RewriteRule ^$ http://proxy.example/ [P]",  # proxying
        "RewriteRule ^$ /never-c.html [L, NC]",  # flags Apache itself cannot read
        "RewriteRule ^($ /never-d.html [L]",  # a regex that does not compile
        "RewriteRule ^$ /never-e.html [R=200]",  # not a redirect status
        "RewriteMap gacor txt:/etc/passwd", "RewriteCond", "RewriteRule", "RewriteBase relative/",
        "RewriteRule ^$ /promo.html [L]",
    )
    assert apply(body, User_Agent=GOOGLEBOT) == ("rewrite", "/promo.html", 0)


def test_a_back_reference_cannot_split_the_redirect_header() -> None:
    body = rules("RewriteCond %{HTTP_USER_AGENT} ^(.*)$", "RewriteRule ^$ /x?ua=%1 [R=302,L]",
                 "RewriteRule ^$ /safe.html [L]")
    assert apply(body, User_Agent="a\r\nSet-Cookie: x=1") == ("rewrite", "/safe.html", 0)
    assert apply(body, User_Agent="plain") == ("redirect", "/x?ua=plain", 302)


@pytest.mark.parametrize("hostile", [
    "\x00\x01\x02RewriteEngine On\x00\nRewriteRule \x00 /x",
    "<IfModule mod_rewrite.c>\n" * 100 + "RewriteEngine On\nRewriteRule ^$ /deep.html",
    "<>\n</>\n<<<\n>>>\nRewriteEngine On\nRewriteRule ^$ \"/with space.html\" [L]",
    "RewriteEngine On\nRewriteRule \"^$ /unclosed.html [L]\n" + "\\\n" * 50,
    "RewriteEngine On\n" + "RewriteCond %{HTTP_USER_AGENT} (a|b) [NC,OR]\n" * 5000 + "RewriteRule ^$ /x [L]",
    "RewriteEngine On\nRewriteRule " + "(" * 5000 + " /x",
    "\ufeffRewriteEngine On\nRewriteRule ^$ /bom.html",
])
def test_hostile_files_do_not_break_the_parser(hostile: str) -> None:
    parsed = parse(hostile)
    for user_agent in ("", GOOGLEBOT, "x" * 100_000):
        parsed.apply(Request("/", "", {"User-Agent": user_agent}))


def test_a_file_of_many_rules_is_bounded() -> None:
    parsed = parse(rules(*[f"RewriteRule ^p{n}$ /q{n} [L]" for n in range(MAX_RULES * 3)]))
    assert len(parsed.rules) <= MAX_RULES


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("RewriteCondRule %{}HTTP_USER_AGENT[]NC,OR!^$.*()/\\\"<> \n#-"))),
       st.text(max_size=40))
def test_any_text_parses_and_applies_without_raising(text: str, user_agent: str) -> None:
    parse("RewriteEngine On\n" + text).apply(Request("/berita/", "", {"User-Agent": user_agent}))


def test_the_rules_file_is_read_again_when_it_changes(tmp_path: Path) -> None:
    htaccess = tmp_path / ".htaccess"
    watched = RulesFile(htaccess)
    assert not watched.current().enabled
    htaccess.write_text(rules("RewriteRule ^$ /a.html [L]"))
    assert watched.current().apply(Request("/")).path == "/a.html"
    htaccess.write_text(rules("RewriteRule ^$ /bb.html [L]"))
    assert watched.current().apply(Request("/")).path == "/bb.html"
    htaccess.unlink()
    assert watched.current().apply(Request("/")).outcome == Outcome.UNCHANGED


def test_a_named_pipe_or_folder_is_not_read(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    assert read_rules(pipe).rules == ()  # opening it for reading would block
    assert read_rules(tmp_path).rules == ()
