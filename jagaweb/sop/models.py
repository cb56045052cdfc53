"""The working-hours calendar that SOP due times count in: weekly hours and days off, for the whole
institution or for one organisation (whose units inherit them)."""

from __future__ import annotations

from datetime import date, time
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jagaweb.inventory.models import Organisation
from jagaweb.sop.calendar import DEFAULT_HOURS, Hours, WorkingCalendar

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def default_start(weekday: int) -> time | None:
    hours = DEFAULT_HOURS[weekday]
    return hours[0] if hours else None


def default_end(weekday: int) -> time | None:
    hours = DEFAULT_HOURS[weekday]
    return hours[1] if hours else None


def opening(weekday: int, label: StrPromise) -> models.TimeField:
    return models.TimeField(label, null=True, blank=True, default=default_start(weekday))


def closing(weekday: int, label: StrPromise) -> models.TimeField:
    return models.TimeField(label, null=True, blank=True, default=default_end(weekday))


class DayOffKind(models.TextChoices):
    # Kept beside its model until sop/choices.py (another part of the app) takes it in.
    COLLECTIVE_LEAVE = "collective_leave", gettext_lazy("Collective leave (cuti bersama)")
    LOCAL_HOLIDAY = "local_holiday", gettext_lazy("Local holiday")
    EXTRA_WORKING_DAY = "extra_working_day", gettext_lazy("Extra working day (hari kerja pengganti)")


