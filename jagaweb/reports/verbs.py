from django.utils.translation import gettext_lazy as _

from jagaweb.activity.verbs import register

ISSUED = register("reports.issued", _("Issued the report {report} ({pages} pages, {sites} sites)"))
FAILED = register("reports.failed", _("Could not prepare the report {report}: {error}"))
ACKNOWLEDGED = register("reports.acknowledged", _("Acknowledged the report {report} as {role}"))
SENT = register("reports.sent", _("Sent the report {report} to {channels}"))
DOWNLOADED = register("reports.downloaded", _("Downloaded the report {report} as {format}"))
SCHEDULE_SAVED = register("reports.schedule_saved", _("Saved the report schedule {schedule}"))
SCHEDULE_DELETED = register("reports.schedule_deleted", _("Removed the report schedule {schedule}"))
