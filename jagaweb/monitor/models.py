"""Monitoring: checks with their current state, raw results, rollups, incidents, maintenance windows.

A `Check` row holds both what to check (kind, target, config, interval) and the state the engine
keeps between runs (status, streaks, facts such as certificate days or the newest content date), so
the dashboard reads one row per check and never scans results.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jagaweb.inventory.models import Organisation, Site
from jagaweb.monitor.choices import CheckKind, IncidentState, RollupPeriod, Status


def heartbeat_token() -> str:
    return secrets.token_urlsafe(18)


class MonitorProfile(models.Model):
    """Per-site judgement: how many failures open an incident, how many successes close it, when content is stale."""

    site = models.OneToOneField(Site, primary_key=True, on_delete=models.CASCADE, related_name="monitor_profile")
    failures_to_open = models.PositiveSmallIntegerField(_("failures before an incident opens"), default=3)
    successes_to_resolve = models.PositiveSmallIntegerField(_("successes before an incident resolves"), default=2)
    stale_after_days = models.PositiveSmallIntegerField(_("content is stale after (days)"), default=14)
    on_status_page = models.BooleanField(_("shown on the public status page"), default=True)

    class Meta:
        verbose_name = _("monitoring profile")
        verbose_name_plural = _("monitoring profiles")

    def __str__(self) -> str:
        return str(self.site)

    @classmethod
    def for_site(cls, site: Site) -> MonitorProfile:
        profile, _created = cls.objects.get_or_create(site=site)
        return profile


class Check(models.Model):
    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="checks")
    kind = models.CharField(_("kind"), max_length=20, choices=CheckKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)
    target = models.CharField(_("target"), max_length=500, blank=True,
                              help_text=_("URL, host:port or domain; empty means the site's own address."))
    config = models.JSONField(_("options"), default=dict, blank=True)
    interval = models.PositiveIntegerField(_("interval (seconds)"), default=60)
    timeout = models.FloatField(_("timeout (seconds)"), default=10.0)
    allow_private = models.BooleanField(
        _("allow private addresses"), default=False,
        help_text=_("Let this check reach loopback and internal-network addresses (a superuser's decision)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    # State kept by the engine between runs.
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    message = models.CharField(_("message"), max_length=500, blank=True)
    response_ms = models.FloatField(_("response time (ms)"), null=True, blank=True)
    last_checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    next_due_at = models.DateTimeField(_("next check"), default=timezone.now)
    consecutive_failures = models.PositiveIntegerField(default=0)
    consecutive_successes = models.PositiveIntegerField(default=0)
    facts = models.JSONField(default=dict, blank=True)  # what the last run measured, per kind
    baseline = models.JSONField(default=dict, blank=True)  # recorded DNS answers to compare with
    notices_sent = models.JSONField(default=dict, blank=True)  # notice key -> ISO time, so each is sent once
    token = models.CharField(max_length=40, unique=True, default=heartbeat_token, editable=False)
    last_ping_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)

    class Meta:
        ordering = ["site", "kind", "pk"]
        verbose_name = _("check")
        verbose_name_plural = _("checks")
        indexes = [models.Index(fields=["is_active", "next_due_at"]), models.Index(fields=["site", "kind"])]

    def __str__(self) -> str:
        return self.name or f"{self.get_kind_display()} · {self.site}"

    def get_absolute_url(self) -> str:
        return reverse("monitor:check_detail", args=[self.pk])


class Result(models.Model):
    """One run of one check; kept for JAGAWEB_MONITOR_KEEP_RESULTS_HOURS, then only rollups remain."""

    check_ref = models.ForeignKey(Check, on_delete=models.CASCADE, related_name="results", db_column="check_id")
    at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices)
    response_ms = models.FloatField(null=True)
    message = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["check_ref", "at"]), models.Index(fields=["at"])]

    def __str__(self) -> str:
        return f"{self.check_ref_id} {self.at:%Y-%m-%d %H:%M:%S} {self.status}"


class Rollup(models.Model):
    """Counts and a response-time histogram of one check over one minute, hour or day.

    Histograms (fixed bucket edges, see `monitor.stats`) add up exactly, so hours are built from
    minutes and days from hours, and percentiles come from any span without the raw results.
    """

    check_ref = models.ForeignKey(Check, on_delete=models.CASCADE, related_name="rollups", db_column="check_id")
    period = models.CharField(max_length=10, choices=RollupPeriod.choices)
    start = models.DateTimeField()
    up = models.PositiveIntegerField(default=0)
    degraded = models.PositiveIntegerField(default=0)
    down = models.PositiveIntegerField(default=0)
    unknown = models.PositiveIntegerField(default=0)
    total_ms = models.FloatField(default=0.0)
    max_ms = models.FloatField(default=0.0)
    histogram = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["check_ref", "period", "start"], name="monitor_rollup_unique")]
        indexes = [models.Index(fields=["period", "start"])]

    def __str__(self) -> str:
        return f"{self.check_ref_id} {self.period} {self.start:%Y-%m-%d %H:%M}"


class Incident(models.Model):
    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="incidents")
    check_ref = models.ForeignKey(Check, verbose_name=_("check"), on_delete=models.CASCADE,
                                  related_name="incidents", db_column="check_id")
    state = models.CharField(_("state"), max_length=20, choices=IncidentState.choices, default=IncidentState.OPEN)
    opened_at = models.DateTimeField(_("opened"))
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    cause = models.CharField(_("cause"), max_length=500)
    last_message = models.CharField(_("last message"), max_length=500, blank=True)
    silenced = models.BooleanField(_("in a maintenance window"), default=False)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("acknowledged by"), null=True,
                                        blank=True, on_delete=models.SET_NULL, related_name="+")
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [models.Index(fields=["state", "site"]), models.Index(fields=["check_ref", "state"])]
        constraints = [models.UniqueConstraint(fields=["check_ref"], condition=models.Q(state=IncidentState.OPEN),
                                               name="monitor_one_open_incident")]

    def __str__(self) -> str:
        return f"{self.site} · {self.opened_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("monitor:incident_detail", args=[self.pk])


class MaintenanceWindow(models.Model):
    """While a window is open, checks still run and incidents are recorded, but nobody is alerted."""

    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), null=True, blank=True,
                                     on_delete=models.CASCADE, related_name="maintenance_windows")
    site = models.ForeignKey(Site, verbose_name=_("site"), null=True, blank=True, on_delete=models.CASCADE,
                             related_name="maintenance_windows")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("maintenance window")
        verbose_name_plural = _("maintenance windows")
        constraints = [models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")),
                                              name="monitor_window_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.reason} ({self.starts_at:%Y-%m-%d %H:%M} - {self.ends_at:%Y-%m-%d %H:%M})"

    def covers(self, site: Site, at: datetime) -> bool:
        in_scope = self.site_id == site.pk or (self.site_id is None and self.organisation_id == site.organisation_id)
        return in_scope and self.starts_at <= at < self.ends_at


class StatusPage(models.Model):
    """An organisation's optional public page: its sites' availability, without logging in."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="status_page")
    slug = models.SlugField(_("address"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(_("introduction"), blank=True)
    is_public = models.BooleanField(_("public"), default=False)

    class Meta:
        verbose_name = _("status page")
        verbose_name_plural = _("status pages")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("monitor:status_page", args=[self.slug])
