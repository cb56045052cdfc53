from django.utils.translation import gettext_lazy as _

from jagaweb.activity.verbs import register

SUCCEEDED = register("backup.succeeded", _("{operation} of {site_name} finished: {summary}"))
FAILED = register("backup.failed", _("{operation} of {site_name} failed at {step}: {error}"))
MISSED = register("backup.missed", _("No good backup of {site_name} since {since}"))
TARGET_CHANGED = register("backup.target_changed", _("Changed backup medium {object}"))
PLAN_CHANGED = register("backup.plan_changed", _("Changed the backup plan of {site_name}"))
TRUSTED = register("backup.trusted", _("Marked snapshot {object} of {site_name} as trusted"))
TARGET_CREATED = register("backup.target_created", _("Added backup medium {object}"))
TARGET_DELETED = register("backup.target_deleted", _("Removed backup medium {object}"))
PLAN_DELETED = register("backup.plan_deleted", _("Removed the backup plan of {site_name}"))
UNTRUSTED = register("backup.untrusted", _("Marked snapshot {object} of {site_name} as not trusted"))
REQUESTED = register("backup.requested", _("Queued {operation} of {site_name}"))
