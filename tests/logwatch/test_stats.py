"""Visitor statistics of tests/fixtures/logwatch/stats.log, worked out by hand (see the comments)."""

from datetime import date

import polars as pl

from jagaweb.logwatch.stats import VisitorStats
from tests.logwatch.helpers import FIXTURES, parse_file

# stats.log, 9 lines, times in +0700 unless said:
#  1 36.1.1.1 12 Nov 23:59:58 GET /                    200 1000 google.com      Chrome/Windows
#  2 36.1.1.1 12 Nov 23:59:59 GET /assets/style.css?v=2 200  500 portal (self)   Chrome/Windows
#  3 36.1.1.1 13 Nov 00:00:01 GET /berita/banjir       200 2000 portal (self)   Chrome/Windows
#  4 36.1.1.1 13 Nov 00:10:00 GET /berita/banjir       304    - -               Safari/iOS
#  5 66.249.66.1 13 Nov 01:00 GET /robots.txt          200   68 -               Googlebot
#  6 114.5.5.5 13 Nov 01:30:00 GET /tidak-ada          404  150 m.facebook.com  Chrome/Android
#  7 114.5.5.5 13 Nov 01:30:05 POST /kontak            302    0 portal (self)   Chrome/Android
#  8 not a log line
#  9 10.0.0.9 12 Nov 17:00:00 +0000 (13 Nov 00:00 in Jakarta) GET /index.php?id=5 500 10, no agent


def report(time_zone="Asia/Jakarta", batch_bytes=1 << 20):
    stats = VisitorStats(time_zone)
    stats.feed(parse_file(FIXTURES / "stats.log", "combined", batch_bytes=batch_bytes).frame)
    return stats.report()


def test_daily_figures():
    daily = report().daily.to_dicts()
    assert daily == [
        # one visitor (36.1.1.1 with Chrome); "/" is a page, the style sheet is not
        {"date": date(2026, 11, 12), "requests": 2, "visitors": 1, "pages": 1, "bandwidth": 1500, "not_found": 0,
         "crawler_requests": 0},
        # 36.1.1.1 again (a new day) and with Safari (another agent), Googlebot, 114.5.5.5, 10.0.0.9 without agent;
        # pages: /berita/banjir twice, /tidak-ada, /kontak, /index.php (robots.txt is a static file)
        {"date": date(2026, 11, 13), "requests": 6, "visitors": 5, "pages": 5, "bandwidth": 2228, "not_found": 1,
         "crawler_requests": 1},
    ]


def test_totals():
    assert report().totals() == {
        "requests": 8, "visitors": 6, "pages": 6, "bandwidth": 3728, "not_found": 1, "crawler_requests": 1,
        "clients": 4, "distinct_paths": 7, "referring_sites": 3, "user_agents": 4,
    }


def test_hourly_pattern():
    hourly = report().hourly.select("date", "hour", "requests", "visitors", "bandwidth").to_dicts()
    assert hourly == [
        {"date": date(2026, 11, 12), "hour": 23, "requests": 2, "visitors": 1, "bandwidth": 1500},
        {"date": date(2026, 11, 13), "hour": 0, "requests": 3, "visitors": 3, "bandwidth": 2010},
        {"date": date(2026, 11, 13), "hour": 1, "requests": 3, "visitors": 2, "bandwidth": 218},
    ]


def test_days_follow_the_time_zone():
    """In UTC every line falls on 12 November (16:59:58 to 18:30:05)."""
    daily = report("UTC").daily.to_dicts()
    assert [(day["date"], day["requests"], day["visitors"]) for day in daily] == [(date(2026, 11, 12), 8, 5)]


def test_panels():
    panels = report().as_dict(top=3)
    top = panels["top"]
    assert top["paths"] == [{"path": "/berita/banjir", "requests": 2, "bandwidth": 2000},
                            {"path": "/", "requests": 1, "bandwidth": 1000},
                            {"path": "/index.php", "requests": 1, "bandwidth": 10}]
    assert top["static_files"] == [{"path": "/assets/style.css", "requests": 1, "bandwidth": 500},
                                   {"path": "/robots.txt", "requests": 1, "bandwidth": 68}]
    assert top["not_found"] == [{"path": "/tidak-ada", "requests": 1}]
    assert top["clients"][0] == {"ip": "36.1.1.1", "requests": 4, "bandwidth": 3500}
    assert top["referring_sites"] == [{"site": "portal.example.go.id", "requests": 3},
                                      {"site": "m.facebook.com", "requests": 1},
                                      {"site": "www.google.com", "requests": 1}]
    assert top["browsers"] == [{"browser": "Chrome", "requests": 5}, {"browser": "(none)", "requests": 1},
                               {"browser": "Crawler", "requests": 1}]
    assert top["systems"] == [{"system": "Windows", "requests": 3}, {"system": "Android", "requests": 2},
                              {"system": "(none)", "requests": 1}]
    assert top["crawlers"] == [{"crawler": "Googlebot", "requests": 1}]
    assert top["statuses"] == [{"status": 200, "requests": 4}, {"status": 302, "requests": 1},
                               {"status": 304, "requests": 1}]
    assert top["vhosts"] == []
    hours = {hour["hour"]: hour["requests"] for hour in panels["hours"]}
    assert len(hours) == 24 and hours[0] == 3 and hours[1] == 3 and hours[23] == 2 and sum(hours.values()) == 8


def test_batches_and_folding_give_the_same_figures():
    """Tiny batches (one line each) are folded together; the figures must not change."""
    assert report(batch_bytes=1).as_dict() == report().as_dict()


def test_safari_and_system_on_the_iphone_line():
    agents = report().agents.filter(pl.col("agent").str.contains("iPhone"))
    assert agents.select("browser", "system", "crawler").row(0) == ("Safari", "iOS", None)


def test_empty_report():
    empty = VisitorStats().report()
    assert empty.totals()["requests"] == 0
    assert empty.as_dict()["daily"] == []


def test_hours_across_a_daylight_saving_change(tmp_path):
    """Amsterdam moved from +01:00 to +02:00 at 01:00 UTC on 29 March 2026."""
    log = tmp_path / "access.log"
    log.write_text(
        '1.1.1.1 - - [29/Mar/2026:00:30:00 +0000] "GET / HTTP/1.1" 200 1 "-" "a"\n'
        '1.1.1.1 - - [29/Mar/2026:01:30:00 +0000] "GET / HTTP/1.1" 200 1 "-" "a"\n')
    stats = VisitorStats("Europe/Amsterdam")
    stats.feed(parse_file(log, "combined").frame)
    assert stats.report().hourly.select("hour", "requests").rows() == [(1, 1), (3, 1)]
    fixed = VisitorStats("Asia/Jakarta")
    fixed.feed(parse_file(log, "combined").frame)
    assert fixed.report().hourly.select("hour", "requests").rows() == [(7, 1), (8, 1)]
