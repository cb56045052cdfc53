"""Daily visitor figures merged run after run: exact unique visitors and clients, the local day, top lists,
and what happens once a day's visitor keys are pruned."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from jagaweb.logwatch.daily import TOP_KEPT, csv_rows, merge_top, prune_visitor_keys, stable_key, status_classes
from jagaweb.logwatch.ingest import ingest_site
from jagaweb.logwatch.jobs import retention
from jagaweb.logwatch.models import DailyVisitors, VisitorKey
from tests.logwatch.test_ingest_support import BROWSER, PHONE, append, combined, logged_site, text

pytestmark = pytest.mark.django_db
# 16:59:50 UTC is 23:59:50 in Jakarta; ten seconds later it is the next day there
EVENING = datetime(2026, 11, 12, 16, 59, 50, tzinfo=UTC)


def test_unique_visitors_stay_exact_across_runs(tmp_path, org_a, settings):
    settings.TIME_ZONE = "Asia/Jakarta"
    log = tmp_path / "access.log"
    when = EVENING - timedelta(hours=2)
    log.write_text(text([combined("36.80.1.1", when, "/"), combined("36.80.1.1", when, "/profil", agent=PHONE),
                         combined("36.80.1.2", when, "/")]))
    site = logged_site(org_a, [log])
    ingest_site(site)
    day = DailyVisitors.objects.get(site=site)
    assert (day.date, day.requests, day.visitors, day.clients) == (date(2026, 11, 12), 3, 3, 2)
    # the same visitors come back in the next run, and one new one
    append(log, text([combined("36.80.1.1", when, "/berita"), combined("36.80.1.2", when, "/berita"),
                      combined("36.80.1.3", when, "/", agent=BROWSER)]))
    ingest_site(site)
    day.refresh_from_db()
    assert (day.requests, day.visitors, day.clients, day.exact) == (6, 4, 3, True)
    assert VisitorKey.objects.filter(site=site, date=day.date, kind="visitor").count() == 4


def test_days_are_the_institutions(tmp_path, org_a, settings):
    settings.TIME_ZONE = "Asia/Jakarta"
    log = tmp_path / "access.log"
    log.write_text(text([combined("36.80.1.1", EVENING, "/"), combined("36.80.1.1", EVENING + timedelta(seconds=20),
                                                                      "/", status=404), "not a request"]))
    site = logged_site(org_a, [log])
    ingest_site(site)
    days = {day.date: day for day in DailyVisitors.objects.filter(site=site)}
    assert set(days) == {date(2026, 11, 12), date(2026, 11, 13)}
    assert days[date(2026, 11, 12)].hours[23] == 1 and days[date(2026, 11, 13)].hours[0] == 1
    assert days[date(2026, 11, 13)].statuses == {"404": 1} and days[date(2026, 11, 13)].not_found == 1
    # an unreadable line is counted on the day of the newest request of its batch
    assert days[date(2026, 11, 13)].unparsed == 1 and days[date(2026, 11, 12)].unparsed == 0


def test_top_lists_and_figures(tmp_path, org_a):
    log = tmp_path / "access.log"
    when = EVENING - timedelta(hours=3)
    lines = [combined("36.80.1.1", when, "/berita", referer="https://www.google.com/search?q=banjir")] * 3
    lines += [combined("36.80.1.2", when, "/assets/app.css", size=2000), combined("36.80.1.2", when, "/hilang", 404),
              combined("66.249.66.1", when, "/", agent="Mozilla/5.0 (compatible; Googlebot/2.1)")]
    log.write_text(text(lines))
    site = logged_site(org_a, [log])
    ingest_site(site)
    day = DailyVisitors.objects.get(site=site)
    assert day.top_pages == {"/berita": 3, "/hilang": 1, "/": 1}
    assert day.top_not_found == {"/hilang": 1} and day.top_referrers == {"www.google.com": 3}
    assert day.top_crawlers == {"Googlebot": 1} and day.browsers["Chrome"] == 5
    assert day.top_clients == {"36.80.1.1": 3, "36.80.1.2": 2, "66.249.66.1": 1}
    assert (day.pages, day.bandwidth, day.crawler_requests) == (5, 512 * 5 + 2000, 1)
    rows = csv_rows(day)
    assert ["figures", "visitors", 3] in rows and ["top_pages", "/berita", 3] in rows
    assert ["hours", "20", 6] in rows and ["status_classes", "2xx", 5] in rows


def test_merged_top_lists_keep_the_largest():
    stored = {f"/p{number}": 10 for number in range(TOP_KEPT)}
    merged = merge_top(stored, {"/p0": 5, "/new": 50, "/tiny": 1})
    assert len(merged) == TOP_KEPT and merged["/new"] == 50 and merged["/p0"] == 15 and "/tiny" not in merged
    assert list(merged)[:2] == ["/new", "/p0"]


def test_status_classes_and_keys():
    assert status_classes({"200": 3, "204": 1, "404": 2, "503": 1, "999": 4}) == {
        "2xx": 4, "4xx": 2, "5xx": 1, "other": 4}
    assert stable_key("1.2.3.4", "agent") == stable_key("1.2.3.4", "agent") != stable_key("1.2.3.4", None)


def test_pruned_days_are_no_longer_exact(tmp_path, org_a):
    log = tmp_path / "access.log"
    when = EVENING - timedelta(hours=3)
    log.write_text(text([combined("36.80.1.1", when, "/")]))
    site = logged_site(org_a, [log])
    ingest_site(site)
    assert prune_visitor_keys(date(2026, 11, 14)) == 2  # one visitor key and one client key
    append(log, text([combined("36.80.1.1", when, "/profil")]))
    ingest_site(site)
    day = DailyVisitors.objects.get(site=site)
    # the returning visitor cannot be recognised any more: counted again, and the day says so
    assert (day.requests, day.visitors, day.exact) == (2, 2, False)


def test_retention_keeps_today_and_yesterday(tmp_path, org_a):
    log = tmp_path / "access.log"
    today = datetime.now(UTC)
    log.write_text(text([combined("36.80.1.1", today - timedelta(days=days), "/") for days in (5, 0)]))
    site = logged_site(org_a, [log])
    ingest_site(site)
    assert VisitorKey.objects.count() == 4
    assert "2 visitor keys" in retention()
    assert DailyVisitors.objects.filter(exact=False).count() == 1
