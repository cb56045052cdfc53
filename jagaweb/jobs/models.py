"""Schedule entries (one per declared job, and per site for per-site jobs) and the record of every run."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jagaweb.jobs.choices import RunStatus, Trigger
from jagaweb.people.scope import sees_everything, visible_sites

MIN_INTERVAL = timedelta(seconds=10)
INTERVAL_TOO_SHORT = _("The interval must be at least 10 seconds.")


class ScheduleEntryQuerySet(models.QuerySet["ScheduleEntry"]):
    def visible_to(self, user: Any) -> ScheduleEntryQuerySet:
        """Everything for users who see every site; else the entries of their sites, no global ones."""
        if sees_everything(user):
            return self
        return self.filter(site__in=visible_sites(user))

    def runnable(self) -> ScheduleEntryQuerySet:
        """Enabled entries whose site (if any) is active: an inactive site's checks pause at once."""
        return self.filter(enabled=True).filter(models.Q(site__isnull=True) | models.Q(site__is_active=True))


class JobRunQuerySet(models.QuerySet["JobRun"]):
    def visible_to(self, user: Any) -> JobRunQuerySet:
        if sees_everything(user):
            return self
        return self.filter(entry__site__in=visible_sites(user))

    def finished(self) -> JobRunQuerySet:
        return self.filter(status__in=[RunStatus.SUCCEEDED, RunStatus.FAILED])


class ScheduleEntry(models.Model):
    job = models.CharField(_("job"), max_length=100)
    site = models.ForeignKey(
        "inventory.Site", verbose_name=_("site"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="schedule_entries",
    )
    interval = models.DurationField(
        _("interval"), validators=[MinValueValidator(MIN_INTERVAL, message=INTERVAL_TOO_SHORT)],
        help_text=_("For example 00:05:00 for five minutes or 1 00:00:00 for a day. At least 10 seconds."),
    )
    # True once an operator set an interval other than the declared default; then a new default in a
    # later version leaves this entry alone, while entries still on the default follow it.
    interval_is_custom = models.BooleanField(_("interval set by hand"), default=False, editable=False)
    enabled = models.BooleanField(_("enabled"), default=True)
    next_due_at = models.DateTimeField(_("next due"), db_index=True)

    objects = ScheduleEntryQuerySet.as_manager()

    class Meta:
        ordering = ["job", "site__name"]
        permissions = [("run_scheduleentry", _("Can run a scheduled job by hand"))]
        verbose_name = _("schedule entry")
        verbose_name_plural = _("schedule entries")
        constraints = [
            models.UniqueConstraint(fields=["job", "site"], name="jobs_entry_unique", nulls_distinct=False),
            models.CheckConstraint(
                condition=models.Q(interval__gte=MIN_INTERVAL), name="jobs_interval_min",
                violation_error_message=INTERVAL_TOO_SHORT,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.job} ({self.site})" if self.site_id else self.job

    def get_absolute_url(self) -> str:
        return reverse("jobs:entry_detail", args=[self.pk])

    def slot_after(self, slot: datetime, now: datetime) -> datetime:
        """The next slot strictly after `now`, on the grid of this entry; missed slots are skipped."""
        step = self.interval
        if slot + step > now:
            return slot + step
        missed = (now - slot) // step
        return slot + step * (missed + 1)


class JobRun(models.Model):
    entry = models.ForeignKey(
        ScheduleEntry, verbose_name=_("schedule entry"), on_delete=models.CASCADE, related_name="runs"
    )
    slot = models.DateTimeField(_("slot"))
    trigger = models.CharField(_("trigger"), max_length=10, choices=Trigger.choices, default=Trigger.SCHEDULE)
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    created_at = models.DateTimeField(_("queued"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    worker = models.CharField(_("worker"), max_length=100, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    error = models.TextField(_("error"), blank=True)

    objects = JobRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        constraints = [models.UniqueConstraint(fields=["entry", "slot"], name="jobs_run_once_per_slot")]
        indexes = [
            models.Index(fields=["status", "-created_at"]),
            models.Index(fields=["entry", "-created_at"], name="jobs_run_entry_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.entry} @ {self.slot:%Y-%m-%d %H:%M:%S}"

    def get_absolute_url(self) -> str:
        return reverse("jobs:run_detail", args=[self.pk])

    @property
    def duration(self) -> timedelta | None:
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None
