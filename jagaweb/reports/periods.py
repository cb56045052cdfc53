"""The time a report covers: a calendar month, one day, or the last week up to now (a situation report)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.utils import timezone

from jagaweb.monitor.history import local_midnight
from jagaweb.reports.choices import ReportKind
from jagaweb.reports.sections.base import Scope

SITUATION_DAYS = 7  # the recent past a situation report looks back on


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    following = date(year + month // 12, month % 12 + 1, 1)
    return local_midnight(date(year, month, 1)), local_midnight(following)


def month_scope(year: int, month: int, site_ids: Iterable[int], organisation_id: int | None = None,
                now: datetime | None = None) -> Scope:
    start, end = month_bounds(year, month)
    return Scope(kind=ReportKind.MONTHLY, start=start, end=end, site_ids=tuple(site_ids),
                 organisation_id=organisation_id, now=now or timezone.now())


def day_scope(day: date, site_ids: Iterable[int], organisation_id: int | None = None,
              now: datetime | None = None) -> Scope:
    return Scope(kind=ReportKind.DAILY_LOG, start=local_midnight(day), end=local_midnight(day + timedelta(days=1)),
                 site_ids=tuple(site_ids), organisation_id=organisation_id, now=now or timezone.now())


def situation_scope(site_ids: Iterable[int], now: datetime | None = None,
                    organisation_id: int | None = None) -> Scope:
    now = now or timezone.now()
    return Scope(kind=ReportKind.SITUATION, start=now - timedelta(days=SITUATION_DAYS), end=now,
                 site_ids=tuple(site_ids), organisation_id=organisation_id, now=now)
