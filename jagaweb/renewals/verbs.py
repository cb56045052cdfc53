from django.utils.translation import gettext_lazy as _

from jagaweb.activity.verbs import register

SERVICE_CREATED = register("renewals.service_created", _("Added the service {service} of {organisation_name}"))
SERVICE_CHANGED = register("renewals.service_changed", _("Changed the service {service}: {fields}"))
SERVICE_DELETED = register("renewals.service_deleted", _("Removed the service {service} of {organisation_name}"))
RENEWED = register(
    "renewals.renewed", _("Recorded the renewal of {service}: {period_start} to {period_end}, invoice {invoice}"),
)
REMINDED = register("renewals.reminded", _("{service} ends in {days_left} days, on {period_end}"))
ENDED = register("renewals.ended", _("{service} ended on {period_end} and has not been renewed"))
END_FROM_MONITORING = register(
    "renewals.end_from_monitoring",
    _("The end of {service} moved from {old_end} to {new_end} ({source}, from monitoring)"),
)
END_DISAGREES = register(
    "renewals.end_disagrees",
    _("Monitoring says {service} ends on {new_end} ({source}); kept {old_end}, set by a person"),
)
EXPORTED = register("renewals.exported", _("Exported {count} services as CSV"))
