"""Schedule entries (one per declared job, and per site for per-site jobs) and the record of every run."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jagaweb.jobs.choices import RunStatus, Trigger


class ScheduleEntry(models.Model):
    job = models.CharField(_("job"), max_length=100)
    site = models.ForeignKey(
        "inventory.Site", verbose_name=_("site"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="schedule_entries",
    )
    interval = models.DurationField(_("interval"))
    enabled = models.BooleanField(_("enabled"), default=True)
    next_due_at = models.DateTimeField(_("next due"), db_index=True)

    class Meta:
        ordering = ["job", "site__name"]
        permissions = [("run_scheduleentry", _("Can run a scheduled job by hand"))]
        verbose_name = _("schedule entry")
        verbose_name_plural = _("schedule entries")
        constraints = [
            models.UniqueConstraint(fields=["job", "site"], name="jobs_entry_unique", nulls_distinct=False),
            models.CheckConstraint(condition=models.Q(interval__gte=timedelta(seconds=10)), name="jobs_interval_min"),
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
    entry = models.ForeignKey(ScheduleEntry, verbose_name=_("schedule entry"), on_delete=models.CASCADE, related_name="runs")
    slot = models.DateTimeField(_("slot"))
    trigger = models.CharField(_("trigger"), max_length=10, choices=Trigger.choices, default=Trigger.SCHEDULE)
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    created_at = models.DateTimeField(_("queued"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    worker = models.CharField(_("worker"), max_length=100, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        constraints = [models.UniqueConstraint(fields=["entry", "slot"], name="jobs_run_once_per_slot")]
        indexes = [models.Index(fields=["status", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.entry} @ {self.slot:%Y-%m-%d %H:%M:%S}"

    def get_absolute_url(self) -> str:
        return reverse("jobs:run_detail", args=[self.pk])

    @property
    def duration(self) -> timedelta | None:
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None
