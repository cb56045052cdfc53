from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    SITUATION = "situation", _("Situation report")
    MONTHLY = "monthly", _("Monthly maintenance report")
    DAILY_LOG = "daily_log", _("Daily activity log")


class ReportState(models.TextChoices):
    """How far a report has travelled up the chain: prepared, then acknowledged by each reader in turn."""

    RENDERING = "rendering", _("Being prepared")
    ISSUED = "issued", _("Issued, with the supervisor")
    SUPERVISOR = "supervisor", _("Acknowledged by the supervisor, with the executive")
    EXECUTIVE = "executive", _("Acknowledged by the executive")
    FAILED = "failed", _("Failed")


class Cadence(models.TextChoices):
    DAILY = "daily", _("Every day")
    WEEKLY = "weekly", _("Every week (Monday)")
    MONTHLY = "monthly", _("Every month (the 1st)")


class ColumnKind(models.TextChoices):
    """How a table cell is shown; CSV and XLSX keep the raw value."""

    TEXT = "text", _("Text")
    INTEGER = "integer", _("Whole number")
    NUMBER = "number", _("Number")
    PERCENT = "percent", _("Percentage")
    MILLISECONDS = "ms", _("Milliseconds")
    DURATION = "duration", _("Duration")
    BYTES = "bytes", _("Size")
    DATE = "date", _("Date")
    DATETIME = "datetime", _("Date and time")


class ProblemLevel(models.TextChoices):
    NOTICE = "notice", _("Notice")
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")
