"""The dashboard's availability column in one aggregate query agrees with the history functions the site
page and the reports use: uptime over 24 hours and 30 days and the hourly averages, whichever levels of
rollups cover each span (days, hours, the current hour's minutes, and minutes while an hour lags)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jagaweb.monitor import history
from jagaweb.monitor.choices import RollupPeriod
from jagaweb.monitor.glance import glance
from jagaweb.monitor.models import Rollup
from tests.monitor.test_rollups import NOW, history_data, roll_until_done  # noqa: F401  (history_data: a fixture)

pytestmark = pytest.mark.django_db
DAY, MONTH = timedelta(hours=24), timedelta(days=30)


def assert_agrees(site_ids: list[int]) -> None:
    seen = glance(site_ids, DAY, MONTH, NOW)
    for pk in site_ids:
        assert seen[pk].day == pytest.approx(history.uptime([pk], NOW - DAY, NOW)[pk])
        assert seen[pk].month == pytest.approx(history.uptime([pk], NOW - MONTH, NOW)[pk])
        assert seen[pk].hourly_ms == pytest.approx(history.sparklines([pk], now=NOW)[pk])


def test_glance_agrees_with_history_in_four_queries(history_data, django_assert_max_num_queries):  # noqa: F811
    a, b, _c = history_data
    roll_until_done()
    assert Rollup.objects.filter(period=RollupPeriod.DAY).exists(), "the month span must include day rollups"
    with django_assert_max_num_queries(4):  # the level ends, the sites' checks, the day's rows, the month's sums
        seen = glance([a.site_id, b.site_id], DAY, MONTH, NOW)
    assert seen[a.site_id].day == pytest.approx(90.0, abs=0.2) and seen[b.site_id].day == 100.0
    assert seen[b.site_id].hourly_ms == [pytest.approx(1200.0)] * 24
    assert_agrees([a.site_id, b.site_id])


def test_an_hour_not_yet_rolled_up_comes_from_its_minutes(history_data):  # noqa: F811
    a, b, _c = history_data
    roll_until_done()
    newest = Rollup.objects.filter(period=RollupPeriod.HOUR).order_by("-start").values_list("start", flat=True)[0]
    Rollup.objects.filter(period=RollupPeriod.HOUR, start=newest).delete()
    assert glance([a.site_id], DAY, MONTH, NOW)[a.site_id].hourly_ms[-2] is not None
    assert_agrees([a.site_id, b.site_id])


def test_a_site_without_rollups_has_no_figures(site_a):
    seen = glance([site_a.pk], DAY, MONTH, NOW)[site_a.pk]
    assert seen.day is None and seen.month is None and seen.hourly_ms == [None] * 24
