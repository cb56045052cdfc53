"""One transport per channel kind; the registry maps each kind to its class."""

from __future__ import annotations

from jagaweb.notify.choices import ChannelKind
from jagaweb.notify.transports.apprise import AppriseTransport
from jagaweb.notify.transports.base import Outgoing, Transport, TransportError
from jagaweb.notify.transports.email import EmailTransport
from jagaweb.notify.transports.telegram import TelegramTransport
from jagaweb.notify.transports.webhook import WebhookTransport
from jagaweb.notify.transports.whatsapp import WhatsAppTransport

TRANSPORTS: dict[str, type[Transport]] = {
    ChannelKind.EMAIL: EmailTransport,
    ChannelKind.TELEGRAM: TelegramTransport,
    ChannelKind.WHATSAPP: WhatsAppTransport,
    ChannelKind.WEBHOOK: WebhookTransport,
    ChannelKind.APPRISE: AppriseTransport,
}

__all__ = ["TRANSPORTS", "Outgoing", "Transport", "TransportError"]
