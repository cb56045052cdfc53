"""What one run's outcome does to a check: its streaks, whether an incident opens or resolves, which
kind notices go out. Pure functions of plain values, so the rules are tested without a database or
a network, and the engine, `run_now` and heartbeat pings all go through the same code.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from jagaweb.monitor.checks.base import Notice
from jagaweb.monitor.choices import Status

# A notice key that the kind no longer raises is forgotten this long after it was sent, so the same
# situation alerts again if it comes back much later, but not after one run that happened to miss it.
NOTICE_MEMORY = timedelta(days=30)


class Verdict(enum.Enum):
    FAILURE = "failure"
    SUCCESS = "success"
    NEITHER = "neither"  # UNKNOWN: the check could not judge; shown, but neither an outage nor a recovery


class Change(enum.Enum):
    NONE = "none"
    OPEN = "open"
    RESOLVE = "resolve"


def verdict_of(status: str) -> Verdict:
    if status == Status.DOWN:
        return Verdict.FAILURE
    if status in (Status.UP, Status.DEGRADED):
        return Verdict.SUCCESS
    return Verdict.NEITHER


@dataclass(frozen=True)
class Thresholds:
    failures_to_open: int = 3
    successes_to_resolve: int = 2

    @classmethod
    def of(cls, failures_to_open: int | None, successes_to_resolve: int | None) -> Thresholds:
        """From a site's profile (None when the site has none); zero would mean "always", so at least one."""
        default = cls()
        return cls(
            max(1, default.failures_to_open if failures_to_open is None else failures_to_open),
            max(1, default.successes_to_resolve if successes_to_resolve is None else successes_to_resolve),
        )


@dataclass(frozen=True)
class Streak:
    failures: int = 0
    successes: int = 0
    incident_open: bool = False


def advance(streak: Streak, status: str, thresholds: Thresholds) -> tuple[Streak, Change]:
    """The streak after one more run, and whether that run opens or resolves the check's incident."""
    verdict = verdict_of(status)
    if verdict is Verdict.FAILURE:
        failures, successes = streak.failures + 1, 0
    elif verdict is Verdict.SUCCESS:
        failures, successes = 0, streak.successes + 1
    else:
        return streak, Change.NONE
    if not streak.incident_open and failures >= thresholds.failures_to_open:
        return Streak(failures, successes, True), Change.OPEN
    if streak.incident_open and successes >= thresholds.successes_to_resolve:
        return Streak(failures, successes, False), Change.RESOLVE
    return Streak(failures, successes, streak.incident_open), Change.NONE


def notices_to_send(
    sent: Mapping[str, str], notices: Iterable[Notice], status: str, now: datetime
) -> tuple[dict[str, str], list[Notice]]:
    """(the check's new `notices_sent`, the notices to send now): each key is sent once.

    Keys the kind still raises are kept; others are forgotten after NOTICE_MEMORY. An UNKNOWN run
    forgets nothing (it could not judge, so its empty list says nothing about the situation).
    """
    raised = {notice.key: notice for notice in notices}
    fresh = [notice for key, notice in raised.items() if key not in sent]
    kept: dict[str, str] = {}
    for key, when in sent.items():
        if key in raised or status == Status.UNKNOWN or not too_old(when, now):
            kept[key] = when
    for notice in fresh:
        kept[notice.key] = now.isoformat()
    return kept, fresh


def too_old(when: str, now: datetime) -> bool:
    try:
        return now - datetime.fromisoformat(when) > NOTICE_MEMORY
    except (TypeError, ValueError):
        return True  # an unreadable entry is not worth keeping
