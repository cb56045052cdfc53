from django.db import models
from django.utils.translation import gettext_lazy as _


class CheckKind(models.TextChoices):
    HTTP = "http", _("HTTP(S) availability")
    TLS = "tls", _("TLS certificate")
    DNS = "dns", _("DNS records")
    DOMAIN = "domain", _("Domain expiry")
    FRESHNESS = "freshness", _("Content freshness")
    TCP = "tcp", _("TCP port")
    HEARTBEAT = "heartbeat", _("Heartbeat")


class Status(models.TextChoices):
    PENDING = "pending", _("Not checked yet")
    UP = "up", _("Up")
    DEGRADED = "degraded", _("Degraded")  # answering, but something needs attention (slow, expiring, stale)
    DOWN = "down", _("Down")
    UNKNOWN = "unknown", _("Unknown")  # the check could not judge (malformed answer, broken feed dates)


class IncidentState(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class RollupPeriod(models.TextChoices):
    MINUTE = "minute", _("Minute")
    HOUR = "hour", _("Hour")
    DAY = "day", _("Day")
