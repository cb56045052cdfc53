"""Content freshness from sitemaps, feeds, the Last-Modified header and a CSS selector, on a local server;
and the date parser on the formats Indonesian government sites write."""

from __future__ import annotations

import gzip
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from jagaweb.activity.choices import Severity
from jagaweb.monitor.checks.base import Outcome
from jagaweb.monitor.checks.content_dates import sitemap_dates
from jagaweb.monitor.checks.dates import WIB, parse_date
from jagaweb.monitor.checks.freshness import FreshnessCheck
from jagaweb.monitor.choices import Status
from jagaweb.monitor.verbs import CONTENT_STALE
from tests.monitor.servers import WebServer, closed_port, run, spec_for

FRESH = FreshnessCheck()
FIXTURES = Path(__file__).parent.parent / "fixtures" / "monitor" / "freshness"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def web():
    with WebServer() as server:
        server.route("/", fixture("home.html"))
        yield server


def freshness(web, config=None, *, stale_after_days=14, target=None):
    spec = spec_for(FRESH, target or web.url("/"), config=config, stale_after_days=stale_after_days)
    return run(FRESH, spec, now=NOW)


XML = "application/xml"
RSS = "application/rss+xml"


# --- auto ---

def test_auto_takes_the_newer_of_sitemap_and_feed(web):
    web.route("/sitemap.xml", fixture("sitemap.xml"), content_type=XML)
    web.route("/feed/", fixture("feed_rss.xml"), content_type=RSS)
    outcome = freshness(web)
    assert outcome.status == Status.UP
    assert outcome.facts == {"content_date": "2026-11-21T10:00:00+07:00", "source": "sitemap",
                             "source_url": web.url("/sitemap.xml"), "age_days": 4}
    assert outcome.message == "Newest content 2026-11-21 (4 days ago), from the sitemap."
    assert "/comments/feed/" not in web.hits  # the comment feed says nothing about content


def test_auto_uses_the_linked_feed_when_there_is_no_sitemap(web):
    web.route("/feed/", fixture("feed_rss.xml"), content_type=RSS)
    outcome = freshness(web)
    # Item dates, not the channel's lastBuildDate (which this CMS sets to "now").
    assert outcome.facts["content_date"] == "2026-11-14T10:00:00+07:00"
    assert outcome.facts["source"] == "feed" and outcome.facts["age_days"] == 11
    assert outcome.status == Status.UP


def test_stale_content_is_degraded_with_one_notice_per_date(web):
    web.route("/feed/", fixture("feed_rss.xml"), content_type=RSS)
    outcome = freshness(web, stale_after_days=7)
    assert outcome.status == Status.DEGRADED
    assert outcome.message == ("No new content for 11 days (newest 2026-11-14, from the feed); "
                               "stale after 7 days.")
    spec = spec_for(FRESH, web.url("/"), stale_after_days=7)
    [notice] = FRESH.notices(spec, outcome)
    assert notice.key == "stale:2026-11-14"
    assert notice.verb == CONTENT_STALE == "monitor.content_stale"
    assert notice.severity == Severity.WARNING
    assert notice.data == {"site_name": "Portal Kominfo", "content_date": "2026-11-14", "age_days": 11,
                           "stale_after_days": 7, "source": "feed"}


def test_no_notice_unless_stale():
    spec = spec_for(FRESH, "https://portal.example.go.id/")
    up = Outcome(Status.UP, facts={"content_date": "2026-11-21T10:00:00+07:00", "age_days": 4})
    unknown = Outcome(Status.UNKNOWN, "No content date found")
    assert FRESH.notices(spec, up) == [] and FRESH.notices(spec, unknown) == []


def test_auto_falls_back_to_the_last_modified_header(web):
    web.route("/", fixture("home_nofeed.html"), headers={"Last-Modified": "Mon, 16 Nov 2026 03:00:00 GMT"})
    outcome = freshness(web)
    assert outcome.status == Status.UP
    assert outcome.facts["source"] == "header"
    assert outcome.facts["content_date"] == "2026-11-16T03:00:00+00:00"


