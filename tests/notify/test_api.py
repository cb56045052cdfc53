"""The notify API: channels with write-only secrets, the read-only delivery log, test sends, the schema."""

from __future__ import annotations

import json

from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.plumbing import _load_enum_name_overrides
from drf_spectacular.settings import patched_settings
from rest_framework.test import APIClient

from jagaweb.activity.models import Event
from jagaweb.notify import api
from jagaweb.notify.dispatch import deliver, notify
from jagaweb.notify.models import Channel
from jagaweb.people.choices import RoleKind
from tests.notify.conftest import TELEGRAM_TOKEN

CHANNELS = "/api/notify/channels/"
DELIVERIES = "/api/notify/deliveries/"


def api_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def telegram(**changes):
    data = {"name": "Grup", "kind": "telegram", "config": {"chat_id": "-100123"},
            "secrets": {"bot_token": TELEGRAM_TOKEN}, "min_severity": "warning"}
    data.update(changes)
    return data


def test_create_channel_secrets_are_write_only(supervisor):
    client = api_client(supervisor)
    response = client.post(CHANNELS, telegram(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert "secrets" not in body and "secret" not in body
    assert body["stored_secrets"] == ["bot_token"]
    assert TELEGRAM_TOKEN not in response.content.decode()
    channel = Channel.objects.get()
    assert channel.secrets == {"bot_token": TELEGRAM_TOKEN}
    for url in (CHANNELS, f"{CHANNELS}{channel.pk}/"):
        assert TELEGRAM_TOKEN not in client.get(url).content.decode()
    assert Event.objects.filter(verb="notify.channel_created", actor=supervisor).exists()


def test_patch_keeps_stored_secrets_and_validates_config(supervisor):
    client = api_client(supervisor)
    pk = client.post(CHANNELS, telegram(), format="json").json()["id"]
    response = client.patch(f"{CHANNELS}{pk}/", {"min_severity": "critical", "secrets": {"bot_token": ""}},
                            format="json")
    assert response.status_code == 200, response.content
    assert Channel.objects.get().secrets == {"bot_token": TELEGRAM_TOKEN}
    bad = client.patch(f"{CHANNELS}{pk}/", {"config": {"chat_id": "not an id"}}, format="json")
    assert bad.status_code == 400
    assert "chat_id" in bad.json()["config"]
    unknown = client.patch(f"{CHANNELS}{pk}/", {"secrets": {"password": "x"}}, format="json")
    assert unknown.status_code == 400 and "Unknown secrets: password" in unknown.content.decode()
    secret_in_config = client.patch(f"{CHANNELS}{pk}/", {"config": {"chat_id": "1", "bot_token": "x"}},
                                    format="json")
    assert secret_in_config.status_code == 400
    assert "Unknown settings: bot_token" in secret_in_config.content.decode()
    kind = client.patch(f"{CHANNELS}{pk}/", {"kind": "webhook"}, format="json")
    assert kind.status_code == 400


def test_invalid_phone_and_url_are_400(supervisor):
    client = api_client(supervisor)
    phone = client.post(CHANNELS, {"name": "WA", "kind": "whatsapp", "secrets": {"token": "t"},
                                   "config": {"gateway": "fonnte", "numbers": ["0812-3456-7890", "12"]}},
                        format="json")
    assert phone.status_code == 400 and "12 is not a valid" in json.dumps(phone.json()["config"]["numbers"])
    url = client.post(CHANNELS, {"name": "H", "kind": "webhook", "config": {"url": "file:///etc/passwd"}},
                      format="json")
    assert url.status_code == 400 and "url" in url.json()["config"]
    no_token = {"name": "T", "kind": "telegram", "config": {"chat_id": "1"}}
    missing = client.post(CHANNELS, no_token, format="json")
    assert missing.status_code == 400 and "bot_token" in missing.json()["secrets"]


def test_only_superuser_sets_allow_private(supervisor, admin_user):
    refused = api_client(supervisor).post(CHANNELS, telegram(allow_private=True), format="json")
    assert refused.status_code == 400
    response = api_client(admin_user).post(CHANNELS, telegram(allow_private=True), format="json")
    assert response.status_code == 201 and response.json()["allow_private"] is True
    pk = response.json()["id"]
    unchanged = {"allow_private": True, "name": "x"}
    same = api_client(supervisor).patch(f"{CHANNELS}{pk}/", unchanged, format="json")
    assert same.status_code == 200  # unchanged value is fine
    off = api_client(supervisor).patch(f"{CHANNELS}{pk}/", {"allow_private": False}, format="json")
    assert off.status_code == 400


def test_permissions(operator, client_for, make_user, webhook_channel, org_a):
    operator_api = api_client(operator)
    assert operator_api.get(CHANNELS).status_code == 200
    assert operator_api.post(CHANNELS, telegram(), format="json").status_code == 403
    assert operator_api.delete(f"{CHANNELS}{webhook_channel.pk}/").status_code == 403
    member = api_client(make_user(RoleKind.ORG_MEMBER, organisation=org_a))
    assert member.get(CHANNELS).status_code == 403
    assert member.post(f"{CHANNELS}{webhook_channel.pk}/test/").status_code == 403
    assert APIClient().get(CHANNELS).status_code in (401, 403)


def test_test_action_sends_and_returns_the_delivery(operator, webhook_channel, receiver):
    response = api_client(operator).post(f"{CHANNELS}{webhook_channel.pk}/test/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "sent" and body["message"]["kind"] == "test"
    assert body["attempt_log"][0]["ok"] is True
    assert receiver.requests[0].headers["X-Token"] == "hook-secret-value"
    assert "hook-secret-value" not in response.content.decode()


def test_deliveries_are_read_only_and_scoped(
    operator, admin_user, make_user, webhook_channel, receiver, site_a, org_b
):
    receiver.answer(500, "echo hook-secret-value")
    deliver(notify("Kominfo down", site=site_a).deliveries.get())
    notify("Laporan")
    everyone = api_client(operator).get(DELIVERIES)
    assert [d["message"]["title"] for d in everyone.json()["results"]] == ["Laporan", "Kominfo down"]
    assert "hook-secret-value" not in everyone.content.decode()
    failed = api_client(operator).get(DELIVERIES + "?status=retrying").json()["results"]
    assert [d["message"]["title"] for d in failed] == ["Kominfo down"]
    outsider = api_client(make_user(RoleKind.OPERATOR, organisation=org_b))
    assert [d["message"]["title"] for d in outsider.get(DELIVERIES).json()["results"]] == ["Laporan"]
    assert api_client(admin_user).post(DELIVERIES, {}).status_code == 405  # no writes, whoever asks


def test_delete_through_the_api_is_recorded(supervisor, webhook_channel):
    assert api_client(supervisor).delete(f"{CHANNELS}{webhook_channel.pk}/").status_code == 204
    assert Event.objects.filter(verb="notify.channel_deleted", target_label="Webhook").exists()


# Channel.min_severity and Message.severity share activity's Severity; one enum name for it is a
# project-wide setting (SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]), applied here until settings have it.
SEVERITY_ENUM = {"SeverityEnum": "jagaweb.activity.choices.Severity"}


def test_schema_generates_without_warnings(db, settings):
    overrides = {**settings.SPECTACULAR_SETTINGS.get("ENUM_NAME_OVERRIDES", {}), **SEVERITY_ENUM}
    GENERATOR_STATS.reset()
    _load_enum_name_overrides.cache_clear()  # drf-spectacular caches the overrides it read first
    try:
        with patched_settings({"ENUM_NAME_OVERRIDES": overrides}):
            schema = SchemaGenerator(patterns=api.urlpatterns).get_schema(request=None, public=True)
    finally:
        _load_enum_name_overrides.cache_clear()
    assert not GENERATOR_STATS, (dict(GENERATOR_STATS._warn_cache), dict(GENERATOR_STATS._error_cache))
    assert "/notify/channels/{id}/test/" in schema["paths"]
    channel = schema["components"]["schemas"]["Channel"]
    assert channel["properties"]["secrets"]["writeOnly"] is True
