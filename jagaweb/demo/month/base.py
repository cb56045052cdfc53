"""What every part of the month generator shares: the month's days and moments, the sites, the people who
work on them, the counts of what was made, the activity log it writes, and the keys of the rows it writes.

Moments are aware datetimes in UTC (what `timezone.now()` gives the real code, so the labels the models
print look the same); days are local days of the installation's time zone, as the reports count them.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cached_property
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from jagaweb.activity.choices import Severity
from jagaweb.activity.models import Event
from jagaweb.demo.month.rows import Keys, Table, write_all
from jagaweb.inventory.models import Organisation, Site
from jagaweb.monitor.history import local_midnight
from jagaweb.people.choices import RoleKind

Model = TypeVar("Model", bound=models.Model)


@dataclass
class MonthFill:
    """How many rows of each kind the generator made."""

    checks: int = 0
    rollups: int = 0
    monitor_incidents: int = 0
    maintenance_windows: int = 0
    backup_runs: int = 0
    snapshots: int = 0
    guard_runs: int = 0
    guard_findings: int = 0
    daily_visitors: int = 0
    log_findings: int = 0
    log_incidents: int = 0
    services: int = 0
    renewals: int = 0
    reminders: int = 0
    cases: int = 0
    complaints: int = 0
    website_requests: int = 0
    sop_runs: int = 0
    sop_steps: int = 0
    system_events: int = 0
    people_events: int = 0

    @property
    def events(self) -> int:
        return self.system_events + self.people_events

    def as_dict(self) -> dict[str, int]:
        return {**asdict(self), "events": self.events}


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    start: datetime  # the local midnight the month begins at, in UTC
    end: datetime  # exclusive
    zone: tzinfo  # the installation's time zone, whose days these are

    @classmethod
    def of(cls, year: int, month: int) -> Month:
        following = date(year + month // 12, month % 12 + 1, 1)
        return cls(year, month, local_midnight(date(year, month, 1)).astimezone(UTC),
                   local_midnight(following).astimezone(UTC), timezone.get_current_timezone())

    @cached_property
    def days(self) -> list[date]:
        first = date(self.year, self.month, 1)
        return [first + timedelta(days=n) for n in range((self.end - self.start).days)]

    @cached_property
    def last_day(self) -> date:
        return self.days[-1]

    def at(self, day: date, hours: float) -> datetime:
        """`hours` after the local midnight that begins `day`, in UTC."""
        return (datetime.combine(day, time.min, tzinfo=self.zone) + timedelta(hours=hours)).astimezone(UTC)

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    def day_of(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()


class People:
    """The people who work on the sites, by the kind of role they hold (everyone counts as an operator when
    nobody holds a role)."""

    def __init__(self, users: Sequence[User], kinds: dict[int, str]) -> None:
        self.users = list(users)
        self.by_kind: dict[str, list[User]] = {}
        self.by_name = {user.get_username(): user for user in self.users}
        for user in self.users:
            self.by_kind.setdefault(kinds.get(int(user.pk), RoleKind.OPERATOR), []).append(user)

    def pick(self, rng: random.Random, kind: str = RoleKind.OPERATOR) -> User:
        holders = self.by_kind.get(kind) or self.by_kind.get(RoleKind.OPERATOR) or self.users
        return rng.choice(holders)

    def named(self, username: str) -> User:
        return self.by_name[username]

    def names(self, kind: str) -> str:
        """Who an overdue reminder names: the holders of the role, as `sop.overdue.names` words it."""
        holders = self.by_kind.get(kind, [])
        return ", ".join(user.get_full_name() or user.get_username() for user in holders) or _("nobody holds the role")


Target = tuple[type[models.Model], int, str]  # a row written without a model instance: model, key, label
EVENT_COLUMNS = ("at", "actor_id", "job", "verb", "severity", "site_id", "organisation_id", "target_type_id",
                 "target_id", "target_label", "data")


class EventLog:
    """The activity log the real code would have written, with the columns `record()` fills, written in batches.

    Every event must fall inside the month: the generator plans its records so, and an event outside it is a
    mistake in the plan, not something to move quietly."""

    def __init__(self, month: Month, counts: MonthFill) -> None:
        self.month = month
        self.counts = counts
        self.table = Table(Event, EVENT_COLUMNS)

    def system(self, verb: str, at: datetime, job: str, **details: Any) -> None:
        self.add(verb, at, None, job, **details)
        self.counts.system_events += 1

    def person(self, verb: str, at: datetime, user: User, **details: Any) -> None:
        self.add(verb, at, user.pk, "", **details)
        self.counts.people_events += 1

    def add(self, verb: str, at: datetime, actor_id: int | None, job: str, *, site: Site | None = None,
            organisation: Organisation | None = None, target: models.Model | None = None,
            row: Target | None = None, severity: str = Severity.INFO, shared: dict[str, Any] | None = None,
            **data: Any) -> None:
        """`shared`: the event's data as one dict that many events hold (written once per run of them)."""
        if not self.month.contains(at):
            raise ValueError(f"{verb} at {at.isoformat()} is outside {self.month.year}-{self.month.month:02d}")
        organisation_id = organisation.pk if organisation is not None else (
            site.organisation_id if site is not None else None)
        kind, key, label = None, "", ""
        if target is not None:
            kind, key, label = ContentType.objects.get_for_model(target).pk, str(target.pk), str(target)[:300]
        elif row is not None:
            kind, key, label = ContentType.objects.get_for_model(row[0]).pk, str(row[1]), row[2][:300]
        self.table.add(at, actor_id, job, verb, severity, site.pk if site is not None else None, organisation_id,
                       kind, key, label, data if shared is None else shared)

    def flush(self) -> None:
        self.table.flush()


@dataclass
class Fill:
    """The state shared by the parts of one fill."""

    rng: random.Random
    month: Month
    sites: list[Site]  # with their organisations, in primary-key order
    people: People
    seed: int
    counts: MonthFill = field(default_factory=MonthFill)
    events: EventLog = field(init=False)
    keys: Keys = field(default_factory=Keys)

    def __post_init__(self) -> None:
        self.events = EventLog(self.month, self.counts)

    def stable_text(self, *parts: object, length: int = 8, alphabet: str = "0123456789abcdef") -> str:
        """A value unique to the seed and `parts` (a reference number, a file name) that a second fill of other
        sites cannot repeat, unlike a draw from the shared random stream."""
        digest = hashlib.blake2b(":".join(str(part) for part in (self.seed, *parts)).encode(), digest_size=32)
        number = int.from_bytes(digest.digest(), "big")
        chars = []
        for _position in range(length):
            number, index = divmod(number, len(alphabet))
            chars.append(alphabet[index])
        return "".join(chars)

    def save(self, model: type[Model], objects: Iterable[Model]) -> list[Model]:
        """Write the instances (their own times kept, as set); they get their primary keys."""
        rows = list(objects)
        write_all(model, rows, self.keys)
        return rows

    def hex_id(self) -> str:
        """A 64-character hex identifier (a snapshot id), from the random stream."""
        return f"{self.rng.getrandbits(256):064x}"

