"""The activity log as the daily-log sections read it: the events of a scope, grouped in the database.

A month for 1,000 sites holds some 300,000 system events, so only people's entries (a few thousand) are
fetched row by row; system work is counted per (job, verb) or per (day, job, verb) in one query each.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Case, Count, Func, IntegerField, Max, Min, Q, QuerySet, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import ExtractHour
from django.utils.translation import gettext

from jagaweb.activity.choices import Severity
from jagaweb.activity.models import Event
from jagaweb.activity.verbs import VERBS, translated_words
from jagaweb.inventory.models import Organisation
from jagaweb.monitor.history import local_midnight
from jagaweb.reports.sections.base import Scope
from jagaweb.sop.calendar import is_working_day
from jagaweb.sop.models import calendar_for

ALARMING = (Severity.WARNING, Severity.CRITICAL)
PERSON = Q(actor__isnull=False)
SYSTEM = Q(actor__isnull=True)
# Details of a sentence that name the kind of work rather than the thing worked on ("Backup" in "{operation}
# of {site_name} finished"): a group's label keeps them when they are the same for the whole group.
KIND_KEYS = ("operation", "kind", "job", "format")
SITE_KEY = "site_name"


def events_in_scope(scope: Scope) -> QuerySet[Event]:
    """The scope's events: those of its sites, and those without a site of its organisation (or all of them)."""
    without_site = Q(site__isnull=True)
    if scope.organisation_id is not None:
        without_site &= Q(organisation_id=scope.organisation_id)
    # order_by() drops the model's ordering, which would otherwise split every GROUP BY below.
    return Event.objects.filter(at__gte=scope.start, at__lt=scope.end).filter(
        Q(site_id__in=scope.site_ids) | without_site
    ).order_by()


@dataclass(frozen=True)
class Totals:
    people: int
    system: int
    info: int
    warning: int
    critical: int
    system_sites: int  # the sites the system worked on
    critical_sites: int

    @property
    def total(self) -> int:
        return self.people + self.system

    @property
    def alarming(self) -> int:
        return self.warning + self.critical


def totals(events: QuerySet[Event]) -> Totals:
    counts = events.aggregate(
        people=Count("id", filter=PERSON), system=Count("id", filter=SYSTEM),
        info=Count("id", filter=Q(severity=Severity.INFO)), warning=Count("id", filter=Q(severity=Severity.WARNING)),
        critical=Count("id", filter=Q(severity=Severity.CRITICAL)),
        system_sites=Count("site", distinct=True, filter=SYSTEM),
        critical_sites=Count("site", distinct=True, filter=Q(severity=Severity.CRITICAL)),
    )
    return Totals(**{name: value or 0 for name, value in counts.items()})


@dataclass(frozen=True)
class Entry:
    """One entry listed in full, worded in the active language: a person's, or a system warning."""

    at: datetime
    username: str  # the person's login name; empty for the system
    who: str  # the person's name, or the system job
    place: str | None  # the site's name, else the organisation's
    message: str
    severity: str


def people_entries(events: QuerySet[Event]) -> list[Entry]:
    rows = events.filter(PERSON).select_related("actor", "site", "organisation").order_by("at", "id")
    return [Entry(at=event.at, username=event.actor.get_username() if event.actor else "", who=event.actor_name,
                  place=place_of(event), message=event.message, severity=event.severity) for event in rows]


def place_of(event: Event) -> str | None:
    if event.site is not None:
        return event.site.name
    return event.organisation.name if event.organisation is not None else None


def entries_by_person(entries: list[Entry]) -> dict[str, int]:
    return dict(Counter(entry.username for entry in entries).most_common())


def alarming_system_entries(events: QuerySet[Event]) -> list[Entry]:
    """System warnings and critical events in full; they are few even on a bad day, so each is worded."""
    rows = (events.filter(SYSTEM, severity__in=ALARMING).select_related("site", "organisation")
            .order_by("at", "id"))
    return [Entry(at=event.at, username="", who=event.job, place=place_of(event), message=event.message,
                  severity=event.severity) for event in rows]


@dataclass(frozen=True)
class Counts:
    people: int = 0
    system: int = 0
    warning: int = 0
    critical: int = 0

    @property
    def total(self) -> int:
        return self.people + self.system

    @property
    def level(self) -> str:
        """The chart colour of a bar: the worst severity among its entries."""
        return "bad" if self.critical else "fair" if self.warning else "info"


def day_index(days: list[date]) -> Case:
    """Which of `days` (consecutive local dates) an event falls on, as its index.

    Comparing with each local midnight is plain SQL on every database, where TruncDate in a time zone runs a
    Python function per row on SQLite (seconds for a month of 1,000 sites).
    """
    whens = [When(at__lt=day_end(day), then=Value(index)) for index, day in enumerate(days)]
    return Case(*whens, default=Value(len(days) - 1), output_field=IntegerField())


def counts_by(events: QuerySet[Event], bucket: Func | Case) -> dict[Any, Counts]:
    """Entries per bucket (a local hour, a local date), split by who made them and how severe they were."""
    rows = (events.annotate(bucket=bucket).values("bucket")
            .annotate(people=Count("id", filter=PERSON), system=Count("id", filter=SYSTEM),
                      warning=Count("id", filter=Q(severity=Severity.WARNING)),
                      critical=Count("id", filter=Q(severity=Severity.CRITICAL)))
            .values_list("bucket", "people", "system", "warning", "critical"))
    return {key: Counts(people, system, warning, critical) for key, people, system, warning, critical in rows}


