"""The figures behind the history pictures of a check's page and a site's panel.

A check's last day comes from its raw results (kept for a couple of days), grouped in slots of a few
minutes; a site's days and months come from `monitor.history` (rollups of the kinds that say whether
the site is reachable)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from jagaweb.inventory.models import Site
from jagaweb.monitor import history
from jagaweb.monitor.charts import Sample, line_chart, status_strip, uptime_bars
from jagaweb.monitor.choices import RollupPeriod, Status
from jagaweb.monitor.models import Check, Result
from jagaweb.monitor.rollups import floor

DAY = timedelta(hours=24)
SLOT = timedelta(minutes=10)  # a day of results drawn as 144 points
RECENT_RESULTS = 50
SITE_DAYS = 30


def slot_samples(results: list[tuple[datetime, str, float | None]], start: datetime, end: datetime) -> list[Sample]:
    """Results averaged per SLOT: one point each, marked bad when the check was down in that slot."""
    count = int((end - start) / SLOT) + 1
    totals: list[list[float]] = [[] for _ in range(count)]
    bad = [False] * count
    seen = [False] * count
    for at, status, ms in results:
        i = int((at - start) / SLOT)
        if not 0 <= i < count:
            continue
        seen[i] = True
        bad[i] = bad[i] or status == Status.DOWN
        if ms is not None and status != Status.DOWN:
            totals[i].append(ms)
    return [Sample(at=start + i * SLOT, value=sum(values) / len(values) if values else None, bad=bad[i])
            for i, values in enumerate(totals) if seen[i]]


def check_history(check: Check, now: datetime | None = None) -> dict[str, Any]:
    """The last day of one check: response time, status over time, and its latest results."""
    now = now or timezone.now()
    start = now - DAY
    results = list(Result.objects.filter(check_ref=check, at__gte=start).order_by("at")
                   .values_list("at", "status", "response_ms"))
    recent = Result.objects.filter(check_ref=check).order_by("-at", "-pk")[:RECENT_RESULTS]
    return {
        "response_chart": line_chart(slot_samples(results, start, now), start, now, SLOT.total_seconds()),
        "strip": status_strip([(at, status) for at, status, _ms in results], start, now),
        "results": recent, "history_start": start, "history_end": now,
    }


def site_history(site: Site, now: datetime | None = None) -> dict[str, Any]:
    """A site's availability: uptime over a day and a month, a day of response times, a month of days."""
    now = now or timezone.now()
    hourly = history.sparklines([site.pk], now=now)[site.pk]
    first_hour = floor(now, RollupPeriod.HOUR) - timedelta(hours=len(hourly) - 1)
    samples = [Sample(at=first_hour + timedelta(hours=i), value=ms) for i, ms in enumerate(hourly)]
    today = timezone.localdate(now)
    days = history.daily([site.pk], today - timedelta(days=SITE_DAYS - 1), today)[site.pk]
    month = history.figures([site.pk], now - timedelta(days=SITE_DAYS), now)[site.pk]
    return {
        "uptime_day": history.uptime([site.pk], now - DAY, now)[site.pk],
        "uptime_month": month.uptime, "p50": month.p50, "p95": month.p95,
        "response_chart": line_chart([s for s in samples if s.value is not None], first_hour,
                                     floor(now, RollupPeriod.HOUR) + timedelta(hours=1), 3600),
        "uptime_chart": uptime_bars([(day, figures.uptime) for day, figures in sorted(days.items())],
                                    overall=month.uptime),
    }
