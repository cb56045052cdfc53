"""Backup media (targets), each site's backup plan, the runs, and the snapshots they made."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jagaweb.backup.choices import Operation, RunState, TargetKind
from jagaweb.backup.store.repository import SnapshotInfo
from jagaweb.backup.store.retention import Policy, select
from jagaweb.backup.targets import build_target
from jagaweb.backup.targets.base import Target
from jagaweb.crypto import EncryptedTextField


class BackupTarget(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=TargetKind.choices, default=TargetKind.LOCAL)
    path = models.CharField(
        _("folder"), max_length=500,
        help_text=_("Each site gets its own repository in a sub-folder named after the site."),
    )
    host = models.CharField(_("SFTP host"), max_length=253, blank=True)
    port = models.PositiveIntegerField(_("SFTP port"), default=22)
    username = models.CharField(_("SFTP user"), max_length=100, blank=True)
    host_key = models.CharField(_("SFTP host key"), max_length=1000, blank=True)
    # JSON: {"password": ..., "private_key": ...}; encrypted at rest, never shown back.
    credentials = EncryptedTextField(_("credentials"), blank=True, editable=False)
    passphrase = EncryptedTextField(
        _("encryption passphrase"), blank=True, editable=False,
        help_text=_("Encrypts the backups on this medium. Keep a copy: without it they cannot be read."),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("backup target")
        verbose_name_plural = _("backup targets")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("backup:target_detail", args=[self.pk])

    def secrets(self) -> dict[str, str]:
        return json.loads(self.credentials) if self.credentials else {}

    def open(self, folder: str) -> Target:
        """The target positioned at `folder` (a site's repository) below this medium's path."""
        path = f"{self.path.rstrip('/')}/{folder}"
        if self.kind == TargetKind.LOCAL:
            return build_target(TargetKind.LOCAL, root=path)
        return build_target(
            TargetKind.SFTP, host=self.host, port=self.port, username=self.username, path=path,
            host_key=self.host_key or None, **self.secrets(),
        )


class BackupPlan(models.Model):
    site = models.OneToOneField("inventory.Site", on_delete=models.CASCADE, related_name="backup_plan")
    target = models.ForeignKey(BackupTarget, verbose_name=_("backup medium"), on_delete=models.PROTECT,
                               related_name="plans")
    enabled = models.BooleanField(_("enabled"), default=True)
    include_database = models.BooleanField(
        _("include the database"), default=True,
        help_text=_("Dumps the site's database (its connection is in the site's settings)."),
    )
    excludes = models.JSONField(_("excluded paths"), default=list, blank=True,
                                help_text=_("Patterns below the web root, e.g. wp-content/cache/*"))
    extra_paths = models.JSONField(
        _("extra system paths"), default=list, blank=True,
        help_text=_("Web server vhost config, PHP config and the like, backed up with the site."),
    )
    keep_last = models.PositiveSmallIntegerField(_("keep last"), default=3)
    keep_daily = models.PositiveSmallIntegerField(_("keep daily"), default=7)
    keep_weekly = models.PositiveSmallIntegerField(_("keep weekly"), default=4)
    keep_monthly = models.PositiveSmallIntegerField(_("keep monthly"), default=6)
    keep_yearly = models.PositiveSmallIntegerField(_("keep yearly"), default=1)
    max_age = models.DurationField(
        _("alert when the last good backup is older than"), default=timedelta(hours=36),
    )

    class Meta:
        verbose_name = _("backup plan")
        verbose_name_plural = _("backup plans")

    def __str__(self) -> str:
        return f"{self.site} → {self.target}"

    def policy(self) -> Policy:
        return Policy(keep_last=self.keep_last, keep_daily=self.keep_daily, keep_weekly=self.keep_weekly,
                      keep_monthly=self.keep_monthly, keep_yearly=self.keep_yearly)


class BackupRun(models.Model):
    site = models.ForeignKey("inventory.Site", on_delete=models.CASCADE, related_name="backup_runs")
    operation = models.CharField(_("operation"), max_length=20, choices=Operation.choices)
    state = models.CharField(_("state"), max_length=10, choices=RunState.choices, default=RunState.RUNNING)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    actor = models.CharField(_("by"), max_length=150, blank=True)
    step = models.CharField(_("step"), max_length=100, blank=True)
    snapshot_id = models.CharField(_("snapshot"), max_length=64, blank=True)
    files = models.PositiveIntegerField(_("files"), default=0)
    bytes_total = models.BigIntegerField(_("size"), default=0)
    bytes_new = models.BigIntegerField(_("new data stored"), default=0)
    error = models.TextField(_("error"), blank=True)
    report = models.JSONField(_("report"), default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["site", "operation", "-started_at"])]
        verbose_name = _("backup run")
        verbose_name_plural = _("backup runs")

    def __str__(self) -> str:
        return f"{self.get_operation_display()} {self.site} {self.started_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("backup:run_detail", args=[self.pk])

    @property
    def duration(self) -> timedelta | None:
        return self.finished_at - self.started_at if self.finished_at else None


class Snapshot(models.Model):
    """A snapshot that exists in a site's repository (kept in step by backup and prune)."""

    site = models.ForeignKey("inventory.Site", on_delete=models.CASCADE, related_name="snapshots")
    target = models.ForeignKey(BackupTarget, on_delete=models.CASCADE, related_name="snapshots")
    snapshot_id = models.CharField(_("snapshot"), max_length=64)
    taken_at = models.DateTimeField(_("taken"))
    files = models.PositiveIntegerField(_("files"), default=0)
    size = models.BigIntegerField(_("size"), default=0)
    new_bytes = models.BigIntegerField(_("new data stored"), default=0)
    summary = models.JSONField(default=dict, blank=True)
    trusted = models.BooleanField(
        _("trusted"), default=False,
        help_text=_("Taken while the site was known to be clean; the guard compares against and restores from it."),
    )

    class Meta:
        ordering = ["-taken_at"]
        constraints = [models.UniqueConstraint(fields=["target", "site", "snapshot_id"], name="backup_snapshot_once")]
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")

    def __str__(self) -> str:
        return f"{self.snapshot_id[:8]} ({self.taken_at:%Y-%m-%d %H:%M})"

    @property
    def short_id(self) -> str:
        return self.snapshot_id[:8]


def snapshots_to_forget(plan: BackupPlan, snapshots: list[SnapshotInfo], now: datetime) -> list[SnapshotInfo]:
    """The site's snapshots on the plan's medium that its retention policy lets go. A snapshot marked trusted
    is never among them: the guard compares the web root with it and restores from it."""
    mine = [info for info in snapshots if info.source == plan.site.slug]
    _keep, forget = select(mine, plan.policy(), now)
    trusted = set(Snapshot.objects.filter(site=plan.site, target=plan.target, trusted=True)
                  .values_list("snapshot_id", flat=True))
    return [info for info in forget if info.id not in trusted]
