"""What every transport is: declared settings (plain and secret), their validation, and `send`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime
from typing import Any, ClassVar

import httpx
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jagaweb import net
from jagaweb.activity.choices import Severity

RESPONSE_CHARS = 300


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message (a report's PDF)."""

    name: str  # the file name people see, e.g. laporan-2026-11.pdf
    content: bytes = dataclass_field(repr=False)
    mime_type: str = "application/octet-stream"

    @property
    def size(self) -> int:
        return len(self.content)

    def as_tuple(self) -> tuple[str, bytes, str]:
        """The (name, content, MIME type) form that net.send_email and Django's EmailMessage take."""
        return self.name, self.content, self.mime_type


@dataclass(frozen=True)
class Outgoing:
    """A message as transports see it, independent of the database."""

    title: str
    body: str
    severity: str
    time: datetime
    url: str  # the message's page in JagaWeb
    site: str | None = None
    site_url: str | None = None
    # Sent as files by e-mail and Telegram; the other transports send the text, whose link leads to them.
    attachments: tuple[Attachment, ...] = ()

    @property
    def text(self) -> str:
        """Plain text for chat services: severity and title, the site, the body, the link."""
        lines = [f"[{Severity(self.severity).label}] {self.title}"]
        if self.site:
            lines.append(f"{self.site} ({self.site_url})" if self.site_url else self.site)
        if self.body:
            lines += ["", self.body]
        lines += ["", self.url]
        return "\n".join(lines)


class TransportError(Exception):
    """Sending failed; the message and `response` are already free of secrets.

    `permanent`: retrying cannot help (a file larger than the service accepts)."""

    def __init__(self, message: str, response: str = "", *, permanent: bool = False) -> None:
        super().__init__(message)
        self.response = response
        self.permanent = permanent


class Transport:
    kind: ClassVar[str]
    # Declared once here, used by the channel form, the API and `clean`.
    config_fields: ClassVar[dict[str, forms.Field]] = {}
    secret_fields: ClassVar[dict[str, forms.Field]] = {}

    def __init__(
        self, config: Mapping[str, Any], secrets: Mapping[str, str], *, allow_private: bool = False
    ) -> None:
        self.config = dict(config)
        self.secrets = dict(secrets)
        self.allow_private = allow_private

    def send(self, message: Outgoing) -> str:
        """Deliver `message`; return a short summary of the answer, or raise TransportError."""
        raise NotImplementedError

    @classmethod
    def clean(
        cls, config: Mapping[str, Any], secrets: Mapping[str, Any]
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """Validate raw settings with the declared fields; errors are keyed by field name."""
        errors: dict[str, list[str]] = {}
        cleaned_config = cls._clean_fields(cls.config_fields, config, errors)
        cleaned_secrets = cls._clean_fields(cls.secret_fields, secrets, errors)
        if errors:
            raise ValidationError(errors)
        cls.check(cleaned_config, cleaned_secrets)
        return cleaned_config, {key: value for key, value in cleaned_secrets.items() if value}

    @staticmethod
    def _clean_fields(
        fields: Mapping[str, forms.Field], values: Mapping[str, Any], errors: dict[str, list[str]]
    ) -> dict[str, Any]:
        cleaned = {}
        for name, field in fields.items():
            try:
                cleaned[name] = field.clean(values.get(name))
            except ValidationError as exc:
                errors[name] = exc.messages
        return cleaned

    @classmethod
    def check(cls, config: dict[str, Any], secrets: dict[str, str]) -> None:
        """Rules across fields; raise ValidationError({field: message})."""

    def redact(self, text: str) -> str:
        """Take every stored secret out of text that will be logged or shown."""
        for value in self.secrets.values():
            if value and len(value) >= 4:
                text = text.replace(value, "***")
        return text

    def http(self, method: str, url: str, *, trusted_host: bool = False, **kwargs: Any) -> httpx.Response:
        """A request through jagaweb.net; anything but a 2xx answer is a TransportError.

        `trusted_host`: the host comes from the deployment's settings, not from the channel.
        """
        allow_private = self.allow_private or trusted_host
        try:
            response = net.request(method, url, allow_private=allow_private, **kwargs)
        except net.NetError as exc:
            raise TransportError(self.redact(str(exc))) from exc
        summary = self.summarise(response)
        if not response.is_success:
            error = _("The service refused the message: %(answer)s") % {"answer": summary}
            raise TransportError(error, summary)
        return response

    def summarise(self, response: httpx.Response) -> str:
        text = " ".join(response.text.split())[:RESPONSE_CHARS]
        return self.redact(f"HTTP {response.status_code} {text}".strip())
