from django.db import models
from django.utils.translation import gettext_lazy as _


class Symbol(models.TextChoices):
    """A step's flowchart symbol in the SOP AP format (Permenpan RB 35/2012).

    Start and end are the capsule (terminator) drawn on the first and the last activities; off-page
    connectors are not steps, the renderer adds them where the table breaks across pages.
    """

    START = "start", _("Start")
    PROCESS = "process", _("Process")
    DECISION = "decision", _("Decision")
    END = "end", _("End")


class TimeUnit(models.TextChoices):
    """The unit of a step's Waktu; the same values as `jagaweb.sop.calendar.TimeUnit`, which counts them."""

    MINUTES = "minutes", _("minutes")
    HOURS = "hours", _("hours")
    DAYS = "days", _("days")
    WORKING_DAYS = "working_days", _("working days")


class AutomationKind(models.TextChoices):
    """What JagaWeb can do by itself for a step; the result becomes the step's output evidence."""

    BACKUP_RUN = "backup.run", _("Run a backup of the site")
    GUARD_CHECK = "guard.check", _("Run the page guard on the site")
    MONITOR_CHECK_NOW = "monitor.check_now", _("Check the site's availability now")
    LOGWATCH_REPORT = "logwatch.report", _("Report on the site's visitor logs")
    RENEWALS_REVIEW = "renewals.review", _("Review the site's hosting, domain and connection renewals")


class TriggerEvent(models.TextChoices):
    """An event that may start a run of a definition, besides starting one by hand."""

    SCHEDULE = "schedule", _("A scheduled round")
    INCIDENT = "incident", _("A monitoring incident")
    GUARD_ALERT = "guard_alert", _("A guard alert")
    LOGWATCH_ALERT = "logwatch_alert", _("A visitor-log alert")
    COMPLAINT = "complaint", _("A complaint")
    WEBSITE_REQUEST = "website_request", _("A website request")
