"""Messages with a file (scheduled reports): stored with the message, sent by e-mail and Telegram as the file,
to the channels the caller names."""

from __future__ import annotations

from collections.abc import Callable
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from jagaweb.inventory.models import Organisation, Site
from jagaweb.notify.choices import DeliveryStatus, MessageKind
from jagaweb.notify.dispatch import deliver, notify, outgoing
from jagaweb.notify.models import Channel, Delivery, Message
from jagaweb.notify.transports.base import Attachment, TransportError
from jagaweb.notify.transports.telegram import CAPTION_LIMIT, DOCUMENT_LIMIT, check_size
from tests.notify.conftest import TELEGRAM_TOKEN
from tests.notify.receiver import Received, Receiver, SmtpServer

# Every byte value, so a transfer that is not binary-safe (text decoding, line-ending changes) shows.
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)) * 64 + b"\r\n\n\r%%EOF\n"
# Not ASCII, and with spaces: the name must survive the header encodings of e-mail and multipart bodies.
REPORT_NAME = "Laporan bulanan November 2026 – Kominfo.pdf"  # noqa: RUF001


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def report(**fields: Any) -> Attachment:
    values = {"name": REPORT_NAME, "content": PDF, "mime_type": "application/pdf", **fields}
    return Attachment(**values)


def send_report(channels: list[Channel], attachment: Attachment | None = None, **fields: Any) -> Message:
    """A report message to `channels`, each delivery attempted once now."""
    fields.setdefault("body", "Laporan bulanan seluruh situs terlampir.")
    message = notify("Laporan bulanan November 2026", kind=MessageKind.REPORT, channels=channels,
                     attachment=attachment or report(), **fields)
    for delivery in message.deliveries.all():
        deliver(delivery)
    return message


def email_channel(make_channel: Callable[..., Channel], smtp_server: SmtpServer, **fields: Any) -> Channel:
    config = {"recipients": ["kadis@kominfo.go.id"], "smtp_host": "127.0.0.1", "smtp_port": smtp_server.port,
              "smtp_security": "none", "from_email": "jagaweb@kominfo.go.id"}
    return make_channel("email", config, allow_private=True, **fields)


@pytest.fixture
def telegram_api(receiver: Receiver, settings: Any) -> Receiver:
    settings.JAGAWEB_TELEGRAM_API = receiver.url
    receiver.default.body = b'{"ok": true, "result": {"message_id": 42}}'
    return receiver


@pytest.fixture
def telegram_channel(make_channel: Callable[..., Channel]) -> Channel:
    return make_channel("telegram", {"chat_id": "-1001234567890"}, {"bot_token": TELEGRAM_TOKEN}, name="Telegram")


def multipart_fields(request: Received) -> dict[str, EmailMessage]:
    """The parts of a multipart/form-data body by field name, read with the standard library's MIME parser
    (its HTTP policy reads the raw UTF-8 file names that browsers and httpx send)."""
    head = f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode()
    parsed = BytesParser(policy=policy.HTTP).parsebytes(head + request.body)
    assert parsed.is_multipart()
    parts = [part for part in parsed.iter_parts() if isinstance(part, EmailMessage)]
    return {str(part.get_param("name", header="content-disposition")): part for part in parts}


def payload(part: EmailMessage | Any) -> bytes:
    """A MIME part's content, transfer encoding undone."""
    content = part.get_payload(decode=True)
    assert isinstance(content, bytes)
    return content


def stored_name(message: Message) -> str:
    assert message.attachment.name
    return message.attachment.name


def test_the_file_is_stored_with_the_message_under_a_random_name(
    make_channel: Callable[..., Channel], smtp_server: SmtpServer, media: Path
) -> None:
    channel = email_channel(make_channel, smtp_server)
    message = notify("Laporan", channels=[channel], attachment=report(), kind=MessageKind.REPORT)
    message.refresh_from_db()
    today = timezone.now()
    assert stored_name(message).startswith(f"notify/attachments/{today:%Y}/{today:%m}/")
    assert stored_name(message).endswith(".pdf")
    assert "Laporan" not in stored_name(message)
    assert (message.attachment_name, message.attachment_type) == (REPORT_NAME, "application/pdf")
    assert (media / stored_name(message)).read_bytes() == PDF
    assert outgoing(message).attachments == (report(),)


