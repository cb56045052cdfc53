from __future__ import annotations

import re

import apprise
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jagaweb import net
from jagaweb.notify.choices import ChannelKind
from jagaweb.notify.transports.base import Outgoing, Transport, TransportError
from jagaweb.notify.transports.fields import SecretField

MIN_SECRET_PART = 6  # shorter URL parts (ports, flags) are left readable


def validate_apprise_url(value: str) -> None:
    # The message must not repeat the URL: it holds the service's credentials.
    if not apprise.Apprise.instantiate(value):
        raise ValidationError(_("Apprise does not recognise this URL."), code="apprise_url")


class AppriseTransport(Transport):
    """Any service Apprise supports (Discord, Slack, ntfy, Gotify, Matrix, …), by one URL."""

    kind = ChannelKind.APPRISE
    config_fields = {}
    secret_fields = {
        "url": SecretField(
            label=gettext_lazy("Apprise URL"), validators=[validate_apprise_url],
            help_text=gettext_lazy("e.g. ntfy://ntfy.example.go.id/jagaweb; the Apprise documentation lists "
                            "every service."),
        ),
    }

    def redact(self, text: str) -> str:
        """Mask the URL and each part of it: many services carry their token where a host would be."""
        text = super().redact(text)
        rest = self.secrets.get("url", "").partition("://")[2]
        for part in sorted(re.split(r"[/:@?&=#,]", rest), key=len, reverse=True):
            if len(part) >= MIN_SECRET_PART:
                text = text.replace(part, "***")
        return text

    def send(self, message: Outgoing) -> str:
        try:
            net.notify_apprise(
                self.secrets["url"], message.title, message.text, severity=message.severity,
                allow_private=self.allow_private,
            )
        except net.NetError as exc:
            raise TransportError(self.redact(str(exc))) from exc
        return _("Accepted by Apprise.")