def test_auto_with_nothing_to_read_is_unknown_with_the_reasons(web):
    web.route("/", fixture("home_nofeed.html"))
    outcome = freshness(web)
    assert outcome.status == Status.UNKNOWN
    assert outcome.message == (
        f"No content date found: {web.url('/sitemap.xml')}: HTTP 404; "
        f"{web.url('/')}: the page links no RSS or Atom feed; {web.url('/')}: no Last-Modified header"
    )


def test_site_unreachable_is_unknown_naming_the_error():
    port = closed_port()
    spec = spec_for(FRESH, f"http://127.0.0.1:{port}/")
    outcome = run(FRESH, spec, now=NOW)
    assert outcome.status == Status.UNKNOWN
    assert "Could not connect to 127.0.0.1" in outcome.message


def test_fetches_share_the_check_timeout(web):
    """The engine allows a run its timeout, not one per request: a slow sitemap leaves the feed no time,
    and the run ends within the timeout with both reasons."""
    web.route("/sitemap.xml", fixture("sitemap.xml"), content_type=XML, delay=3)
    web.route("/feed/", fixture("feed_rss.xml"), content_type=RSS)
    spec = spec_for(FRESH, web.url("/"), timeout=0.5)
    started = time.perf_counter()
    outcome = run(FRESH, spec, now=NOW)
    assert time.perf_counter() - started < 2
    assert outcome.status == Status.UNKNOWN
    assert f"{web.url('/sitemap.xml')}: 127.0.0.1 did not answer within" in outcome.message
    assert f"{web.url('/feed/')}: not fetched, the check's 0.5 s were used up" in outcome.message


def test_private_address_refused_unless_allowed(web):
    spec = spec_for(FRESH, web.url("/"), allow_private=False)
    outcome = run(FRESH, spec, now=NOW)
    assert outcome.status == Status.UNKNOWN and "Refused to connect to 127.0.0.1" in outcome.message
    assert web.hits == []


# --- sitemaps ---

def test_sitemap_index_with_dates(web):
    web.route("/sitemap.xml", fixture("sitemap_index.xml"), content_type=XML)
    outcome = freshness(web, {"source": "sitemap"})
    assert outcome.facts["content_date"] == "2026-11-18T09:00:00+07:00"
    assert web.hits == ["/sitemap.xml"]  # the index's own dates suffice


def test_sitemap_index_without_dates_reads_the_child_sitemaps(web):
    index = fixture("sitemap_index_nodates.xml").replace(b"PLACEHOLDER_BASE", web.url("").encode())
    web.route("/wp-sitemap.xml", index, content_type=XML)
    web.route("/wp-sitemap-posts-post-1.xml", fixture("sitemap_posts.xml"), content_type=XML)
    web.route("/wp-sitemap-posts-page-1.xml", fixture("sitemap_pages.xml"), content_type=XML)
    web.redirect("/sitemap.xml", "/wp-sitemap.xml", status=301)  # what WordPress does
    outcome = freshness(web, {"source": "sitemap"})
    assert outcome.status == Status.DEGRADED
    assert outcome.facts["content_date"] == "2026-10-02T10:00:00+07:00"
    assert outcome.facts["source_url"] == web.url("/wp-sitemap-posts-post-1.xml")


def test_gzipped_sitemap(web):
    web.route("/sitemap.xml.gz", gzip.compress(fixture("sitemap.xml")), content_type="application/gzip")
    outcome = freshness(web, {"source": "sitemap", "url": web.url("/sitemap.xml.gz")})
    assert outcome.facts["content_date"] == "2026-11-21T10:00:00+07:00"


