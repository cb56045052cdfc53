"""Expiry arithmetic shared by the certificate and domain checks: days left and alert thresholds."""

from __future__ import annotations

from datetime import UTC, date, datetime

# Days before expiry at which an alert goes out (issue 4: 60/30/14/7/1), largest first.
THRESHOLDS: tuple[int, ...] = (60, 30, 14, 7, 1)


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def days_until(moment: datetime | date, now: datetime) -> int:
    """Whole days from `now` to `moment`, rounded down (negative once past); dates count in UTC."""
    if isinstance(moment, datetime):
        return (aware(moment) - aware(now)).days
    return (moment - aware(now).astimezone(UTC).date()).days


def threshold_crossed(days_left: int, thresholds: tuple[int, ...] = THRESHOLDS) -> int | None:
    """The tightest threshold `days_left` is within, or None (too far away, or already expired).

    Only the tightest one: a certificate first seen with 5 days left alerts once ("7 days"), not four
    times for 60, 30, 14 and 7 at once. Past expiry the check itself is down and its incident alerts.
    """
    if days_left < 0:
        return None
    crossed = [t for t in thresholds if days_left <= t]
    return min(crossed) if crossed else None
