from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceKind(models.TextChoices):
    HOSTING = "hosting", _("Hosting")
    DOMAIN = "domain", _("Domain name")
    CONNECTION = "connection", _("Internet connection")
    CERTIFICATE = "certificate", _("TLS certificate")
    OTHER = "other", _("Other")


class BillingCycle(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Every three months")
    HALF_YEARLY = "half_yearly", _("Every six months")
    YEARLY = "yearly", _("Yearly")
    TWO_YEARS = "two_years", _("Every two years")
    THREE_YEARS = "three_years", _("Every three years")
    OTHER = "other", _("Other")


class DateSource(models.TextChoices):
    """Where a service's end date came from."""

    MANUAL = "manual", _("Entered by hand")
    RENEWAL = "renewal", _("Recorded renewal")
    RDAP = "rdap", _("Registry (RDAP)")
    WHOIS = "whois", _("Registry (WHOIS)")
    TLS = "tls", _("Certificate served by the site")


class RefreshResult(models.TextChoices):
    """What refreshing a service's end date from monitoring did."""

    UPDATED = "updated", _("updated")
    UNCHANGED = "unchanged", _("unchanged")
    KEPT = "kept", _("kept the date a person set")
    NOT_MONITORED = "not_monitored", _("not monitored")


# Months per billing cycle, for the next period's proposed end; OTHER proposes nothing.
CYCLE_MONTHS = {
    BillingCycle.MONTHLY: 1, BillingCycle.QUARTERLY: 3, BillingCycle.HALF_YEARLY: 6, BillingCycle.YEARLY: 12,
    BillingCycle.TWO_YEARS: 24, BillingCycle.THREE_YEARS: 36,
}
# End dates that monitoring may replace without a person asking: the ones it set itself.
MONITORED_SOURCES = (DateSource.RDAP, DateSource.WHOIS, DateSource.TLS)
