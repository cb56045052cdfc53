"""Which snapshots a retention policy keeps, in the sense of restic's ``forget --keep-*``.

For every rule, snapshots are taken newest first and the newest snapshot of each bucket (a day, an
ISO week, a month, a year) is kept, until the rule has kept as many buckets as it allows; buckets
without snapshots do not count. ``keep_last`` keeps the N newest snapshots. A snapshot may be kept
by several rules and carries every reason.

Snapshots are grouped by source (site) before the rules apply, as restic groups by host and paths:
a daily rule must keep each site's newest backup of the day, not one site's. Buckets are calendar
periods in the time zone of ``now`` (WIB for an office in Jakarta), so "the backup of the 20th" is
the one a person on that office's clock would call so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from jagaweb.backup.store.repository import SnapshotInfo

Bucket = Callable[[datetime], str]


@dataclass(frozen=True)
class Policy:
    keep_last: int = 0
    keep_daily: int = 0
    keep_weekly: int = 0
    keep_monthly: int = 0
    keep_yearly: int = 0

    def __post_init__(self) -> None:
        for name, value in self.rules():
            if value < 0:
                raise ValueError(f"{name} must not be negative (got {value})")

    def rules(self) -> list[tuple[str, int]]:
        return [
            ("last", self.keep_last), ("daily", self.keep_daily), ("weekly", self.keep_weekly),
            ("monthly", self.keep_monthly), ("yearly", self.keep_yearly),
        ]

    @property
    def empty(self) -> bool:
        return not any(value for _, value in self.rules())


@dataclass
class Selection:
    keep: list[SnapshotInfo]
    forget: list[SnapshotInfo]
    reasons: dict[str, list[str]]  # snapshot id -> why it is kept, e.g. ["daily 2026-11-20"]

    def __iter__(self) -> Iterator[list[SnapshotInfo]]:
        """So that callers can write ``keep, forget = select(...)``."""
        return iter((self.keep, self.forget))


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


def _week(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def _month(moment: datetime) -> str:
    return moment.strftime("%Y-%m")


def _year(moment: datetime) -> str:
    return f"{moment.year:04d}"


BUCKETS: dict[str, Bucket] = {"daily": _day, "weekly": _week, "monthly": _month, "yearly": _year}


def snapshot_time(info: SnapshotInfo, zone: tzinfo) -> datetime:
    moment = datetime.fromisoformat(info.time)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # the archiver writes UTC; a bare time is taken as such
    return moment.astimezone(zone)


def newest_first(snapshots: list[SnapshotInfo], zone: tzinfo) -> list[tuple[SnapshotInfo, datetime]]:
    timed = [(info, snapshot_time(info, zone)) for info in snapshots]
    return sorted(timed, key=lambda pair: (pair[1], pair[0].id), reverse=True)


def apply_rule(
    timed: list[tuple[SnapshotInfo, datetime]], rule: str, count: int, reasons: dict[str, list[str]]
) -> None:
    """Add `rule`'s reasons to the snapshots it keeps among `timed` (newest first)."""
    if rule == "last":
        for number, (info, _) in enumerate(timed[:count], start=1):
            reasons.setdefault(info.id, []).append(f"last {number}")
        return
    bucket_of = BUCKETS[rule]
    last_bucket: str | None = None
    kept = 0
    for info, moment in timed:
        if kept >= count:
            return
        bucket = bucket_of(moment)
        if bucket != last_bucket:
            reasons.setdefault(info.id, []).append(f"{rule} {bucket}")
            last_bucket = bucket
            kept += 1


def select_group(snapshots: list[SnapshotInfo], policy: Policy, zone: tzinfo) -> dict[str, list[str]]:
    timed = newest_first(snapshots, zone)
    reasons: dict[str, list[str]] = {}
    if policy.empty:
        # Like restic: no rule means nothing is removed, never "remove everything".
        return {info.id: ["no policy"] for info, _ in timed}
    for rule, count in policy.rules():
        if count:
            apply_rule(timed, rule, count, reasons)
    return reasons


def select(snapshots: list[SnapshotInfo], policy: Policy, now: datetime) -> Selection:
    """Split `snapshots` into those the policy keeps and those it forgets, each newest first."""
    zone = now.tzinfo or UTC
    groups: dict[str, list[SnapshotInfo]] = {}
    for info in snapshots:
        groups.setdefault(info.source, []).append(info)
    reasons: dict[str, list[str]] = {}
    for group in groups.values():
        reasons.update(select_group(group, policy, zone))
    ordered = [info for info, _ in newest_first(snapshots, zone)]
    keep = [info for info in ordered if info.id in reasons]
    forget = [info for info in ordered if info.id not in reasons]
    return Selection(keep, forget, reasons)
