from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jagaweb import net
from jagaweb.activity.choices import Severity
from jagaweb.notify.choices import ChannelKind, SmtpSecurity
from jagaweb.notify.transports.base import Outgoing, Transport, TransportError
from jagaweb.notify.transports.fields import EmailListField, SecretField

HOSTNAME = RegexValidator(
    r"^[A-Za-z0-9.\-]+$|^\[?[0-9A-Fa-f:]+\]?$", gettext_lazy("Enter a host name or IP address.")
)
DEFAULT_PORTS = {SmtpSecurity.NONE: 25, SmtpSecurity.STARTTLS: 587, SmtpSecurity.SSL: 465}


class EmailTransport(Transport):
    kind = ChannelKind.EMAIL
    config_fields = {
        "recipients": EmailListField(
            label=gettext_lazy("Recipients"), help_text=gettext_lazy("One e-mail address per line.")
        ),
        "from_email": forms.EmailField(
            label=gettext_lazy("Sender address"), required=False,
            help_text=gettext_lazy("Empty: the system's sender address."),
        ),
        "smtp_host": forms.CharField(
            label=gettext_lazy("SMTP server"), required=False, validators=[HOSTNAME],
            help_text=gettext_lazy("Empty: the system's SMTP server; the SMTP settings below are then not used."),
        ),
        "smtp_port": forms.IntegerField(
            label=gettext_lazy("SMTP port"), required=False, min_value=1, max_value=65535,
            help_text=gettext_lazy("Empty: 587 with STARTTLS, 465 with SSL/TLS, 25 without."),
        ),
        "smtp_security": forms.ChoiceField(
            label=gettext_lazy("Encryption"), required=False, choices=SmtpSecurity.choices,
            initial=SmtpSecurity.STARTTLS,
        ),
        "smtp_user": forms.CharField(label=gettext_lazy("SMTP user name"), required=False),
    }
    secret_fields = {"smtp_password": SecretField(label=gettext_lazy("SMTP password"), required=False)}

    def smtp_server(self) -> net.SmtpServer | None:
        host = self.config.get("smtp_host") or ""
        if not host:
            return None
        security = self.config.get("smtp_security") or SmtpSecurity.NONE
        return net.SmtpServer(
            host=host.strip("[]"),
            port=int(self.config.get("smtp_port") or DEFAULT_PORTS[SmtpSecurity(security)]),
            username=self.config.get("smtp_user") or "",
            password=self.secrets.get("smtp_password", ""),
            use_tls=security == SmtpSecurity.STARTTLS,
            use_ssl=security == SmtpSecurity.SSL,
        )

    def send(self, message: Outgoing) -> str:
        recipients: list[Any] = list(self.config.get("recipients") or [])
        subject = f"[{Severity(message.severity).label}] {message.title}"
        server = self.smtp_server()
        try:
            net.send_email(
                subject, message.text, recipients, from_email=self.config.get("from_email") or None,
                smtp=server, allow_private=self.allow_private,
                attachments=[attachment.as_tuple() for attachment in message.attachments],
            )
        except net.NetError as exc:
            raise TransportError(self.redact(str(exc))) from exc
        return _("Accepted by the SMTP server for %(count)s recipient(s).") % {"count": len(recipients)}
