"""Each transport against a real local receiver: what arrives, and what is refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jagaweb.notify.dispatch import notify
from jagaweb.notify.models import Delivery
from jagaweb.notify.phone import normalise_phone
from jagaweb.notify.transports import TRANSPORTS, Outgoing, TransportError
from jagaweb.notify.transports.webhook import WebhookTransport
from jagaweb.notify.transports.whatsapp import WhatsAppTransport
from tests.notify.conftest import TELEGRAM_TOKEN


def outgoing(**changes):
    values = {
        "title": "Portal Kominfo tidak bisa diakses", "body": "HTTP 503 sejak 10:02", "severity": "critical",
        "time": timezone.now(), "url": "http://jagaweb.test/notify/messages/1/", "site": "Portal Kominfo",
        "site_url": "https://kominfo.example.go.id/",
    }
    values.update(changes)
    return Outgoing(**values)


def only_delivery():
    [delivery] = Delivery.objects.all()
    return delivery


def test_email_reaches_a_real_smtp_server(
    make_channel, smtp_server, site_a, django_capture_on_commit_callbacks, immediate_tasks
):
    make_channel(
        "email",
        {"recipients": ["admin@kominfo.go.id", "kasubag@kominfo.go.id"], "smtp_host": "127.0.0.1",
         "smtp_port": smtp_server.port, "smtp_security": "none", "from_email": "jagaweb@kominfo.go.id"},
        allow_private=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        notify("Situs down", "Tidak menjawab sejak 10:02", severity="critical", site=site_a)
    [envelope] = smtp_server.mailbox.envelopes
    assert envelope.rcpt_tos == ["admin@kominfo.go.id", "kasubag@kominfo.go.id"]
    assert envelope.mail_from == "jagaweb@kominfo.go.id"
    [mail] = smtp_server.mailbox.messages
    assert mail["Subject"] == "[Critical] Situs down"
    text = mail.get_payload()
    assert "Tidak menjawab sejak 10:02" in text
    assert "Portal Kominfo (http://127.0.0.1:8081/)" in text
    assert only_delivery().status == "sent"


def test_email_with_the_system_smtp_server(make_channel, smtp_server, settings):
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_server.port
    settings.DEFAULT_FROM_EMAIL = "sys@x.go.id"
    # no allow_private: the deployment's own SMTP server is trusted
    channel = make_channel("email", {"recipients": ["ops@x.go.id"]})
    channel.transport().send(outgoing(title="Hello"))
    assert smtp_server.mailbox.messages[0]["Subject"] == "[Critical] Hello"
    assert smtp_server.mailbox.envelopes[0].mail_from == "sys@x.go.id"


def test_webhook_receives_the_json_payload(webhook_channel, receiver):
    message = outgoing()
    summary = webhook_channel.transport().send(message)
    [got] = receiver.requests
    assert (got.method, got.path) == ("POST", "/hook")
    assert got.headers["X-Token"] == "hook-secret-value"
    assert got.json() == {
        "title": message.title, "body": message.body, "severity": "critical", "site": "Portal Kominfo",
        "url": message.url, "time": message.time.isoformat(),
    }
    assert summary.startswith("HTTP 200")


def test_webhook_to_loopback_is_refused_unless_allowed(make_channel, receiver):
    channel = make_channel("webhook", {"url": receiver.url + "/hook"})
    with pytest.raises(TransportError, match="loopback addresses are not allowed"):
        channel.transport().send(outgoing())
    assert receiver.requests == []
    channel.allow_private = True
    channel.transport().send(outgoing())
    assert len(receiver.requests) == 1


def test_telegram_send_message_reaches_the_api(make_channel, receiver, settings):
    settings.JAGAWEB_TELEGRAM_API = receiver.url + "/"
    receiver.answer(200, '{"ok": true, "result": {"message_id": 7}}')
    channel = make_channel("telegram", {"chat_id": "-1001234567890"}, {"bot_token": TELEGRAM_TOKEN})
    channel.transport().send(outgoing())
    [got] = receiver.requests
    assert got.path == f"/bot{TELEGRAM_TOKEN}/sendMessage"
    payload = got.json()
    assert payload["chat_id"] == "-1001234567890"
    assert payload["text"].startswith("[Critical] Portal Kominfo tidak bisa diakses\nPortal Kominfo (https://")
    assert payload["text"].endswith("http://jagaweb.test/notify/messages/1/")


def test_telegram_refusal_is_explained_without_the_token(make_channel, receiver, settings):
    settings.JAGAWEB_TELEGRAM_API = receiver.url
    receiver.answer(400, '{"ok": false, "error_code": 400, "description": "Bad Request: chat not found"}')
    channel = make_channel("telegram", {"chat_id": "12345"}, {"bot_token": TELEGRAM_TOKEN})
    with pytest.raises(TransportError, match="chat not found") as caught:
        channel.transport().send(outgoing())
    assert TELEGRAM_TOKEN not in str(caught.value) + caught.value.response


def test_whatsapp_fonnte_style(make_channel, receiver):
    receiver.answer(200, '{"status": true, "detail": "success! message in queue"}')
    channel = make_channel(
        "whatsapp", {"gateway": "fonnte", "gateway_url": receiver.url + "/send",
                     "numbers": ["6281234567890", "6285712345678"]},
        {"token": "fonnte-token"}, allow_private=True,
    )
    channel.transport().send(outgoing())
    [got] = receiver.requests
    assert got.path == "/send"
    assert got.headers["Authorization"] == "fonnte-token"
    form = got.form()
    assert form["target"] == "6281234567890,6285712345678"
    assert form["message"].startswith("[Critical] Portal Kominfo tidak bisa diakses")


def test_whatsapp_wablas_style_posts_each_number(make_channel, receiver):
    channel = make_channel(
        "whatsapp", {"gateway": "wablas", "gateway_url": receiver.url + "/api/send-message",
                     "numbers": ["6281234567890", "6285712345678"]},
        {"token": "wablas-token"}, allow_private=True,
    )
    channel.transport().send(outgoing())
    assert [r.form()["phone"] for r in receiver.requests] == ["6281234567890", "6285712345678"]
    assert {r.headers["Authorization"] for r in receiver.requests} == {"wablas-token"}
    assert all(r.form()["message"].startswith("[Critical]") for r in receiver.requests)


def test_whatsapp_gateway_refusal_in_a_200_answer(make_channel, receiver):
    receiver.answer(200, '{"status": false, "reason": "token invalid"}')
    channel = make_channel(
        "whatsapp", {"gateway": "fonnte", "gateway_url": receiver.url, "numbers": ["6281234567890"]},
        {"token": "t0k3n"}, allow_private=True,
    )
    with pytest.raises(TransportError, match="token invalid"):
        channel.transport().send(outgoing())


@pytest.mark.parametrize("raw", [
    "0812-3456-7890", "+62 812 3456 7890", "812 3456 7890", "6281234567890", "+62-812-3456-7890",
    "(0812) 3456.7890", "0062 812 3456 7890",
])
def test_phone_numbers_normalise(raw):
    assert normalise_phone(raw) == "6281234567890"


@pytest.mark.parametrize("raw,expected", [
    ("+44 7911 123456", "447911123456"), ("+1 (415) 555-2671", "14155552671"),
])
def test_international_numbers_are_kept(raw, expected):
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize("raw,message", [
    ("021-1234567", "not a mobile number"),
    ("0812-34", "wrong number of digits"),
    ("0812-3456-7890-1234", "wrong number of digits"),
    ("phone me", "not a phone number"),
    ("12345", "not a valid Indonesian mobile or international number"),
    ("+0 812 3456", "not a valid Indonesian mobile or international number"),
])
def test_invalid_phone_numbers_are_rejected_clearly(raw, message):
    with pytest.raises(ValidationError, match=message):
        normalise_phone(raw)


def test_whatsapp_config_is_cleaned_and_checked():
    config, _secrets = WhatsAppTransport.clean(
        {"gateway": "fonnte", "numbers": "0812-3456-7890\n+62 857 1234 5678"}, {"token": "abc"}
    )
    assert config["numbers"] == ["6281234567890", "6285712345678"]
    with pytest.raises(ValidationError) as caught:
        WhatsAppTransport.clean({"gateway": "wablas", "numbers": "0812-3456-7890"}, {"token": "abc"})
    assert "gateway_url" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        WhatsAppTransport.clean({"gateway": "fonnte", "numbers": "0812-3456-7890, 021-555"}, {})
    assert set(caught.value.message_dict) == {"numbers", "token"}


@pytest.mark.parametrize("url", ["not a url", "ftp://example.com/hook", "javascript:alert(1)", ""])
def test_webhook_url_must_be_http(url):
    with pytest.raises(ValidationError) as caught:
        WebhookTransport.clean({"url": url}, {})
    assert "url" in caught.value.message_dict


def test_every_kind_declares_settings_and_secrets():
    for kind, transport in TRANSPORTS.items():
        assert transport.kind == kind
        assert transport.secret_fields, f"{kind} has no secret field"
        assert not set(transport.config_fields) & set(transport.secret_fields)


def test_apprise_transport_sends_through_apprise(make_channel, receiver):
    port = receiver.url.rsplit(":", 1)[1]
    channel = make_channel("apprise", {}, {"url": f"json://127.0.0.1:{port}/apprise"}, allow_private=True)
    channel.transport().send(outgoing())
    assert receiver.requests[0].json()["title"] == "Portal Kominfo tidak bisa diakses"
    channel.allow_private = False
    with pytest.raises(TransportError, match="loopback"):
        channel.transport().send(outgoing())


def test_apprise_errors_do_not_show_the_url_parts(make_channel):
    url = "tgram://123456789:AAHabcdefghijklmnopqrstuvwxyz12345/-100987654"
    channel = make_channel("apprise", {}, {"url": url})
    logged = "Failed to send to 123456789:AAHabcdefghijklmnopqrstuvwxyz12345 chat -100987654"
    text = channel.transport().redact(logged)
    assert text == "Failed to send to ***:*** chat ***"
