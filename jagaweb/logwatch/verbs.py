from django.utils.translation import gettext_lazy as _

from jagaweb.activity.verbs import register

INCIDENT_OPENED = register("logwatch.incident_opened",
                           _("Suspicious activity from {ip} on {site_name}: {summary}"))
INCIDENT_ESCALATED = register("logwatch.incident_escalated",
                              _("Activity from {ip} on {site_name} is now {level}: {summary}"))
INCIDENTS_SUMMARISED = register("logwatch.incidents_summarised",
                                _("{count} more incidents on {site_name} (worst {level}): {summary}"))
INCIDENT_CLOSED = register("logwatch.incident_closed", _("Closed the incident of {ip} on {site_name}"))
BLOCKLIST_EXPORTED = register("logwatch.blocklist_exported",
                              _("Exported a {format} blocklist of {count} addresses"))
INGEST_FAILED = register("logwatch.ingest_failed", _("Reading the access logs of {site_name} failed: {error}"))
