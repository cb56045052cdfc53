from __future__ import annotations

from typing import Any

import httpx
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jagaweb.notify.choices import ChannelKind, WhatsAppGateway
from jagaweb.notify.transports.base import Outgoing, Transport, TransportError
from jagaweb.notify.transports.fields import HttpUrlField, PhoneListField, SecretField

FONNTE_URL = "https://api.fonnte.com/send"


class WhatsAppTransport(Transport):
    """WhatsApp through a local gateway service: Fonnte style or Wablas style form posts."""

    kind = ChannelKind.WHATSAPP
    config_fields = {
        "gateway": forms.ChoiceField(
            label=gettext_lazy("Gateway style"), choices=WhatsAppGateway.choices, initial=WhatsAppGateway.FONNTE
        ),
        "gateway_url": HttpUrlField(
            label=gettext_lazy("Gateway URL"), required=False,
            help_text=gettext_lazy("Fonnte: empty for https://api.fonnte.com/send. Wablas: your server's "
                            "send-message address, e.g. https://jkt.wablas.com/api/send-message."),
        ),
        "numbers": PhoneListField(
            label=gettext_lazy("WhatsApp numbers"),
            help_text=gettext_lazy("One per line, e.g. 0812-3456-7890 or +62 812 3456 7890."),
        ),
    }
    secret_fields = {"token": SecretField(label=gettext_lazy("Gateway token"))}

    @classmethod
    def check(cls, config: dict[str, Any], secrets: dict[str, str]) -> None:
        if config.get("gateway") == WhatsAppGateway.WABLAS and not config.get("gateway_url"):
            error = _("A Wablas gateway needs the address of your Wablas server.")
            raise ValidationError({"gateway_url": error})

    def send(self, message: Outgoing) -> str:
        numbers: list[str] = list(self.config.get("numbers") or [])
        headers = {"Authorization": self.secrets.get("token", "")}
        if self.config.get("gateway") == WhatsAppGateway.WABLAS:
            # One request per number, so the answer says which number failed.
            summaries = [
                self.post_form(headers, {"phone": number, "message": message.text}) for number in numbers
            ]
            return " | ".join(summaries)[:500]
        return self.post_form(headers, {"target": ",".join(numbers), "message": message.text})

    def post_form(self, headers: dict[str, str], form: dict[str, str]) -> str:
        url = self.config.get("gateway_url") or FONNTE_URL
        response = self.http("POST", url, headers=headers, data=form)
        self.raise_for_refusal(response)
        return self.summarise(response)

    def raise_for_refusal(self, response: httpx.Response) -> None:
        """Both gateway styles answer 200 with {"status": false, ...} when they refuse."""
        try:
            answer = response.json()
        except ValueError:
            return
        if isinstance(answer, dict) and answer.get("status") is False:
            reason = answer.get("reason") or answer.get("message") or answer.get("detail") or ""
            raise TransportError(
                self.redact(_("The gateway refused the message: %(reason)s") % {"reason": reason}),
                self.summarise(response),
            )
