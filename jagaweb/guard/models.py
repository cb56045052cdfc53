"""The guard's records: per-site settings, known-good baselines per page, runs (checks and restores)
and their findings.

A baseline is what a page looked like (its summary and screenshot) when an operator marked the site as
known-good; checks compare with it, and approving a legitimate change records a new one. The trusted
backup snapshot is the inside view's baseline: files are compared with it and restored from it.
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jagaweb.guard.choices import FindingState, Identity, RunKind, RunState, Severity, Source, Verdict
from jagaweb.guard.findings import SEVERITY_ORDER
from jagaweb.inventory.models import Site


def all_identities() -> list[str]:
    return [str(value) for value in Identity.values]


class GuardProfile(models.Model):
    site = models.OneToOneField(Site, primary_key=True, on_delete=models.CASCADE, related_name="guard_profile")
    enabled = models.BooleanField(_("guard this site"), default=True)
    pages = models.JSONField(_("key pages"), default=list, blank=True,
                             help_text=_("Addresses or paths checked besides the home page, one per line."))
    sitemap_sample = models.PositiveSmallIntegerField(_("pages sampled from the sitemap"), default=3)
    identities = models.JSONField(_("fetch as"), default=all_identities, blank=True)
    visual = models.BooleanField(_("compare screenshots"), default=True)
    files = models.BooleanField(_("check the web root's files"), default=True)
    database = models.BooleanField(_("scan the CMS database"), default=True)
    auto_restore = models.BooleanField(
        _("restore automatically"), default=False,
        help_text=_("Restore changed files from the trusted backup as soon as a check finds an attack."),
    )
    allow_private = models.BooleanField(
        _("allow private addresses"), default=False,
        help_text=_("Let page checks reach loopback and internal-network addresses (a superuser's decision)."),
    )
    trusted_snapshot = models.ForeignKey(
        "backup.Snapshot", verbose_name=_("trusted backup"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    known_good_at = models.DateTimeField(_("marked known-good"), null=True, blank=True)
    known_good_by = models.CharField(_("marked known-good by"), max_length=150, blank=True)
    sitemap_count = models.PositiveIntegerField(null=True, blank=True)  # addresses when known-good
    # Files changed after the trusted backup that an operator approved: path -> content hash.
    accepted_files = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("guard profile")
        verbose_name_plural = _("guard profiles")

    def __str__(self) -> str:
        return str(self.site)

    @classmethod
    def for_site(cls, site: Site) -> GuardProfile:
        profile, _created = cls.objects.get_or_create(site=site)
        return profile


class PageBaseline(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="page_baselines")
    url = models.CharField(_("address"), max_length=500)
    identity = models.CharField(_("fetched as"), max_length=20, choices=Identity.choices)
    summary = models.JSONField(default=dict)
    screenshot = models.CharField(max_length=500, blank=True)  # relative to the guard media folder
    image_hash = models.CharField(max_length=32, blank=True)
    recorded_at = models.DateTimeField(_("recorded"), auto_now=True)
    recorded_by = models.CharField(_("recorded by"), max_length=150, blank=True)

    class Meta:
        ordering = ["site", "url", "identity"]
        constraints = [models.UniqueConstraint(fields=["site", "url", "identity"], name="guard_baseline_once")]
        verbose_name = _("page baseline")

    def __str__(self) -> str:
        return f"{self.url} ({self.get_identity_display()})"


class GuardRun(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="guard_runs")
    kind = models.CharField(_("kind"), max_length=10, choices=RunKind.choices, default=RunKind.CHECK)
    state = models.CharField(_("state"), max_length=10, choices=RunState.choices, default=RunState.RUNNING)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    actor = models.CharField(_("by"), max_length=150, blank=True)
    step = models.CharField(_("step"), max_length=100, blank=True)
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict.choices, default=Verdict.CLEAN)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.INFO)
    counts = models.JSONField(default=dict, blank=True)  # pages, files, rows looked at; findings per source
    report = models.JSONField(default=dict, blank=True)  # a restore's repair report; a check's notes
    error = models.TextField(_("error"), blank=True)
    check_run = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="restores",
                                  verbose_name=_("the check that found it"))

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["site", "kind", "-started_at"])]
        verbose_name = _("guard run")
        permissions = [("restore_site", _("Can restore a site from its trusted backup"))]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.site} {self.started_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("guard:run_detail", args=[self.pk])


class Finding(models.Model):
    run = models.ForeignKey(GuardRun, on_delete=models.CASCADE, related_name="findings")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="guard_findings")
    source = models.CharField(_("found in"), max_length=10, choices=Source.choices)
    location = models.CharField(_("where"), max_length=1000)  # an address, a path, "wp_posts ID=42 post_content"
    identity = models.CharField(_("fetched as"), max_length=20, choices=Identity.choices, blank=True)
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    score = models.PositiveSmallIntegerField(_("score"), default=0)
    reasons = models.JSONField(default=list, blank=True)  # [{"code", "message", "weight", "evidence"}]
    detail = models.JSONField(default=dict, blank=True)  # hashes, sizes, diff ratio, images
    state = models.CharField(_("state"), max_length=10, choices=FindingState.choices, default=FindingState.OPEN)
    created_at = models.DateTimeField(_("found"), auto_now_add=True)

    class Meta:
        ordering = ["run", "source", "location"]
        indexes = [models.Index(fields=["site", "state"])]
        verbose_name = _("finding")
        permissions = [("approve_finding", _("Can approve a finding as a legitimate change"))]

    def __str__(self) -> str:
        return f"{self.get_source_display()}: {self.location}"

    @property
    def severity_rank(self) -> int:
        return SEVERITY_ORDER.index(self.severity)
