"""Rollups add up across levels, re-runs change nothing, percentiles come out right, retention keeps
what is not yet rolled up; and the history functions the pages and reports use."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django.utils import timezone

from jagaweb.monitor import history
from jagaweb.monitor.choices import CheckKind, RollupPeriod, Status
from jagaweb.monitor.models import Check, Result, Rollup
from jagaweb.monitor.rollups import prune, roll_up
from jagaweb.monitor.stats import histogram_of, merged, percentile

WIB = ZoneInfo("Asia/Jakarta")
DAY0 = datetime(2026, 11, 20, tzinfo=WIB)
NOW = datetime(2026, 11, 21, 10, 30, 20, tzinfo=WIB)
VALUES = (40.0, 60.0, 120.0, 600.0)


def minutes_until(end: datetime) -> list[datetime]:
    count = int((end - DAY0).total_seconds() // 60)
    return [DAY0 + timedelta(minutes=n, seconds=7) for n in range(count)]


def a_result(check: Check, n: int, at: datetime) -> Result:
    if n % 10 == 0:
        return Result(check_ref=check, at=at, status=Status.DOWN, response_ms=None, message="down")
    return Result(check_ref=check, at=at, status=Status.UP, response_ms=VALUES[n % 4])


@pytest.fixture
def history_data(site_a, site_b):
    """Check A (HTTP, site A): every minute, one in ten DOWN, the rest UP at 40/60/120/600 ms;
    check B (HTTP, site B): DEGRADED at 1200 ms; check C (TLS, site A): UP at 5 ms, not an uptime kind."""
    a = Check.objects.create(site=site_a, kind=CheckKind.HTTP)
    b = Check.objects.create(site=site_b, kind=CheckKind.HTTP)
    c = Check.objects.create(site=site_a, kind=CheckKind.TLS)
    rows = []
    for n, at in enumerate(minutes_until(NOW.replace(second=0))):
        rows.append(a_result(a, n, at))
        rows.append(Result(check_ref=b, at=at, status=Status.DEGRADED, response_ms=1200.0))
        rows.append(Result(check_ref=c, at=at, status=Status.UP, response_ms=5.0))
    Result.objects.bulk_create(rows, batch_size=2000)
    return a, b, c


def roll_until_done(now: datetime = NOW) -> int:
    """Catching up takes several runs (each level does a bounded number of periods a run)."""
    before = None
    for runs in range(1, 40):
        roll_up(now)
        after = snapshot()
        if after == before:
            return runs
        before = after
    raise AssertionError("rollups never settled")


def snapshot() -> list[tuple]:
    return list(Rollup.objects.order_by("check_ref_id", "period", "start").values_list(
        "check_ref_id", "period", "start", "up", "degraded", "down", "unknown", "total_ms", "max_ms", "histogram"))


def results_of(check: Check, start: datetime, end: datetime) -> list[Result]:
    return list(Result.objects.filter(check_ref=check, at__gte=start, at__lt=end))


def test_levels_add_up_and_histograms_merge_exactly(history_data):
    a, _b, _c = history_data
    roll_until_done()
    minutes = Rollup.objects.filter(check_ref=a, period=RollupPeriod.MINUTE)
    assert minutes.count() == len(minutes_until(NOW.replace(second=0))) - 1, "all but the last, unsettled minute"
    for hour in Rollup.objects.filter(check_ref=a, period=RollupPeriod.HOUR):
        parts = minutes.filter(start__gte=hour.start, start__lt=hour.start + timedelta(hours=1))
        assert parts.count() == 60
        assert hour.up == sum(p.up for p in parts) and hour.down == sum(p.down for p in parts)
        assert hour.histogram == merged(p.histogram for p in parts)
        assert hour.total_ms == pytest.approx(sum(p.total_ms for p in parts))
    assert Rollup.objects.filter(check_ref=a, period=RollupPeriod.HOUR).count() == 24 + 10
    day = Rollup.objects.get(check_ref=a, period=RollupPeriod.DAY)
    assert timezone.localtime(day.start) == DAY0, "days are local (WIB) days"
    raw = results_of(a, DAY0, DAY0 + timedelta(days=1))
    assert (day.up, day.down, day.degraded, day.unknown) == (1296, 144, 0, 0)
    assert day.histogram == histogram_of(r.response_ms for r in raw if r.status == Status.UP)
    assert day.max_ms == 600.0
    assert day.total_ms == pytest.approx(sum(r.response_ms or 0 for r in raw))


def test_rerunning_changes_nothing_and_late_results_are_counted(history_data):
    a, _b, _c = history_data
    roll_until_done()
    before = snapshot()
    roll_up(NOW)
    assert snapshot() == before
    last = Rollup.objects.filter(check_ref=a, period=RollupPeriod.MINUTE).latest("start")
    Result.objects.create(check_ref=a, at=last.start + timedelta(seconds=30), status=Status.UP, response_ms=9000.0)
    roll_up(NOW)
    last.refresh_from_db()
    assert last.up + last.down == 2 and last.max_ms == 9000.0


def test_percentiles_and_uptime_from_history(history_data):
    a, b, _c = history_data
    roll_until_done()
    day_values = [r.response_ms for r in results_of(a, DAY0, DAY0 + timedelta(days=1)) if r.status == Status.UP]
    figures = history.figures([a.site_id, b.site_id], DAY0, DAY0 + timedelta(days=1))
    site_a = figures[a.site_id]
    assert site_a.uptime == pytest.approx(90.0), "the TLS check on the same site does not count"
    assert site_a.p50 == pytest.approx(percentile(histogram_of(day_values), 0.5))
    assert site_a.p95 == pytest.approx(percentile(histogram_of(day_values), 0.95))
    assert 50 < site_a.p50 <= 75 and 500 < site_a.p95 <= 750  # half the answers are 40 or 60 ms
    assert site_a.average_ms == pytest.approx(sum(day_values) / len(day_values))
    assert figures[b.site_id].uptime == 100.0, "degraded still answers"
    assert 1000 < figures[b.site_id].p50 <= 1500


def test_daily_and_monthly_include_the_current_day_from_finer_rollups(history_data, monkeypatch):
    a, _b, _c = history_data
    roll_until_done()
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    days = history.daily([a.site_id], DAY0.date(), NOW.date())[a.site_id]
    assert days[DAY0.date()].runs == 1440
    today = days[NOW.date()]
    assert today.runs == len(results_of(a, NOW.replace(hour=0, minute=0, second=0), NOW.replace(second=0))) - 1
    assert today.uptime == pytest.approx(100 * today.up / (today.up + today.down))
    month = history.monthly([a.site_id], 2026, 11)[a.site_id]
    assert month.runs == days[DAY0.date()].runs + today.runs
    assert history.uptime([a.site_id], NOW - timedelta(hours=24))[a.site_id] == pytest.approx(90.0, abs=0.2)


def test_sparklines_are_hourly_averages_for_many_sites_in_one_query(history_data, django_assert_max_num_queries):
    a, b, _c = history_data
    roll_until_done()
    with django_assert_max_num_queries(3):  # the level ends, the sites' checks, and their rollups
        lines = history.sparklines([a.site_id, b.site_id], now=NOW)
    assert len(lines[a.site_id]) == 24 and len(lines[b.site_id]) == 24
    assert lines[b.site_id] == [pytest.approx(1200.0)] * 24
    start = NOW.replace(minute=0, second=0) - timedelta(hours=23)
    expected = [r.response_ms for r in results_of(a, start, start + timedelta(hours=1)) if r.status == Status.UP]
    assert lines[a.site_id][0] == pytest.approx(sum(expected) / len(expected))
    assert lines[a.site_id][-1] is not None, "the current hour comes from minute rollups"


def test_cover_uses_each_level_once():
    ends = {RollupPeriod.DAY: datetime(2026, 11, 21, tzinfo=WIB), RollupPeriod.HOUR: datetime(2026, 11, 21, 10,
            tzinfo=WIB), RollupPeriod.MINUTE: datetime(2026, 11, 21, 10, 29, tzinfo=WIB)}
    segments = history.cover(datetime(2026, 11, 18, 15, 40, tzinfo=WIB), NOW, ends)
    assert segments == [
        (RollupPeriod.DAY, datetime(2026, 11, 19, tzinfo=WIB), datetime(2026, 11, 21, tzinfo=WIB)),
        (RollupPeriod.HOUR, datetime(2026, 11, 18, 15, tzinfo=WIB), datetime(2026, 11, 19, tzinfo=WIB)),
        (RollupPeriod.HOUR, datetime(2026, 11, 21, tzinfo=WIB), datetime(2026, 11, 21, 10, tzinfo=WIB)),
        (RollupPeriod.MINUTE, datetime(2026, 11, 21, 10, tzinfo=WIB), NOW),
    ]
    nothing_rolled = dict.fromkeys(ends)
    assert history.cover(NOW - timedelta(hours=2), NOW, nothing_rolled) == [
        (RollupPeriod.MINUTE, datetime(2026, 11, 21, 8, tzinfo=WIB), NOW)]


@override_settings(JAGAWEB_MONITOR_KEEP_RESULTS_HOURS=2, JAGAWEB_MONITOR_KEEP_MINUTES_HOURS=5,
                   JAGAWEB_MONITOR_KEEP_HOURS_DAYS=1)
def test_retention_deletes_only_old_rows_and_nothing_not_rolled_up(history_data, monkeypatch):
    monkeypatch.setattr("jagaweb.monitor.rollups.DELETE_CHUNK", 500)  # several chunks
    assert prune(NOW) == {"results": 0, "minute": 0, "hour": 0}, "nothing is rolled up yet: nothing goes"
    roll_until_done()
    total_results = Result.objects.count()
    deleted = prune(NOW)
    cutoff = NOW - timedelta(hours=2)
    assert not Result.objects.filter(at__lt=cutoff).exists()
    assert Result.objects.filter(at__gte=cutoff).count() == total_results - deleted["results"]
    assert not Rollup.objects.filter(period=RollupPeriod.MINUTE, start__lt=NOW - timedelta(hours=5)).exists()
    assert Rollup.objects.filter(period=RollupPeriod.MINUTE, start__gte=NOW - timedelta(hours=5)).exists()
    # hours older than a day go, but only those before the latest day rollup (2026-11-20), i.e. none yet
    assert deleted["hour"] == 0
    assert Rollup.objects.filter(period=RollupPeriod.DAY).count() == 3, "days are kept"
    assert prune(NOW) == {"results": 0, "minute": 0, "hour": 0}


def test_complete_hours_and_days_are_left_alone_when_nothing_below_them_changed(history_data):
    a, _b, _c = history_data
    roll_until_done()
    hour = Rollup.objects.filter(check_ref=a, period=RollupPeriod.HOUR).latest("start")
    day = Rollup.objects.get(check_ref=a, period=RollupPeriod.DAY)
    # Marked by hand: a run that recomputed them would put the true counts back.
    Rollup.objects.filter(pk__in=[hour.pk, day.pk]).update(unknown=777)
    written = roll_up(NOW + timedelta(minutes=5))  # later in the same hour: only minutes are new
    assert written["hour"] == 0 and written["day"] == 0
    assert set(Rollup.objects.filter(pk__in=[hour.pk, day.pk]).values_list("unknown", flat=True)) == {777}


def test_a_new_hour_is_rolled_up_once_its_minutes_are(history_data):
    a, _b, _c = history_data
    roll_until_done()
    later = NOW.replace(minute=0, second=0) + timedelta(hours=1, minutes=1, seconds=30)
    Result.objects.bulk_create(a_result(a, n, at) for n, at in enumerate(
        NOW.replace(second=7) + timedelta(minutes=m) for m in range(35)))
    roll_up(later)
    newest = Rollup.objects.filter(check_ref=a, period=RollupPeriod.HOUR).latest("start")
    assert newest.start == NOW.replace(minute=0, second=0)
    minutes = Rollup.objects.filter(check_ref=a, period=RollupPeriod.MINUTE, start__gte=newest.start,
                                    start__lt=newest.start + timedelta(hours=1))
    assert newest.up + newest.down == sum(m.up + m.down for m in minutes) == 60
