"""The working-hours calendar that SOP due times count in: weekly hours and days off, for the whole
institution or for one organisation (whose units inherit them)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from pathlib import PurePath
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jagaweb.inventory.models import Organisation, ThirdParty
from jagaweb.people.choices import RoleKind
from jagaweb.sop.calendar import DEFAULT_HOURS, Hours, WorkingCalendar
from jagaweb.sop.choices import (
    AutomationState,
    DayOffKind,
    Decision,
    EvidenceKind,
    RunState,
    StartKind,
    StepState,
    Symbol,
    TimeUnit,
    TriggerEvent,
)

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


# Runs: an SOP carried out once, step by step. The definitions live in YAML (sop.definitions); a run keeps
# the definition's name and digest, and each step instance copies what it needs of its step (performer, role,
# Waktu), so a run stays readable and measurable after its definition was changed or removed.


class Run(models.Model):
    definition_name = models.CharField(gettext_lazy("SOP"), max_length=100, db_index=True)
    definition_digest = models.CharField(max_length=64, blank=True)
    title = models.CharField(gettext_lazy("title"), max_length=300)
    organisation = models.ForeignKey(Organisation, verbose_name=gettext_lazy("organisation"),
                                     on_delete=models.CASCADE, related_name="sop_runs")
    site = models.ForeignKey("inventory.Site", verbose_name=gettext_lazy("site"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="sop_runs")
    state = models.CharField(gettext_lazy("state"), max_length=20, choices=RunState.choices, default=RunState.OPEN)
    started_via = models.CharField(gettext_lazy("started"), max_length=20, choices=StartKind.choices,
                                   default=StartKind.MANUAL)
    trigger_event = models.CharField(gettext_lazy("event"), max_length=30, choices=TriggerEvent.choices, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("started by"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    started_by_label = models.CharField(max_length=150, blank=True)
    started_at = models.DateTimeField(gettext_lazy("started"))
    finished_at = models.DateTimeField(gettext_lazy("finished"), null=True, blank=True)
    # What started it (a monitoring incident, a guard run, a complaint, ...): no foreign key, so a run can
    # point at any capability's record and outlive it.
    source_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source_id = models.CharField(max_length=64, blank=True)
    source_label = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = gettext_lazy("SOP run")
        verbose_name_plural = gettext_lazy("SOP runs")
        indexes = [models.Index(fields=["state", "definition_name"]), models.Index(fields=["site", "state"]),
                   models.Index(fields=["source_type", "source_id"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("sop:run_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state == RunState.OPEN

    def current_step(self) -> RunStep | None:
        return self.steps.filter(state__in=(StepState.OPEN, StepState.WAITING)).order_by("-pk").first()


class RunStep(models.Model):
    """One step of a run, from the moment it opened until someone (or an automation) completed it."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="steps")
    number = models.PositiveSmallIntegerField(gettext_lazy("step"))
    activity = models.TextField(gettext_lazy("activity"))
    symbol = models.CharField(max_length=10, choices=Symbol.choices, default=Symbol.PROCESS)
    performer = models.CharField(max_length=100)  # the definition's performer id
    performer_label = models.CharField(gettext_lazy("performer"), max_length=200)
    role_kind = models.CharField(gettext_lazy("role"), max_length=20, choices=RoleKind.choices, blank=True)
    escalation_kind = models.CharField(max_length=20, choices=RoleKind.choices, blank=True)
    output = models.TextField(gettext_lazy("output"), blank=True)
    waktu_value = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    waktu_unit = models.CharField(max_length=20, choices=TimeUnit.choices, blank=True)
    waktu_text = models.CharField(gettext_lazy("time standard"), max_length=100, blank=True)
    waits_for_requester = models.BooleanField(default=False)
    state = models.CharField(gettext_lazy("state"), max_length=20, choices=StepState.choices, default=StepState.OPEN)
    started_at = models.DateTimeField(gettext_lazy("started"))
    due_at = models.DateTimeField(gettext_lazy("due"), null=True, blank=True)
    paused_for = models.DurationField(default=timedelta(0))  # working time spent waiting for the requester
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("assigned to"), null=True,
                                 blank=True, on_delete=models.SET_NULL, related_name="sop_steps")
    completed_at = models.DateTimeField(gettext_lazy("completed"), null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("completed by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    completed_by_label = models.CharField(max_length=150, blank=True)
    note = models.TextField(gettext_lazy("note"), blank=True)
    decision = models.CharField(gettext_lazy("decision"), max_length=3, choices=Decision.choices, blank=True)
    automations = models.JSONField(default=list, blank=True)  # AutomationKind values, copied from the definition
    automation_state = models.CharField(max_length=10, choices=AutomationState.choices, blank=True,
                                        default=AutomationState.NONE)
    reminded_at = models.DateTimeField(gettext_lazy("reminded"), null=True, blank=True)
    escalated_at = models.DateTimeField(gettext_lazy("escalated"), null=True, blank=True)
    escalated_to = models.CharField(gettext_lazy("escalated to"), max_length=20, choices=RoleKind.choices, blank=True)

    class Meta:
        ordering = ["run", "pk"]
        verbose_name = gettext_lazy("SOP step")
        verbose_name_plural = gettext_lazy("SOP steps")
        indexes = [models.Index(fields=["state", "due_at"]), models.Index(fields=["run", "number"]),
                   models.Index(fields=["automation_state"])]

    def __str__(self) -> str:
        return f"{self.run} · {self.number}"

    def get_absolute_url(self) -> str:
        return f"{self.run.get_absolute_url()}#step-{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state in (StepState.OPEN, StepState.WAITING)

    def is_overdue(self, now: datetime) -> bool:
        """Past its due time and still to do; a step waiting for the requester is not late (its clock stands)."""
        return self.state == StepState.OPEN and self.due_at is not None and self.due_at < now

    @property
    def within_time(self) -> bool | None:
        """Completed by its due time (None: no time standard, or not completed)."""
        if self.completed_at is None or self.due_at is None:
            return None
        return self.completed_at <= self.due_at


class StepPause(models.Model):
    """A stretch of time a step waited for the requester; its working time moved the due time back."""

    step = models.ForeignKey(RunStep, on_delete=models.CASCADE, related_name="pauses")
    started_at = models.DateTimeField(gettext_lazy("from"))
    ended_at = models.DateTimeField(gettext_lazy("until"), null=True, blank=True)
    reason = models.CharField(gettext_lazy("reason"), max_length=300, blank=True)
    started_by_label = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["started_at", "pk"]

    def __str__(self) -> str:
        return f"{self.step_id} {self.started_at:%Y-%m-%d %H:%M}"


def evidence_path(evidence: Evidence, filename: str) -> str:
    """sop/<run>/<random>.<ext>: the uploaded name is kept in the row, never in the path."""
    return f"sop/{evidence.step.run_id}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


class Evidence(models.Model):
    """A step's output: a file someone uploaded, or a record JagaWeb made (a backup run, a guard check, ...)."""

    step = models.ForeignKey(RunStep, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(gettext_lazy("kind"), max_length=10, choices=EvidenceKind.choices)
    label = models.CharField(gettext_lazy("label"), max_length=300)
    file = models.FileField(gettext_lazy("file"), upload_to=evidence_path, max_length=300, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    target_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    ok = models.BooleanField(default=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    added_by_label = models.CharField(max_length=150, blank=True)
    added_at = models.DateTimeField(gettext_lazy("added"))

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name = gettext_lazy("evidence")
        verbose_name_plural = gettext_lazy("evidence")

    def __str__(self) -> str:
        return self.label

    def target(self) -> models.Model | None:
        """The linked record, when it still exists."""
        if self.target_type is None:
            return None
        model = self.target_type.model_class()
        return None if model is None else model._default_manager.filter(pk=self.target_id).first()


class Involvement(models.Model):
    """A third party called in on a step: who, when they were contacted, and what they answered."""

    step = models.ForeignKey(RunStep, on_delete=models.CASCADE, related_name="involvements")
    third_party = models.ForeignKey(ThirdParty, verbose_name=gettext_lazy("third party"), on_delete=models.PROTECT,
                                    related_name="sop_involvements")
    contacted_at = models.DateTimeField(gettext_lazy("contacted"))
    request = models.TextField(gettext_lazy("what was asked"), blank=True)
    answer = models.TextField(gettext_lazy("answer"), blank=True)
    answered_at = models.DateTimeField(gettext_lazy("answered"), null=True, blank=True)
    recorded_by_label = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["contacted_at", "pk"]
        verbose_name = gettext_lazy("third-party involvement")
        verbose_name_plural = gettext_lazy("third-party involvements")

    def __str__(self) -> str:
        return f"{self.third_party} · {self.contacted_at:%Y-%m-%d %H:%M}"


# Cases, complaints and website requests live in their own module; Django finds models through this one.
from jagaweb.sop.models_cases import Case, Complaint, WebsiteRequest  # noqa: E402

__all__ = ["Case", "Complaint", "DayOff", "Evidence", "Involvement", "Run", "RunStep", "StepPause",
           "WebsiteRequest", "WorkingHours", "calendar_for"]
