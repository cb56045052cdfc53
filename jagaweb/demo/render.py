"""Fills the date and address placeholders in the bundled sample content.

The sample pages carry dates relative to the day the demo starts ("three days ago"), so a fresh
demo always looks current, and a later "make this site stale" step can render the same pages
against an old date. Placeholders:

    [[base]]          the site's address without the trailing slash, e.g. http://127.0.0.1:8081
    [[year]]          the current year
    [[date:N:FMT]]    N days before today (negative: after), as FMT:
                      id   19 November 2026          hari  Kamis, 19 November 2026
                      iso  2026-11-19                rfc   Thu, 19 Nov 2026 09:00:00 +0700
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

RENDERED_SUFFIXES = frozenset({".html", ".xml", ".txt"})
PLACEHOLDER = re.compile(r"\[\[([a-z]+)(?::(-?\d+):([a-z]+))?\]\]")
WIB = timezone(timedelta(hours=7), "WIB")
PUBLISHED_HOUR = 9

MONTHS_ID = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)
WEEKDAYS_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


def indonesian_date(day: date) -> str:
    return f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}"


def format_day(day: date, style: str) -> str:
    if style == "id":
        return indonesian_date(day)
    if style == "hari":
        return f"{WEEKDAYS_ID[day.weekday()]}, {indonesian_date(day)}"
    if style == "iso":
        return day.isoformat()
    if style == "rfc":
        return format_datetime(datetime(day.year, day.month, day.day, PUBLISHED_HOUR, tzinfo=WIB))
    raise ValueError(f"unknown date format {style!r}")


def render_text(text: str, today: date, base_url: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name, offset, style = match.groups()
        if name == "base" and offset is None:
            return base_url.rstrip("/")
        if name == "year" and offset is None:
            return str(today.year)
        if name == "date" and offset is not None:
            return format_day(today - timedelta(days=int(offset)), style)
        raise ValueError(f"unknown placeholder {match.group(0)!r}")

    return PLACEHOLDER.sub(replace, text)


def render_tree(root: Path, today: date, base_url: str) -> None:
    """Fill the placeholders in every text file under `root`, in place."""
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in RENDERED_SUFFIXES:
            original = path.read_text(encoding="utf-8")
            rendered = render_text(original, today, base_url)
            if rendered != original:
                path.write_text(rendered, encoding="utf-8")