class WorkingHours(models.Model):
    """Opening and closing time per weekday (empty: not a working day). The row without an organisation
    is the institution's; an organisation's row applies to it and to its units."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=gettext_lazy("organisation"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="+", help_text=gettext_lazy("Empty: the whole institution."),
    )
    monday_start = opening(0, gettext_lazy("Monday from"))
    monday_end = closing(0, gettext_lazy("Monday until"))
    tuesday_start = opening(1, gettext_lazy("Tuesday from"))
    tuesday_end = closing(1, gettext_lazy("Tuesday until"))
    wednesday_start = opening(2, gettext_lazy("Wednesday from"))
    wednesday_end = closing(2, gettext_lazy("Wednesday until"))
    thursday_start = opening(3, gettext_lazy("Thursday from"))
    thursday_end = closing(3, gettext_lazy("Thursday until"))
    friday_start = opening(4, gettext_lazy("Friday from"))
    friday_end = closing(4, gettext_lazy("Friday until"))
    saturday_start = opening(5, gettext_lazy("Saturday from"))
    saturday_end = closing(5, gettext_lazy("Saturday until"))
    sunday_start = opening(6, gettext_lazy("Sunday from"))
    sunday_end = closing(6, gettext_lazy("Sunday until"))
    national_holidays = models.BooleanField(gettext_lazy("national holidays are days off"), default=True)
    joint_holidays = models.BooleanField(
        gettext_lazy("the government's collective leave days are days off"), default=True,
        help_text=gettext_lazy("Cuti bersama as decreed for civil servants, as far as the holiday calendar knows "
                               "them; add others as days off."),
    )

    class Meta:
        verbose_name = gettext_lazy("working hours")
        verbose_name_plural = gettext_lazy("working hours")
        constraints = [
            models.UniqueConstraint(Coalesce("organisation", Value(0)), name="sop_workinghours_one_per_scope"),
        ]

    def __str__(self) -> str:
        return str(self.organisation) if self.organisation_id else _("Whole institution")

    def weekly_hours(self) -> dict[int, Hours | None]:
        weekly: dict[int, Hours | None] = {}
        for weekday, name in enumerate(WEEKDAYS):
            start, end = getattr(self, f"{name}_start"), getattr(self, f"{name}_end")
            weekly[weekday] = (start, end) if start is not None and end is not None else None
        return weekly

    def clean(self) -> None:
        errors: dict[str, str] = {}
        for name in WEEKDAYS:
            start, end = getattr(self, f"{name}_start"), getattr(self, f"{name}_end")
            if (start is None) != (end is None):
                errors[f"{name}_end"] = _("Give both times, or neither for a day off.")
            elif start is not None and end is not None and end <= start:
                errors[f"{name}_end"] = _("The day must end after it starts.")
        if errors:
            raise ValidationError(errors)


class DayOff(models.Model):
    """A date that differs from the weekly hours: collective leave or a local holiday (no work), or an extra
    working day (work on a weekend or holiday, with its own hours or the usual ones)."""

    date = models.DateField(gettext_lazy("date"))
    name = models.CharField(gettext_lazy("name"), max_length=200)
    kind = models.CharField(gettext_lazy("kind"), max_length=30, choices=DayOffKind.choices)
    organisation = models.ForeignKey(
        Organisation, verbose_name=gettext_lazy("organisation"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="+", help_text=gettext_lazy("Empty: the whole institution."),
    )
    start = models.TimeField(gettext_lazy("from"), null=True, blank=True,
                             help_text=gettext_lazy("Extra working days only; empty: the usual hours."))
    end = models.TimeField(gettext_lazy("until"), null=True, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = gettext_lazy("day off")
        verbose_name_plural = gettext_lazy("days off")
        constraints = [
            models.UniqueConstraint(Coalesce("organisation", Value(0)), "date",
                                    name="sop_dayoff_one_per_date_and_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"

    def clean(self) -> None:
        if (self.start is None) != (self.end is None):
            raise ValidationError({"end": _("Give both times, or neither for the usual hours.")})
        if self.start is not None and self.end is not None:
            if self.kind != DayOffKind.EXTRA_WORKING_DAY:
                raise ValidationError({"start": _("Only an extra working day has hours.")})
            if self.end <= self.start:
                raise ValidationError({"end": _("The day must end after it starts.")})


def organisation_chain(organisation: Organisation | None) -> list[int]:
    """The organisation and its parents, nearest first (a loop in the tree stops the walk)."""
    chain: list[int] = []
    while organisation is not None and organisation.pk not in chain:
        chain.append(organisation.pk)
        organisation = organisation.parent
    return chain


def calendar_for(organisation: Organisation | None = None) -> WorkingCalendar:
    """The working calendar of an organisation: its own hours or the nearest parent's, else the institution's,
    else the defaults; days off of the institution and of the organisation's chain (the nearest wins a date)."""
    chain = organisation_chain(organisation)
    rank = {pk: position for position, pk in enumerate(chain)}
    farthest = len(chain)  # the institution's rows come after every organisation's
    rows = WorkingHours.objects.filter(models.Q(organisation__isnull=True) | models.Q(organisation_id__in=chain))
    chosen = min(rows, key=lambda row: rank.get(row.organisation_id, farthest) if row.organisation_id else farthest,
                 default=None)
    days_off: dict[date, str] = {}
    extra: dict[date, Hours | None] = {}
    entries = DayOff.objects.filter(models.Q(organisation__isnull=True) | models.Q(organisation_id__in=chain))
    nearest_first = sorted(entries, key=lambda e: rank.get(e.organisation_id, farthest) if e.organisation_id
                           else farthest)
    for entry in nearest_first:
        if entry.date in days_off or entry.date in extra:
            continue
        if entry.kind == DayOffKind.EXTRA_WORKING_DAY:
            extra[entry.date] = (entry.start, entry.end) if entry.start and entry.end else None
        else:
            days_off[entry.date] = entry.name
    zone = ZoneInfo(settings.TIME_ZONE)
    if chosen is None:
        return WorkingCalendar(zone=zone, days_off=days_off, extra_working_days=extra)
    return WorkingCalendar(
        zone=zone, hours=chosen.weekly_hours(), national_holidays=chosen.national_holidays,
        joint_holidays=chosen.joint_holidays, days_off=days_off, extra_working_days=extra,
    )
