"""The channel pages, the delivery log and message pages: permissions, forms, secrets, htmx test sends."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from jagaweb.activity.models import Event
from jagaweb.crypto import decrypt
from jagaweb.notify.dispatch import deliver, notify
from jagaweb.notify.models import Channel, Delivery
from jagaweb.people.choices import RoleKind
from tests.notify.conftest import TELEGRAM_TOKEN

SECRET = "hook-secret-value"


def telegram_post(**changes):
    data = {"name": "Grup Admin", "enabled": "on", "min_severity": "warning", "chat_id": "-1001234567890",
            "bot_token": TELEGRAM_TOKEN}
    data.update(changes)
    return data


def test_channel_pages_need_view_permission(client_for, make_user, webhook_channel, org_a):
    member = client_for(make_user(RoleKind.ORG_MEMBER, organisation=org_a))
    assert member.get(reverse("notify:channel_list")).status_code == 403
    assert member.get(reverse("notify:channel_detail", args=[webhook_channel.pk])).status_code == 403
    assert member.get(reverse("notify:delivery_list")).status_code == 403


def test_operator_sees_channels_but_cannot_change_them(operator_client, webhook_channel):
    page = operator_client.get(reverse("notify:channel_list")).content.decode()
    assert "Webhook" in page
    assert operator_client.get(reverse("notify:channel_create")).status_code == 403
    assert operator_client.get(reverse("notify:channel_update", args=[webhook_channel.pk])).status_code == 403
    delete = reverse("notify:channel_delete", args=[webhook_channel.pk])
    assert operator_client.post(delete).status_code == 403


def test_create_offers_kinds_then_the_kind_form(supervisor_client):
    page = supervisor_client.get(reverse("notify:channel_create")).content.decode()
    for kind in ("email", "telegram", "whatsapp", "webhook", "apprise"):
        assert f"?kind={kind}" in page
    form = supervisor_client.get(reverse("notify:channel_create") + "?kind=telegram").content.decode()
    assert 'name="chat_id"' in form and 'name="bot_token"' in form and 'type="password"' in form
    assert supervisor_client.get(reverse("notify:channel_create") + "?kind=pigeon").status_code == 404


def test_create_telegram_channel_stores_the_token_encrypted(supervisor_client, supervisor):
    url = reverse("notify:channel_create") + "?kind=telegram"
    response = supervisor_client.post(url, telegram_post())
    channel = Channel.objects.get()
    assert response.status_code == 302 and response.url == channel.get_absolute_url()
    assert (channel.kind, channel.config, channel.secrets) == (
        "telegram", {"chat_id": "-1001234567890"}, {"bot_token": TELEGRAM_TOKEN}
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM notify_channel")
        [(raw,)] = cursor.fetchall()
    assert TELEGRAM_TOKEN not in raw and TELEGRAM_TOKEN in decrypt(raw)
    event = Event.objects.get(verb="notify.channel_created")
    assert (event.actor, event.target_label) == (supervisor, "Grup Admin")


@pytest.mark.parametrize("kind,data,field,message", [
    ("webhook", {"url": "not a url"}, "url", "Enter a valid URL"),
    ("webhook", {"url": "ftp://files.example.go.id/x"}, "url", "Enter a valid URL"),
    ("whatsapp", {"gateway": "fonnte", "numbers": "0812-3456-7890\n021-555-1234", "token": "t"},
     "numbers", "021-555-1234 is not a mobile number"),
    ("whatsapp", {"gateway": "wablas", "numbers": "0812-3456-7890", "token": "t"},
     "gateway_url", "needs the address of your Wablas server"),
    ("email", {"recipients": "admin@kominfo.go.id\nbukan-email"}, "recipients",
     "bukan-email is not an e-mail"),
    ("telegram", {"chat_id": "grup admin", "bot_token": TELEGRAM_TOKEN}, "chat_id",
     "Enter a numeric chat ID"),
    ("telegram", {"chat_id": "123", "bot_token": "abc/../x"}, "bot_token", "not a Telegram bot token"),
    ("apprise", {"url": "nonsense://x"}, "url", "does not recognise"),
])
def test_bad_settings_are_explained(supervisor_client, kind, data, field, message):
    url = reverse("notify:channel_create") + f"?kind={kind}"
    response = supervisor_client.post(url, {"name": "x", "min_severity": "info", **data})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert message.split(" is ")[0] in response.content.decode()
    assert not Channel.objects.exists()


def test_update_keeps_an_empty_secret_and_replaces_a_new_one(supervisor_client, webhook_channel):
    url = reverse("notify:channel_update", args=[webhook_channel.pk])
    page = supervisor_client.get(url).content.decode()
    assert SECRET not in page and "Stored; leave empty to keep it." in page
    data = {"name": "Webhook", "enabled": "on", "min_severity": "critical",
            "url": webhook_channel.config["url"],
            "method": "POST", "auth_header": "X-Token", "auth_value": ""}
    assert supervisor_client.post(url, data).status_code == 302
    webhook_channel.refresh_from_db()
    assert (webhook_channel.secrets, webhook_channel.min_severity) == ({"auth_value": SECRET}, "critical")
    assert supervisor_client.post(url, {**data, "auth_value": "Bearer new"}).status_code == 302
    webhook_channel.refresh_from_db()
    assert webhook_channel.secrets == {"auth_value": "Bearer new"}
    changes = Event.objects.filter(verb="notify.channel_changed").order_by("at", "id")
    fields = [event.data["fields"] for event in changes]
    assert fields == ["min_severity", "auth_value"]


def test_only_a_superuser_can_allow_private_addresses(supervisor_client, admin_client):
    url = reverse("notify:channel_create") + "?kind=telegram"
    page = supervisor_client.get(url).content.decode()
    checkbox = page.split('name="allow_private"')[1].split(">")[0]
    assert "disabled" in checkbox
    supervisor_client.post(url, telegram_post(name="by supervisor", allow_private="on"))
    assert Channel.objects.get(name="by supervisor").allow_private is False
    admin_client.post(url, telegram_post(name="by root", allow_private="on"))
    assert Channel.objects.get(name="by root").allow_private is True
    # and an edit by a non-superuser keeps what the superuser set
    channel = Channel.objects.get(name="by root")
    supervisor_client.post(reverse("notify:channel_update", args=[channel.pk]), telegram_post(name="by root"))
    channel.refresh_from_db()
    assert channel.allow_private is True


def test_secret_never_appears_in_any_page(supervisor_client, webhook_channel, receiver, site_a):
    receiver.answer(500, f"echo {SECRET}")  # even a receiver that echoes it back
    delivery = notify("Down", site=site_a).deliveries.get()
    deliver(delivery)
    pages = [
        reverse("notify:channel_list"),
        reverse("notify:channel_detail", args=[webhook_channel.pk]),
        reverse("notify:channel_update", args=[webhook_channel.pk]),
        reverse("notify:channel_delete", args=[webhook_channel.pk]),
        reverse("notify:delivery_list"),
        reverse("notify:message_detail", args=[delivery.message_id]),
    ]
    for url in pages:
        response = supervisor_client.get(url)
        assert response.status_code == 200, url
        assert SECRET not in response.content.decode(), url
    detail = supervisor_client.get(pages[1]).content.decode()
    assert "stored" in detail
    message_page = supervisor_client.get(pages[-1]).content.decode()
    assert "echo ***" in message_page
    test_url = reverse("notify:channel_test", args=[webhook_channel.pk])
    result = supervisor_client.post(test_url, HTTP_HX_REQUEST="true")
    assert SECRET not in result.content.decode()


def test_test_button_sends_and_shows_the_result_inline(operator_client, webhook_channel, receiver):
    url = reverse("notify:channel_test", args=[webhook_channel.pk])
    assert operator_client.get(url).status_code == 405
    response = operator_client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "The test message was sent." in html and "<html" not in html
    assert receiver.requests[0].json()["title"] == "Test message from JagaWeb"
    receiver.answer(503, "maintenance")
    html = operator_client.post(url, HTTP_HX_REQUEST="true").content.decode()
    assert "The test message failed:" in html and "HTTP 503 maintenance" in html
    assert Event.objects.filter(verb="notify.test_sent").count() == 2


def test_test_without_htmx_redirects(operator_client, webhook_channel):
    response = operator_client.post(reverse("notify:channel_test", args=[webhook_channel.pk]))
    assert response.status_code == 302 and response.url == webhook_channel.get_absolute_url()


def test_test_needs_send_permission(client_for, make_user, webhook_channel, receiver):
    executive = client_for(make_user(RoleKind.EXECUTIVE))
    assert executive.get(reverse("notify:channel_detail", args=[webhook_channel.pk])).status_code == 200
    assert executive.post(reverse("notify:channel_test", args=[webhook_channel.pk])).status_code == 403
    assert receiver.requests == []


def test_delete_keeps_the_delivery_log(supervisor_client, webhook_channel, supervisor):
    delivery = notify("x").deliveries.get()
    url = reverse("notify:channel_delete", args=[webhook_channel.pk])
    assert supervisor_client.post(url).status_code == 302
    assert not Channel.objects.exists()
    delivery.refresh_from_db()
    assert (delivery.channel, delivery.channel_name) == (None, "Webhook")
    event = Event.objects.get(verb="notify.channel_deleted")
    assert (event.actor, event.target_label) == (supervisor, "Webhook")
    assert "Webhook" in supervisor_client.get(reverse("notify:delivery_list")).content.decode()


def test_delivery_log_filters_and_pages(operator_client, webhook_channel, site_a):
    for n in range(55):
        notify(f"pesan {n}", site=site_a)
    Delivery.objects.filter(message__title="pesan 7").update(status="failed", last_error="boom")
    url = reverse("notify:delivery_list")
    first = operator_client.get(url)
    assert "55 deliveries" in first.content.decode()
    assert len(first.context["page_obj"].object_list) == 50
    second = operator_client.get(url + "?page=2")
    assert len(second.context["page_obj"].object_list) == 5
    failed = operator_client.get(url + "?status=failed", HTTP_HX_REQUEST="true")
    html = failed.content.decode()
    assert "pesan 7" in html and "pesan 8" not in html and "<html" not in html
    assert "pesan 3" in operator_client.get(url + "?q=pesan+3").content.decode()


def test_messages_are_scoped_to_visible_sites(client_for, make_user, webhook_channel, site_a, org_b):
    delivery = notify("Kominfo down", site=site_a).deliveries.get()
    general = notify("Laporan mingguan").deliveries.get()
    outsider = client_for(make_user(RoleKind.OPERATOR, organisation=org_b))
    assert outsider.get(reverse("notify:message_detail", args=[delivery.message_id])).status_code == 404
    assert outsider.get(reverse("notify:message_detail", args=[general.message_id])).status_code == 200
    log = outsider.get(reverse("notify:delivery_list")).content.decode()
    assert "Laporan mingguan" in log and "Kominfo down" not in log
    insider = client_for(make_user(RoleKind.OPERATOR))
    page = insider.get(reverse("notify:message_detail", args=[delivery.message_id])).content.decode()
    assert "Kominfo down" in page and "Portal Kominfo" in page


def test_channels_are_scoped_to_the_organisations_of_a_limited_user(make_user, client_for, org_a, org_b):
    from jagaweb.notify.models import Channel
    from jagaweb.people.choices import RoleKind

    own = Channel.objects.create(name="Kanal Kominfo", kind="webhook", config={"url": "https://a.example/h"})
    own.organisations.add(org_a)
    other = Channel.objects.create(name="Kanal Disdik", kind="webhook", config={"url": "https://b.example/h"})
    other.organisations.add(org_b)
    everyone = Channel.objects.create(name="Kanal Semua", kind="webhook", config={"url": "https://c.example/h"})
    limited = make_user(RoleKind.SUPERVISOR, organisation=org_a)
    assert list(Channel.objects.visible_to(limited)) == [own]
    page = client_for(limited).get("/notify/")
    assert b"Kanal Kominfo" in page.content
    assert b"Kanal Disdik" not in page.content and b"Kanal Semua" not in page.content
    assert client_for(limited).get(f"/api/notify/channels/{everyone.pk}/").status_code == 404
    response = client_for(limited).post(
        "/api/notify/channels/",
        {"name": "Baru", "kind": "webhook", "url": "https://d.example/h", "organisations": [org_b.pk]},
        content_type="application/json",
    )
    assert response.status_code == 400 and "organisations" in response.json()
