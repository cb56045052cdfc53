from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from jagaweb.activity.log import SystemJob, record
from jagaweb.people import verbs
from jagaweb.people.choices import RoleKind
from jagaweb.people.models import Role

pytestmark = pytest.mark.django_db

URL = "/api/events/"


def test_events_api_lists_with_the_shared_filters(operator_client, operator, site_a):
    role = Role.objects.get(kind=RoleKind.OPERATOR)
    record(verbs.ROLE_CHANGED, actor=operator, target=role, site=site_a)
    record("inventory.changed", actor=SystemJob("monitor.http"), severity="critical", kind="site")
    body = operator_client.get(URL, {"verb": "people."}).json()
    assert [row["verb"] for row in body["results"]] == [verbs.ROLE_CHANGED]
    row = body["results"][0]
    assert row["actor"] == "operator"
    assert row["site"] == "kominfo"
    assert row["organisation"] == "diskominfo"
    assert row["target_type"] == "people.role"
    assert row["target_url"] == f"http://testserver/people/roles/{role.pk}/"
    assert row["message"]
    assert [r["job"] for r in operator_client.get(URL, {"severity": "critical"}).json()["results"]] == [
        "monitor.http"
    ]
    assert operator_client.get(URL, {"severity": "nope"}).status_code == 400


def test_events_api_pages_with_a_cursor(operator_client, operator):
    for _ in range(5):
        record(verbs.LOGGED_IN, actor=operator)
    first = operator_client.get(URL, {"page_size": 3}).json()
    assert len(first["results"]) == 3 and first["next"]
    second = (
        Client()
        .get(first["next"].replace("http://testserver", ""), HTTP_AUTHORIZATION=_token(operator))
        .json()
    )
    assert len(second["results"]) == 2
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}


def _token(user) -> str:
    return f"Token {Token.objects.get_or_create(user=user)[0].key}"


def test_events_api_needs_authentication_and_permission(client, make_user):
    assert client.get(URL).status_code in (401, 403)
    nobody = make_user(None)
    assert client.get(URL, HTTP_AUTHORIZATION=_token(nobody)).status_code == 403


def test_events_are_read_only_through_the_api(operator_client):
    assert operator_client.post(URL, {"verb": "x"}).status_code in (403, 405)
