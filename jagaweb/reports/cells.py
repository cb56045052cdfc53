"""How a table cell reads in a report, by its column kind; the one place report values are formatted."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from jagaweb.jobs.templatetags.jobs_format import duration
from jagaweb.progress import size_text
from jagaweb.reports.choices import ColumnKind

# Year first reads the same in Indonesian and English, and sorts as it reads.
DATETIME_TEXT = "%Y-%m-%d %H:%M"
MISSING = "\u2013"  # an en dash: no value


def number(value: float | int | Decimal, decimals: int = 0) -> str:
    rounded = round(value, decimals) if isinstance(value, Decimal) else round(float(value), decimals)
    return str(formats.number_format(rounded, decimals, use_l10n=True, force_grouping=True))


def local(value: datetime) -> datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def cell_text(value: Any, kind: str) -> str:
    if value is None or value == "":
        return MISSING
    if kind == ColumnKind.PERCENT:
        # Cut, not rounded, as monitoring does: 99.996% of uptime must not read as 100.00%.
        return f"{number(math.floor(value * 100) / 100, 2)}%"
    if kind == ColumnKind.MILLISECONDS:
        return _("%(ms)s ms") % {"ms": number(value)}
    if kind == ColumnKind.INTEGER:
        return number(value)
    if kind == ColumnKind.NUMBER:
        return number(value, 0 if isinstance(value, int) else 2)
    if kind == ColumnKind.DURATION:
        return duration(value) if isinstance(value, timedelta) else str(value)
    if kind == ColumnKind.BYTES:
        return size_text(float(value))
    if kind == ColumnKind.DATETIME and isinstance(value, datetime):
        return local(value).strftime(DATETIME_TEXT)
    if kind == ColumnKind.DATE and isinstance(value, date):
        return value.isoformat()
    return str(value)


def raw_value(value: Any) -> Any:
    """What CSV and XLSX keep: numbers as numbers, times in local time without a zone, durations in minutes."""
    if isinstance(value, datetime):
        return local(value).replace(tzinfo=None)
    if isinstance(value, timedelta):
        return round(value.total_seconds() / 60, 2)
    if isinstance(value, Decimal):
        return float(value)
    return value


def is_numeric(kind: str) -> bool:
    return kind in (ColumnKind.INTEGER, ColumnKind.NUMBER, ColumnKind.PERCENT, ColumnKind.MILLISECONDS,
                    ColumnKind.BYTES, ColumnKind.DURATION)
