from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy

from jagaweb.notify.choices import ChannelKind, HttpMethod
from jagaweb.notify.transports.base import Outgoing, Transport
from jagaweb.notify.transports.fields import HttpUrlField, SecretField

HEADER_NAME = RegexValidator(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$", gettext_lazy("Enter a valid HTTP header name."))


class WebhookTransport(Transport):
    """A JSON document {title, body, severity, site, url, time} posted to any HTTP endpoint."""

    kind = ChannelKind.WEBHOOK
    config_fields = {
        "url": HttpUrlField(label=gettext_lazy("Webhook URL")),
        "method": forms.ChoiceField(
            label=gettext_lazy("Method"), required=False, choices=HttpMethod.choices, initial=HttpMethod.POST
        ),
        "auth_header": forms.CharField(
            label=gettext_lazy("Authentication header"), required=False, max_length=100, validators=[HEADER_NAME],
            help_text=gettext_lazy("Header that carries the secret below; empty: Authorization."),
        ),
    }
    secret_fields = {
        "auth_value": SecretField(
            label=gettext_lazy("Authentication header value"), required=False,
            help_text=gettext_lazy("e.g. 'Bearer abc123'. Empty: no authentication header is sent."),
        ),
    }

    @staticmethod
    def payload(message: Outgoing) -> dict[str, Any]:
        return {
            "title": message.title,
            "body": message.body,
            "severity": message.severity,
            "site": message.site,
            "url": message.url,
            "time": message.time.isoformat(),
        }

    def send(self, message: Outgoing) -> str:
        headers = {}
        if self.secrets.get("auth_value"):
            headers[self.config.get("auth_header") or "Authorization"] = self.secrets["auth_value"]
        method = self.config.get("method") or HttpMethod.POST
        response = self.http(method, self.config["url"], headers=headers, json=self.payload(message))
        return self.summarise(response)