def per_hour(events: QuerySet[Event]) -> dict[int, Counts]:
    return counts_by(events, ExtractHour("at"))


def per_day(events: QuerySet[Event], days: list[date]) -> dict[date, Counts]:
    return {days[index]: counts for index, counts in counts_by(events, day_index(days)).items()}


@dataclass(frozen=True)
class SystemWork:
    """How often one system job did one thing (in a day, or in the whole scope)."""

    job: str
    verb: str
    entries: int
    sites: int
    alarming: int
    first: datetime
    last: datetime
    day: date | None = None


def system_work(events: QuerySet[Event], days: list[date] | None = None) -> list[SystemWork]:
    """System events grouped by (job, verb), or by (day, job, verb) with `days`; the most frequent first."""
    grouped = events.filter(SYSTEM)
    keys = ["job", "verb"]
    if days:
        grouped = grouped.annotate(day=day_index(days))
        keys = ["day", *keys]
    rows = (grouped.values(*keys)
            .annotate(entries=Count("id"), sites=Count("site", distinct=True),
                      alarming=Count("id", filter=Q(severity__in=ALARMING)), first=Min("at"), last=Max("at"))
            .values_list(*keys, "entries", "sites", "alarming", "first", "last"))
    work = [work_of(row, days) for row in rows]
    return sorted(work, key=lambda item: (item.day or date.min, -item.entries, item.job, item.verb))


def work_of(row: tuple[Any, ...], days: list[date] | None) -> SystemWork:
    job, verb, entries, sites, alarming, first, last = row[-7:]
    return SystemWork(job, verb, entries, sites, alarming, first, last, day=days[row[0]] if days else None)


def sentence_head(code: str) -> str | None:
    """A verb's sentence up to its details (after a colon) and without remarks in brackets."""
    verb = VERBS.get(code)
    if verb is None:
        return None
    sentence = str(verb.sentence)
    head = sentence.split(":", 1)[0]
    if not re.search(r"\w", re.sub(r"\{\w+\}", "", head)):
        head = sentence  # nothing but details before the colon: keep the whole sentence
    return re.sub(r"\s*\([^()]*\)", "", head).strip()


class _Unnamed(dict[str, object]):
    """The details a label leaves out show as an ellipsis."""

    def __missing__(self, key: str) -> str:
        return "…"


def label_for(code: str, kinds: dict[str, str] | None = None) -> str:
    """A short label for what a verb says, e.g. "Backup of the site finished"; the verb's code if none fits.

    `kinds` are the values of KIND_KEYS shared by every event of the group (say operation="Backup").
    """
    head = sentence_head(code)
    if head is None:
        return code
    values = _Unnamed({**translated_words(dict(kinds or {})), SITE_KEY: gettext("the site")})
    try:
        label = " ".join(head.format_map(values).split())
    except (IndexError, ValueError, AttributeError, TypeError):
        return code
    if not re.search(r"\w", label):
        return code
    return label[0].upper() + label[1:]


def shared_kinds(events: QuerySet[Event], work: list[SystemWork]) -> dict[tuple[str, str], dict[str, str]]:
    """Per (job, verb), the KIND_KEYS values every system event of the group has in common."""
    verbs = {item.verb for item in work
             if any(f"{{{key}}}" in (sentence_head(item.verb) or "") for key in KIND_KEYS)}
    if not verbs:
        return {}
    bounds: dict[str, Any] = {}
    for key in KIND_KEYS:
        bounds[f"{key}_low"] = Min(KeyTextTransform(key, "data"))
        bounds[f"{key}_high"] = Max(KeyTextTransform(key, "data"))
    rows = (events.filter(SYSTEM, verb__in=verbs).values("job", "verb").annotate(**bounds)
            .values_list("job", "verb", *bounds))
    shared: dict[tuple[str, str], dict[str, str]] = {}
    for job, verb, *values in rows:
        pairs = zip(KIND_KEYS, values[::2], values[1::2], strict=True)
        shared[(job, verb)] = {key: low for key, low, high in pairs if low is not None and low == high}
    return shared


def labels(events: QuerySet[Event], work: list[SystemWork]) -> dict[tuple[str, str], str]:
    kinds = shared_kinds(events, work)
    groups = {(item.job, item.verb) for item in work}
    return {(job, verb): label_for(verb, kinds.get((job, verb))) for job, verb in groups}


def working_days(scope: Scope) -> set[date]:
    """The scope's days on which its organisation (or the institution) works, by its working calendar."""
    organisation = Organisation.objects.filter(pk=scope.organisation_id).first() if scope.organisation_id else None
    calendar = calendar_for(organisation)
    return {day for day in scope.days if is_working_day(day, calendar)}


def finished_working_days(scope: Scope) -> list[date]:
    """The scope's whole working days that are over by the time of issue (a day in progress is not judged)."""
    until = min(scope.end, scope.now)
    working = working_days(scope)
    return [day for day in scope.days
            if day in working and local_midnight(day) >= scope.start and day_end(day) <= until]


def day_end(day: date) -> datetime:
    return local_midnight(day + timedelta(days=1))
