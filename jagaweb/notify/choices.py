from django.db import models
from django.utils.translation import gettext_lazy as _


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    TELEGRAM = "telegram", _("Telegram")
    WHATSAPP = "whatsapp", _("WhatsApp (gateway)")
    WEBHOOK = "webhook", _("Webhook")
    APPRISE = "apprise", _("Apprise (other services)")


class MessageKind(models.TextChoices):
    ALERT = "alert", _("Alert")
    REPORT = "report", _("Report")
    TEST = "test", _("Test")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    RETRYING = "retrying", _("Retrying")
    FAILED = "failed", _("Failed")


class WhatsAppGateway(models.TextChoices):
    FONNTE = "fonnte", _("Fonnte style (target, message)")
    WABLAS = "wablas", _("Wablas style (phone, message)")


class HttpMethod(models.TextChoices):
    POST = "POST", "POST"
    PUT = "PUT", "PUT"


class SmtpSecurity(models.TextChoices):
    NONE = "none", _("None")
    STARTTLS = "starttls", _("STARTTLS")
    SSL = "ssl", _("SSL/TLS")
