from django.db import models
from django.utils.translation import gettext_lazy as _


class TargetKind(models.TextChoices):
    LOCAL = "local", _("Directory (external disk, USB drive, NAS mount)")
    SFTP = "sftp", _("SFTP server")


class Operation(models.TextChoices):
    BACKUP = "backup", _("Backup")
    VERIFY = "verify", _("Verify")
    RESTORE = "restore", _("Restore")
    RESTORE_DATABASE = "restore_database", _("Database restore")
    PRUNE = "prune", _("Prune")
    EXPORT = "export", _("Archive export")


class RunState(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
