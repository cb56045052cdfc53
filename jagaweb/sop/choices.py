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


class DayOffKind(models.TextChoices):
    COLLECTIVE_LEAVE = "collective_leave", _("Collective leave (cuti bersama)")
    LOCAL_HOLIDAY = "local_holiday", _("Local holiday")
    EXTRA_WORKING_DAY = "extra_working_day", _("Extra working day (hari kerja pengganti)")


class RunState(models.TextChoices):
    OPEN = "open", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class StartKind(models.TextChoices):
    """How a run began: a person started it, the schedule did, or an event (see `TriggerEvent`)."""

    MANUAL = "manual", _("By hand")
    SCHEDULE = "schedule", _("On schedule")
    EVENT = "event", _("By an event")


class StepState(models.TextChoices):
    OPEN = "open", _("To do")
    WAITING = "waiting", _("Waiting for the requester")  # the clock stands still
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Decision(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")


class AutomationState(models.TextChoices):
    """Where a step's automations are: none declared, waiting for the job, done, or failed (a person takes over)."""

    NONE = "", _("None")
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Needs a person")


class EvidenceKind(models.TextChoices):
    FILE = "file", _("Uploaded file")
    SYSTEM = "system", _("Recorded by JagaWeb")


class CaseOrigin(models.TextChoices):
    STAFF = "staff", _("Opened by staff")
    COMPLAINT = "complaint", _("Public complaint")
    MONITOR = "monitor", _("Monitoring incident")
    GUARD = "guard", _("Guard attack")
    LOGWATCH = "logwatch", _("Visitor-log incident")


class CaseState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class RequestKind(models.TextChoices):
    CREATE = "create", _("Create a new website")
    UPDATE = "update", _("Update an existing website")


class RequestState(models.TextChoices):
    """Where a website request stands; each state is reached by a step of the request SOP."""

    SUBMITTED = "submitted", _("Submitted")
    REGISTERED = "registered", _("Registered (agenda number)")
    DISPOSED = "disposed", _("Disposition given")
    ASSESSED = "assessed", _("Assessed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    ANALYSED = "analysed", _("Needs analysed (KAK)")
    BUILT = "built", _("Built")
    INSTALLED = "installed", _("Installed on a server")
    REPORTED = "reported", _("Reported")
    COMPLETED = "completed", _("Completed")