@pytest.mark.parametrize(("body", "problem"), [
    (b"<!DOCTYPE html><html><body><h1>Halaman tidak ditemukan</h1></body></html>",
     "not a sitemap: it is an HTML page"),
    (b"Database error: too many connections", "not a sitemap: it starts with 'Database error: too many connections'"),
    (b"", "not a sitemap: it is empty"),
    (b"\x1f\x8b\x08\x00garbage", "it is a damaged gzip file"),
    (fixture("sitemap_bad_dates.xml"), "no readable date (for example '0000-00-00 00:00:00')"),
    (b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>x</loc></url>', "no dates in it"),
])
def test_malformed_sitemap_is_unknown(web, body, problem):
    web.route("/sitemap.xml", body, content_type=XML)
    outcome = freshness(web, {"source": "sitemap"})
    assert outcome.status == Status.UNKNOWN
    assert outcome.message == f"No content date found: {web.url('/sitemap.xml')}: {problem}"


def test_sitemap_entities_are_never_expanded(web):
    web.route("/sitemap.xml", fixture("sitemap_entities.xml"), content_type=XML)
    started = time.perf_counter()
    outcome = freshness(web, {"source": "sitemap"})
    assert time.perf_counter() - started < 5
    assert outcome.facts["content_date"] == "2026-11-19T00:00:00+07:00"


def test_future_dates_are_ignored(web):
    future = b"""<urlset><url><lastmod>2027-01-01</lastmod></url><url><lastmod>2026-11-26T10:00:00+07:00</lastmod></url>
                 <url><lastmod>2026-11-20</lastmod></url></urlset>"""
    web.route("/sitemap.xml", future, content_type=XML)
    outcome = freshness(web, {"source": "sitemap"})
    assert outcome.facts["content_date"] == "2026-11-26T10:00:00+07:00"  # within a day: a clock a bit ahead
    web.route("/sitemap.xml", b"<urlset><url><lastmod>2030-05-01</lastmod></url></urlset>", content_type=XML)
    outcome = freshness(web, {"source": "sitemap"})
    assert outcome.status == Status.UNKNOWN
    assert "only dates in the future (from 2030-05-01); is the CMS clock wrong?" in outcome.message


def test_large_sitemap_finds_the_newest_date(web):
    entries = [f"<url><loc>https://p.go.id/{i}</loc><lastmod>{(NOW - timedelta(hours=i)).isoformat()}</lastmod></url>"
               for i in range(20000, 30, -1)]
    web.route("/sitemap.xml", ("<urlset>" + "".join(entries) + "</urlset>").encode(), content_type=XML)
    outcome = freshness(web, {"source": "sitemap"})
    assert outcome.facts["content_date"] == (NOW - timedelta(hours=31)).isoformat()


def test_sitemap_with_namespace_prefixes_and_cdata():
    body = b"""<?xml version="1.0"?><sm:urlset xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sm:url><sm:loc>https://p.go.id/a</sm:loc>
        <sm:lastmod><![CDATA[ 2026-11-22T08:00:00+07:00 ]]></sm:lastmod></sm:url>
      <sm:url><sm:loc>https://p.go.id/b</sm:loc><sm:lastmod>
          2026-11-01
      </sm:lastmod></sm:url></sm:urlset>"""
    dates = sitemap_dates(body, default_tz=WIB)
    assert sorted(dates.found) == [datetime(2026, 11, 1, tzinfo=WIB), datetime(2026, 11, 22, 8, 0, tzinfo=WIB)]
    assert dates.unreadable == []


# --- feeds ---

def test_atom_feed_uses_entry_dates(web):
    web.route("/atom.xml", fixture("feed_atom.xml"), content_type="application/atom+xml")
    outcome = freshness(web, {"source": "feed", "url": web.url("/atom.xml")})
    assert outcome.facts["content_date"] == "2026-10-02T07:00:00+07:00"
    assert outcome.status == Status.DEGRADED


def test_feed_with_broken_dates_is_unknown(web):
    web.route("/feed/", fixture("feed_broken_dates.xml"), content_type=RSS)
    outcome = freshness(web, {"source": "feed"})
    assert outcome.status == Status.UNKNOWN
    assert outcome.message == (f"No content date found: {web.url('/feed/')}: "
                               "no readable date (for example 'Segera hadir')")


def test_feed_with_some_broken_dates_uses_the_readable_ones(web):
    web.route("/feed/", fixture("feed_partly_broken.xml"), content_type=RSS)
    outcome = freshness(web, {"source": "feed"})
    assert outcome.status == Status.UP
    assert outcome.facts["content_date"] == "2026-11-20T14:00:00+07:00"


def test_feed_that_is_not_a_feed(web):
    web.route("/feed/", b"<html><body>Login</body></html>", content_type="text/html")
    outcome = freshness(web, {"source": "feed"})
    assert outcome.message == f"No content date found: {web.url('/feed/')}: not an RSS or Atom feed: it is an HTML page"


# --- header and selector ---

def test_header_source(web):
    web.route("/berita", "<p>berita</p>", headers={"Last-Modified": "Tue, 10 Nov 2026 01:00:00 GMT"})
    outcome = freshness(web, {"source": "header", "url": web.url("/berita")})
    assert outcome.facts["source"] == "header" and outcome.facts["age_days"] == 15
    assert outcome.status == Status.DEGRADED


def test_selector_takes_the_newest_matching_date(web):
    outcome = freshness(web, {"source": "selector", "selector": ".berita-terbaru .tanggal"}, stale_after_days=30)
    assert outcome.status == Status.UP
    assert outcome.facts["content_date"] == "2026-11-09T09:00:00+07:00"  # from <time datetime>
    assert outcome.facts["source"] == "selector"
    assert outcome.message.endswith("from the selected page element.")


def test_selector_matching_nothing_or_no_date(web):
    nothing = freshness(web, {"source": "selector", "selector": ".tidak-ada"})
    assert nothing.status == Status.UNKNOWN
    assert nothing.message.endswith("the selector '.tidak-ada' matches nothing on the page")
    web.route("/desa", fixture("home_nofeed.html"))
    unreadable = freshness(web, {"source": "selector", "selector": "p.tanggal", "url": web.url("/desa")})
    assert unreadable.status == Status.UNKNOWN
    assert unreadable.message.endswith("no readable date (for example 'Tanggal tidak diketahui')")


# --- options ---

def test_clean_config():
    assert FRESH.clean_config({}) == {"source": "auto", "url": ""}
    assert FRESH.clean_config({"source": "selector", "selector": " .tanggal "}) == {
        "source": "selector", "url": "", "selector": ".tanggal"}


@pytest.mark.parametrize(("config", "message"), [
    ({"source": "rss"}, "The source must be one of auto, sitemap, feed, header, selector."),
    ({"source": "selector"}, "Give the CSS selector of the latest news date."),
    ({"source": "selector", "selector": "p[[["}, "'p[[[' is not a CSS selector JagaWeb can read."),
    ({"url": "portal.go.id/sitemap.xml"}, "The URL must be a full http:// or https:// address."),
    ({"every": 5}, "Unknown option: every."),
    ({"url": "https://portal.go.id/feed/"}, "Choose a source to give a URL; auto finds its own addresses."),
])
def test_clean_config_rejects(config, message):
    with pytest.raises(ValidationError) as caught:
        FRESH.clean_config(config)
    assert message in caught.value.messages


# --- the date parser ---

JAKARTA = timezone(timedelta(hours=7))


@pytest.mark.parametrize(("text", "expected"), [
    ("21 November 2026", datetime(2026, 11, 21, tzinfo=WIB)),
    ("Sabtu, 21 Nov 2026 10:00 WIB", datetime(2026, 11, 21, 10, 0, tzinfo=JAKARTA)),
    ("21/11/2026", datetime(2026, 11, 21, tzinfo=WIB)),
    ("2026-11-21T10:00:00+07:00", datetime(2026, 11, 21, 10, 0, tzinfo=JAKARTA)),
    ("2026-11-21T03:00:00.123Z", datetime(2026, 11, 21, 3, 0, tzinfo=UTC)),
    ("2026-11-21", datetime(2026, 11, 21, tzinfo=WIB)),
    ("2026/11/21 08:30", datetime(2026, 11, 21, 8, 30, tzinfo=WIB)),
    ("Sat, 21 Nov 2026 10:00:00 +0700", datetime(2026, 11, 21, 10, 0, tzinfo=JAKARTA)),
    ("Sat, 21 Nov 2026 03:00:00 GMT", datetime(2026, 11, 21, 3, 0, tzinfo=UTC)),
    ("Sat, 21 Nov 2026 03:00:00 EST", datetime(2026, 11, 21, 8, 0, tzinfo=UTC)),
    ("Senin, 17 Agustus 2026", datetime(2026, 8, 17, tzinfo=WIB)),
    ("17 Agu 2026", datetime(2026, 8, 17, tzinfo=WIB)),
    ("1 Okt 2026", datetime(2026, 10, 1, tzinfo=WIB)),
    ("25 Des 2026", datetime(2026, 12, 25, tzinfo=WIB)),
    ("2 Mei 2026", datetime(2026, 5, 2, tzinfo=WIB)),
    ("10 Pebruari 2026", datetime(2026, 2, 10, tzinfo=WIB)),
    ("21 Nopember 2026", datetime(2026, 11, 21, tzinfo=WIB)),
    ("3 Januari 2026 pukul 10.30 WIB", datetime(2026, 1, 3, 10, 30, tzinfo=JAKARTA)),
    ("Selasa, 21 Juli 2026 | 09:15 WITA", datetime(2026, 7, 21, 9, 15, tzinfo=timezone(timedelta(hours=8)))),
    ("Rabu, 03 Des 2026 - 14:05 WIT", datetime(2026, 12, 3, 14, 5, tzinfo=timezone(timedelta(hours=9)))),
    ("Diposting pada Jumat, 20 Maret 2026", datetime(2026, 3, 20, tzinfo=WIB)),
    ("November 21, 2026", datetime(2026, 11, 21, tzinfo=WIB)),
    ("Nov 21st, 2026 3:15 PM", datetime(2026, 11, 21, 15, 15, tzinfo=WIB)),
    ("12:00 am, March 3, 2026", datetime(2026, 3, 3, 0, 0, tzinfo=WIB)),
    ("21-Nov-2026", datetime(2026, 11, 21, tzinfo=WIB)),
    ("21.11.2026 10.30", datetime(2026, 11, 21, 10, 30, tzinfo=WIB)),
    ("21-11-26", datetime(2026, 11, 21, tzinfo=WIB)),
    ("11/21/2026", datetime(2026, 11, 21, tzinfo=WIB)),  # only the month-first reading is a date
    ("31 Februari 2026, diperbarui 1 Maret 2026", datetime(2026, 3, 1, tzinfo=WIB)),
])
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("3 hari yang lalu", NOW - timedelta(days=3)),
    ("5 jam lalu", NOW - timedelta(hours=5)),
    ("sehari yang lalu", NOW - timedelta(days=1)),
    ("kemarin", NOW - timedelta(days=1)),
    ("2 weeks ago", NOW - timedelta(weeks=2)),
    ("an hour ago", NOW - timedelta(hours=1)),
    ("hari ini", NOW),
])
def test_parse_relative_dates_only_with_now(text, expected):
    assert parse_date(text, now=NOW) == expected
    assert parse_date(text) is None


@pytest.mark.parametrize("text", ["", "Segera hadir", "32/13/2026", "0000-00-00 00:00:00", "2026", "Versi 1.2.3",
                                  "Telp. 0274-123-456", "45 Desember 2026", "2026-11-21T25:00:00"])
def test_parse_date_rejects_non_dates(text):
    assert parse_date(text) is None


def test_parse_date_default_zone():
    assert parse_date("21 November 2026 10:00", default_tz=UTC) == datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
