"""Issued reports (the archive), their acknowledgements up the chain, and the schedules that issue them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jagaweb.reports.choices import Cadence, ReportKind, ReportState


def report_file_path(report: Report, filename: str) -> str:
    return f"reports/{report.issued_at:%Y/%m}/{filename}"


class ReportQuerySet(models.QuerySet["Report"]):
    def visible_to(self, user: Any) -> ReportQuerySet:
        """Reports about every organisation are for staff who see everything; others see their organisations'."""
        from jagaweb.people.scope import sees_everything, visible_organisations

        if sees_everything(user):
            return self
        return self.filter(organisation__in=visible_organisations(user))


class Report(models.Model):
    kind = models.CharField(_("report"), max_length=20, choices=ReportKind.choices)
    title = models.CharField(_("title"), max_length=300)
    number = models.CharField(_("number"), max_length=60, blank=True)
    organisation = models.ForeignKey(
        "inventory.Organisation", verbose_name=_("organisation"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="reports", help_text=_("Empty: every organisation."),
    )
    period_start = models.DateTimeField(_("from"))
    period_end = models.DateTimeField(_("until"))
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="id")
    state = models.CharField(_("state"), max_length=20, choices=ReportState.choices, default=ReportState.RENDERING)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now, db_index=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("prepared by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    prepared_by_label = models.CharField(_("prepared by"), max_length=150)
    notes = models.TextField(_("notes from the preparer"), blank=True)
    schedule = models.ForeignKey(
        "reports.ReportSchedule", verbose_name=_("schedule"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="reports",
    )
    slot = models.DateField(null=True, blank=True)  # the schedule's day this report was issued for
    site_count = models.PositiveIntegerField(_("sites"), default=0)
    figures = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)  # section key -> its key numbers
    pages = models.PositiveIntegerField(_("pages"), default=0)
    render_seconds = models.FloatField(_("rendering time (s)"), default=0.0)
    # While being prepared: how many of its units of work (sections, then the document) are done.
    progress_done = models.PositiveSmallIntegerField(default=0)
    progress_total = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(_("error"), blank=True)
    pdf = models.FileField(upload_to=report_file_path, max_length=300, blank=True)
    html = models.FileField(upload_to=report_file_path, max_length=300, blank=True)
    xlsx = models.FileField(upload_to=report_file_path, max_length=300, blank=True)
    csv = models.FileField(upload_to=report_file_path, max_length=300, blank=True)  # a zip of one CSV per table

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-pk"]
        indexes = [models.Index(fields=["kind", "-issued_at"])]
        constraints = [
            # A schedule issues once per slot, however many workers run the job at the same time.
            models.UniqueConstraint(fields=["schedule", "slot"], condition=Q(schedule__isnull=False),
                                    name="reports_report_once_per_slot"),
        ]
        permissions = [("issue_report", _("Can issue reports")),
                       ("acknowledge_report", _("Can acknowledge reports"))]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reports:report_detail", args=[self.pk])

    @property
    def is_ready(self) -> bool:
        return self.state not in (ReportState.RENDERING, ReportState.FAILED)


class Acknowledgement(models.Model):
    """A reader up the chain has read the report: the supervisor first, then the executive."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="acknowledgements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT,
                             related_name="+")
    state = models.CharField(_("acknowledged as"), max_length=20, choices=ReportState.choices)
    at = models.DateTimeField(_("time"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [models.UniqueConstraint(fields=["report", "state"], name="reports_acknowledged_once")]

    def __str__(self) -> str:
        return f"{self.report} — {self.user} ({self.get_state_display()})"


class ReportSchedule(models.Model):
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("report"), max_length=20, choices=ReportKind.choices)
    cadence = models.CharField(_("how often"), max_length=10, choices=Cadence.choices, default=Cadence.MONTHLY)
    hour = models.PositiveSmallIntegerField(_("at (hour)"), default=7,
                                            help_text=_("Local hour of the day at which the report is issued."))
    organisation = models.ForeignKey(
        "inventory.Organisation", verbose_name=_("organisation"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="report_schedules", help_text=_("Empty: every organisation."),
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="id")
    channels = models.ManyToManyField("notify.Channel", verbose_name=_("send to"), blank=True,
                                      related_name="report_schedules")
    enabled = models.BooleanField(_("enabled"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("report schedule")
        verbose_name_plural = _("report schedules")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("reports:schedule_update", args=[self.pk])
