"""Dates as Indonesian government sites write them, for the content-freshness check.

Sitemaps and Atom feeds use ISO 8601, RSS uses RFC 822 ("Sat, 21 Nov 2026 10:00:00 +0700"), and the
news pages a CSS selector points at use whatever the CMS template says: "Sabtu, 21 November 2026",
"21 Agu 2026 pukul 10.00 WIB", "21/11/2026", "November 21, 2026", "3 hari yang lalu". `parse_date`
searches a short text for the first date in any of those forms and returns it timezone-aware.

Numeric dates are read day first (the Indonesian order), unless that is impossible and the month-first
reading is not ("11/21/2026"). A date without a zone is taken in `default_tz` (WIB unless told).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone, tzinfo

WIB = timezone(timedelta(hours=7), "WIB")
SCAN_CHARS = 500  # a date worth reading sits near the start of a node's text; bounds the regex work

MONTHS: dict[str, int] = {
    "januari": 1, "january": 1, "jan": 1,
    "februari": 2, "pebruari": 2, "february": 2, "feb": 2, "peb": 2,
    "maret": 3, "march": 3, "mar": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "june": 6, "jun": 6,
    "juli": 7, "july": 7, "jul": 7,
    "agustus": 8, "august": 8, "agust": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10,
    "november": 11, "nopember": 11, "nov": 11, "nop": 11,
    "desember": 12, "december": 12, "des": 12, "dec": 12,
}
# Indonesian zones first; then the RFC 822 names RSS feeds use.
ZONE_HOURS: dict[str, int] = {
    "wib": 7, "wita": 8, "wit": 9, "utc": 0, "gmt": 0, "ut": 0, "z": 0,
    "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7,
}


def _alternation(words: list[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))  # longest first: "wita" before "wit"


_MONTH = rf"(?P<month>{_alternation(list(MONTHS))})\.?"
_ZONE = rf"(?P<zone>[+-]\d{{2}}:?\d{{2}}|\b(?:{_alternation(list(ZONE_HOURS))})\b)"
_TIME = (
    r"(?:\s*(?:,|\||-|@|\bpukul\b|\bpkl\b\.?|\bjam\b|\bat\b)?\s*"
    r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?:[:.](?P<second>\d{2})(?:[.,]\d+)?)?(?:\s*(?P<ampm>[ap]\.?m\b\.?))?)?"
    rf"(?:\s*{_ZONE})?"
)
_ISO = re.compile(
    r"(?<!\d)(?P<year>\d{4})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})"
    r"(?:[T ](?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,]\d+)?)?\s*"
    r"(?P<zone>Z|[+-]\d{2}(?::?\d{2})?)?)?(?!\d)",
    re.IGNORECASE,
)
_DAY_MONTH_YEAR = re.compile(
    rf"(?<![\w])(?P<day>\d{{1,2}})(?:st|nd|rd|th)?[\s\-./]*{_MONTH}[\s\-./,]+(?P<year>\d{{4}})(?!\d){_TIME}",
    re.IGNORECASE,
)
_MONTH_DAY_YEAR = re.compile(
    rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})(?!\d){_TIME}",
    re.IGNORECASE,
)
_NUMERIC = re.compile(
    rf"(?<![\d/.\-])(?P<day>\d{{1,2}})(?P<sep>[/.\-])(?P<month>\d{{1,2}})(?P=sep)(?P<year>\d{{4}}|\d{{2}})(?![\d/.\-]){_TIME}",
    re.IGNORECASE,
)
_RELATIVE = re.compile(
    r"\b(?P<count>\d+|an?|se)\s*(?P<unit>detik|menit|jam|hari|minggu|pekan|bulan|tahun|"
    r"seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\s+(?:yang\s+)?(?:lalu|ago)\b",
    re.IGNORECASE,
)
_YESTERDAY = re.compile(r"\b(?:kemarin|yesterday)\b", re.IGNORECASE)
_TODAY = re.compile(r"\b(?:hari ini|today|baru saja|just now)\b", re.IGNORECASE)

UNIT_SECONDS: dict[str, int] = {
    "detik": 1, "second": 1, "sec": 1, "menit": 60, "minute": 60, "min": 60, "jam": 3600, "hour": 3600,
    "hr": 3600, "hari": 86400, "day": 86400, "minggu": 604800, "pekan": 604800, "week": 604800,
    "bulan": 2592000, "month": 2592000, "tahun": 31536000, "year": 31536000,
}


def _zone(text: str | None, default_tz: tzinfo) -> tzinfo:
    if not text:
        return default_tz
    hours = ZONE_HOURS.get(text.lower())
    if hours is not None:
        return timezone(timedelta(hours=hours))
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:4] or 0)
    if minutes > 14 * 60:
        raise ValueError(text)
    return timezone(sign * timedelta(minutes=minutes))


def _build(year: int, month: int, day: int, match: re.Match[str], default_tz: tzinfo) -> datetime:
    groups = match.groupdict()
    hour = int(groups.get("hour") or 0)
    minute = int(groups.get("minute") or 0)
    second = int(groups.get("second") or 0)
    ampm = (groups.get("ampm") or "").lower()
    if ampm.startswith("p") and hour < 12:
        hour += 12
    elif ampm.startswith("a") and hour == 12:
        hour = 0
    zone = _zone(groups.get("zone"), default_tz)
    return datetime(year, month, day, hour, minute, min(second, 59), tzinfo=zone)


def _from_iso(match: re.Match[str], default_tz: tzinfo) -> datetime:
    return _build(int(match["year"]), int(match["month"]), int(match["day"]), match, default_tz)


def _from_names(match: re.Match[str], default_tz: tzinfo) -> datetime:
    return _build(int(match["year"]), MONTHS[match["month"].lower()], int(match["day"]), match, default_tz)


def _from_numbers(match: re.Match[str], default_tz: tzinfo) -> datetime:
    day, month, year = int(match["day"]), int(match["month"]), int(match["year"])
    if year < 100:
        year += 2000
    if month > 12 >= day:
        day, month = month, day  # only the month-first reading is a date: "11/21/2026"
    return _build(year, month, day, match, default_tz)


PATTERNS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str], tzinfo], datetime]], ...] = (
    (_ISO, _from_iso),
    (_DAY_MONTH_YEAR, _from_names),
    (_MONTH_DAY_YEAR, _from_names),
    (_NUMERIC, _from_numbers),
)


def _relative(text: str, now: datetime) -> datetime | None:
    match = _RELATIVE.search(text)
    if match is not None:
        count_text = match["count"].lower()
        count = 1 if count_text in ("a", "an", "se") else int(count_text)
        unit = match["unit"].lower()
        seconds = UNIT_SECONDS.get(unit) or UNIT_SECONDS.get(unit.rstrip("s"), 0)
        return now - timedelta(seconds=count * seconds)
    if _YESTERDAY.search(text):
        return now - timedelta(days=1)
    if _TODAY.search(text):
        return now
    return None


def parse_date(text: str, *, now: datetime | None = None, default_tz: tzinfo = WIB) -> datetime | None:
    """The first date in `text` (ISO forms tried first, then named months, then numbers), timezone-aware,
    or None. Relative phrases ("2 hari yang lalu", "kemarin") are read only when `now` is given.
    """
    text = text[:SCAN_CHARS]
    for pattern, build in PATTERNS:
        for match in pattern.finditer(text):
            try:
                return build(match, default_tz)
            except ValueError:
                continue  # "31 Februari", hour 25: look further on
    if now is not None:
        return _relative(text, now)
    return None