def test_email_arrives_with_the_pdf_attached(
    make_channel: Callable[..., Channel], smtp_server: SmtpServer, site_a: Site, immediate_tasks: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    channel = email_channel(make_channel, smtp_server)
    with django_capture_on_commit_callbacks(execute=True):  # the real path: the task sends after the commit
        message = notify("Laporan bulanan November 2026", "Terlampir.", site=site_a, kind=MessageKind.REPORT,
                         channels=[channel], attachment=report())
    assert message.deliveries.get().status == DeliveryStatus.SENT
    [envelope] = smtp_server.mailbox.envelopes
    assert envelope.rcpt_tos == ["kadis@kominfo.go.id"]
    [mail] = smtp_server.mailbox.messages
    assert mail["Subject"] == "[Info] Laporan bulanan November 2026"
    [text_part, file_part] = [part for part in mail.walk() if not part.is_multipart()]
    assert "Terlampir." in payload(text_part).decode()
    assert file_part.get_filename() == REPORT_NAME
    assert file_part.get_content_type() == "application/pdf"
    assert payload(file_part) == PDF


def test_telegram_gets_a_multipart_send_document(telegram_api: Receiver, telegram_channel: Channel) -> None:
    body = "Ringkasan: " + "semua situs tersedia. " * 100  # longer than a caption may be
    message = send_report([telegram_channel], body=body)
    assert message.deliveries.get().status == DeliveryStatus.SENT
    [got] = telegram_api.requests
    assert got.path == f"/bot{TELEGRAM_TOKEN}/sendDocument"
    assert got.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    fields = multipart_fields(got)
    assert set(fields) == {"chat_id", "caption", "document"}
    assert payload(fields["chat_id"]) == b"-1001234567890"
    caption = payload(fields["caption"]).decode()
    assert len(caption) == CAPTION_LIMIT
    assert caption == outgoing(message).text[:CAPTION_LIMIT]
    assert caption.startswith("[Info] Laporan bulanan November 2026\n\nRingkasan: semua situs")
    document = fields["document"]
    assert document.get_filename() == REPORT_NAME
    assert document.get_content_type() == "application/pdf"
    assert payload(document) == PDF


def test_telegram_without_a_file_still_sends_a_text_message(telegram_api: Receiver, telegram_channel: Channel) -> None:
    notify("Situs lambat", channels=[telegram_channel])
    deliver(Delivery.objects.get())
    [got] = telegram_api.requests
    assert got.path.endswith("/sendMessage")
    assert got.json()["text"].startswith("[Info] Situs lambat")


def test_telegram_refuses_files_over_50_mb_for_good(telegram_api: Receiver, telegram_channel: Channel) -> None:
    message = send_report([telegram_channel], report(content=bytes(DOCUMENT_LIMIT + 1)))
    delivery = message.deliveries.get()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (DeliveryStatus.FAILED, 1, None)
    assert "at most 50 MB" in delivery.last_error
    assert "50.0 MB" in delivery.last_error
    assert telegram_api.requests == []


def test_a_file_of_exactly_50_mb_is_allowed() -> None:
    check_size(report(content=bytes(DOCUMENT_LIMIT)))  # sending it would only slow the tests down
    with pytest.raises(TransportError) as caught:
        check_size(report(content=bytes(DOCUMENT_LIMIT + 1)))
    assert caught.value.permanent


def test_telegram_refusal_of_a_document_is_retried(telegram_api: Receiver, telegram_channel: Channel) -> None:
    telegram_api.answer(200, '{"ok": false, "description": "Bad Request: wrong file identifier"}')
    message = send_report([telegram_channel])
    delivery = message.deliveries.get()
    assert delivery.status == DeliveryStatus.RETRYING
    assert delivery.last_error == "Bad Request: wrong file identifier"


def test_channels_replace_routing_and_skip_disabled_ones(
    make_channel: Callable[..., Channel], receiver: Receiver, site_a: Site, org_b: Organisation
) -> None:
    def hook(name: str, **fields: Any) -> Channel:
        return make_channel("webhook", {"url": receiver.url + "/hook"}, allow_private=True, name=name, **fields)

    critical_only = hook("critical only", min_severity="critical")
    other_organisation = hook("other organisation")
    other_organisation.organisations.set([org_b])
    switched_off = hook("switched off", enabled=False)
    hook("not named")  # routing would pick this one
    message = notify("Laporan", site=site_a, channels=[critical_only, other_organisation, switched_off],
                     attachment=report())
    assert set(message.deliveries.values_list("channel_name", flat=True)) == {"critical only", "other organisation"}
    assert not notify("Laporan", site=site_a, channels=[]).deliveries.exists()
    routed = notify("Peringatan", severity="info", site=site_a)
    assert set(routed.deliveries.values_list("channel_name", flat=True)) == {"not named"}


def test_webhook_sends_its_usual_payload_with_a_file(
    make_channel: Callable[..., Channel], receiver: Receiver
) -> None:
    channel = make_channel("webhook", {"url": receiver.url + "/hook"}, allow_private=True)
    message = send_report([channel])
    assert message.deliveries.get().status == DeliveryStatus.SENT
    sent = receiver.requests[0].json()
    assert set(sent) == {"title", "body", "severity", "site", "url", "time"}
    assert sent["url"].endswith(f"/notify/messages/{message.pk}/")


def test_a_missing_file_fails_for_good(
    make_channel: Callable[..., Channel], smtp_server: SmtpServer, media: Path
) -> None:
    channel = email_channel(make_channel, smtp_server)
    message = notify("Laporan", channels=[channel], attachment=report())
    (media / stored_name(message)).unlink()
    delivery = message.deliveries.get()
    deliver(delivery)
    assert (delivery.status, delivery.last_error) == (DeliveryStatus.FAILED, "The attachment file is missing.")
    assert smtp_server.mailbox.envelopes == []


def test_no_file_is_left_when_the_message_cannot_be_saved(
    make_channel: Callable[..., Channel], smtp_server: SmtpServer, media: Path, org_a: Organisation
) -> None:
    channel = email_channel(make_channel, smtp_server)
    unsaved_site = Site(name="Belum disimpan", url="https://baru.example.go.id/", organisation=org_a)
    with pytest.raises(ValueError, match="unsaved related object"):
        notify("Laporan", site=unsaved_site, organisation=org_a, channels=[channel], attachment=report())
    assert not Message.objects.exists()
    assert [path for path in media.rglob("*") if path.is_file()] == []
