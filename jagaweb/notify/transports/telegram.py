from __future__ import annotations

from typing import Any

import httpx
from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jagaweb.notify.choices import ChannelKind
from jagaweb.notify.transports.base import Attachment, Outgoing, Transport, TransportError
from jagaweb.notify.transports.fields import SecretField

TEXT_LIMIT = 4096  # Telegram's limit for one message
CAPTION_LIMIT = 1024  # and for a document's caption
DOCUMENT_LIMIT = 50 * 1024 * 1024  # the largest file a bot may send through the Bot API

CHAT_ID = RegexValidator(
    r"^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31})$",
    gettext_lazy("Enter a numeric chat ID (groups start with -) or a public @channelname."),
)
# The token goes into the URL path, so it must be exactly a token and nothing that changes the path.
BOT_TOKEN = RegexValidator(r"^\d{3,20}:[A-Za-z0-9_-]{20,100}$", gettext_lazy("This is not a Telegram bot token."))


class TelegramTransport(Transport):
    kind = ChannelKind.TELEGRAM
    config_fields = {
        "chat_id": forms.CharField(
            label=gettext_lazy("Chat ID"), validators=[CHAT_ID],
            help_text=gettext_lazy("The group, channel or person the bot writes to, e.g. -1001234567890."),
        ),
    }
    secret_fields = {
        "bot_token": SecretField(
            label=gettext_lazy("Bot token"), validators=[BOT_TOKEN],
            help_text=gettext_lazy("From @BotFather, e.g. 123456:ABC-DEF…"),
        ),
    }

    def send(self, message: Outgoing) -> str:
        if not message.attachments:
            payload = {"chat_id": self.config["chat_id"], "text": message.text[:TEXT_LIMIT],
                       "disable_web_page_preview": True}
            return self.call("sendMessage", json=payload)
        for attachment in message.attachments:
            check_size(attachment)
        # The text goes with the first file as its caption; further files follow without one.
        summaries = [
            self.send_document(attachment, message.text[:CAPTION_LIMIT] if index == 0 else "")
            for index, attachment in enumerate(message.attachments)
        ]
        return summaries[-1]

    def send_document(self, attachment: Attachment, caption: str) -> str:
        fields = {"chat_id": self.config["chat_id"]}
        if caption:
            fields["caption"] = caption
        return self.call("sendDocument", data=fields, files={"document": attachment.as_tuple()})

    def call(self, method: str, **body: Any) -> str:
        """One Bot API method; Telegram's refusal (ok: false) is a TransportError like an HTTP error."""
        api = settings.JAGAWEB_TELEGRAM_API.rstrip("/")
        # The API address comes from the deployment's settings, not from the channel, so it is trusted
        # (it may be a local Bot API server); what users type only reaches the path and the body.
        url = f"{api}/bot{self.secrets['bot_token']}/{method}"
        response = self.http("POST", url, trusted_host=True, **body)
        self.check_answer(response)
        return self.summarise(response)

    def check_answer(self, response: httpx.Response) -> None:
        try:
            answer = response.json()
        except ValueError as exc:
            raise TransportError(_("Telegram did not answer with JSON."), self.summarise(response)) from exc
        if not answer.get("ok"):
            reason = str(answer.get("description", _("Telegram refused the message.")))
            raise TransportError(self.redact(reason))


def check_size(attachment: Attachment) -> None:
    if attachment.size > DOCUMENT_LIMIT:
        raise TransportError(
            _("The file %(name)s is %(size)s MB; Telegram bots can send files of at most 50 MB.")
            % {"name": attachment.name, "size": f"{attachment.size / 1024 / 1024:.1f}"},
            permanent=True,
        )
