from django.utils.translation import gettext_lazy as _

from jagaweb.activity.verbs import register

INCIDENT_OPENED = register("monitor.incident_opened", _("{site_name} is down ({check}): {cause}"))
INCIDENT_RESOLVED = register("monitor.incident_resolved", _("{site_name} is back up ({check}) after {duration}"))
CHECK_CREATED = register("monitor.check_created", _("Added the check {object} to {site_name}"))
CHECK_CHANGED = register("monitor.check_changed", _("Changed the check {object} of {site_name}: {fields}"))
CHECK_DELETED = register("monitor.check_deleted", _("Removed the check {object} of {site_name}"))
WINDOW_CREATED = register("monitor.window_created", _("Planned maintenance: {object}"))
WINDOW_CHANGED = register("monitor.window_changed", _("Changed the maintenance window {object}: {fields}"))
WINDOW_DELETED = register("monitor.window_deleted", _("Removed the maintenance window {object}"))
PROFILE_CHANGED = register("monitor.profile_changed", _("Changed the monitoring settings of {site_name}: {fields}"))
STATUS_PAGE_CHANGED = register("monitor.status_page_changed", _("Changed the status page {object}: {fields}"))
INCIDENT_UNSILENCED = register(
    "monitor.incident_unsilenced", _("{site_name} is still down after the maintenance window ({check}): {cause}")
)
INCIDENT_ACKNOWLEDGED = register(
    "monitor.incident_acknowledged", _("Acknowledged the incident of {site_name} ({check})")
)
CHECK_RUN = register("monitor.check_run", _("Ran the check {check} of {site_name} now: {status}"))
BASELINE_ACCEPTED = register("monitor.baseline_accepted", _("Accepted the current answers of {check} of {site_name}"))
CERT_EXPIRING = register(
    "monitor.cert_expiring",
    _("The TLS certificate of {site_name} ({host}) expires in {days_left} days, on {not_after}"),
)
DOMAIN_EXPIRING = register(
    "monitor.domain_expiring", _("The domain {domain} of {site_name} expires in {days_left} days, on {expires_on}"),
)
DNS_CHANGED = register(
    "monitor.dns_changed", _("The DNS records of {host} ({site_name}) differ from the recorded baseline: {changes}"),
)
CONTENT_STALE = register(
    "monitor.content_stale",
    _("{site_name} has published nothing new since {content_date} ({age_days} days; stale after {stale_after_days})"),
)
