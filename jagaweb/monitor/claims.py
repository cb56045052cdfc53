"""Claiming due checks: in one transaction, take the due rows and move each to its next slot.

Only the process whose transaction moved a row runs that slot. On PostgreSQL the rows are taken
with `FOR UPDATE SKIP LOCKED`, so several engines share the due checks without waiting for each
other; on SQLite the transaction is IMMEDIATE (see `env.sqlite_database`), so claims are one at a
time. A claim pushes `next_due_at` forward before anything runs: a process that dies with claimed
checks loses nothing but those runs, which simply happen at the next slot.

The next slot is now + interval, moved by up to JITTER of the interval either way, so checks of many
sites on one server drift apart instead of hitting it in the same second every minute.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction

from jagaweb.monitor.bulk import update_rows
from jagaweb.monitor.checks import kind_of
from jagaweb.monitor.checks.base import CheckSpec
from jagaweb.monitor.models import Check

JITTER = 0.1
MIN_GAP = timedelta(seconds=1)
COLUMNS = (
    "id", "site_id", "site__name", "site__url", "kind", "target", "config", "timeout", "interval",
    "allow_private", "facts", "baseline", "last_ping_at", "site__monitor_profile__stale_after_days", "next_due_at",
)


@dataclass(frozen=True)
class Claimed:
    spec: CheckSpec
    due_at: datetime  # the slot it was claimed for, to measure how late it ran


def make_spec(
    *, id: int, site_id: int, site_name: str, site_url: str, kind: str, target: str, config: dict[str, Any],
    timeout: float, interval: int, allow_private: bool, facts: dict[str, Any], baseline: dict[str, Any],
    last_ping_at: datetime | None, stale_after_days: int | None,
) -> CheckSpec:
    """The one way a check row becomes what its kind runs on (the engine's claims and `spec_for`)."""
    try:
        target = kind_of(kind).target_for(target, site_url)
    except Exception:
        # An unknown kind, or a target the kind cannot read: the run reports it (the claim must not fail).
        target = target or site_url
    return CheckSpec(
        id=id, site_id=site_id, site_name=site_name, site_url=site_url, kind=kind, target=target,
        config=config or {}, timeout=timeout, interval=interval, allow_private=allow_private,
        facts=facts or {}, baseline=baseline or {}, last_ping_at=last_ping_at,
        stale_after_days=14 if stale_after_days is None else stale_after_days,
    )


def next_slot(now: datetime, interval: int, rng: random.Random) -> datetime:
    seconds = interval * (1.0 + rng.uniform(-JITTER, JITTER))
    return now + max(MIN_GAP, timedelta(seconds=seconds))


def claim_due(now: datetime, limit: int, rng: random.Random | None = None) -> list[Claimed]:
    """Up to `limit` due checks of active sites, most overdue first, each moved to its next slot."""
    rng = rng or random.Random()
    due = Check.objects.filter(is_active=True, site__is_active=True, next_due_at__lte=now).order_by("next_due_at")
    if not due.exists():
        return []  # a plain read: polling an idle installation takes no write lock (SQLite) or row locks
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        rows = list(due.values_list(*COLUMNS)[:limit])
        if not rows:
            return []
        update_rows(Check, ["next_due_at"], [(row[0], next_slot(now, row[8], rng)) for row in rows])
    return [
        Claimed(
            make_spec(
                id=row[0], site_id=row[1], site_name=row[2], site_url=row[3], kind=row[4], target=row[5],
                config=row[6], timeout=row[7], interval=row[8], allow_private=row[9], facts=row[10],
                baseline=row[11], last_ping_at=row[12], stale_after_days=row[13],
            ),
            due_at=row[14],
        )
        for row in rows
    ]
