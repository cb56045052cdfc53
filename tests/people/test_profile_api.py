from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from jagaweb.activity.models import Event
from jagaweb.people import verbs
from jagaweb.people.choices import RoleKind
from jagaweb.people.models import Profile

pytestmark = pytest.mark.django_db

PROFILE = reverse("people:profile")


def test_every_logged_in_user_has_a_profile_page(make_user, client_for, org_a):
    member = make_user(RoleKind.ORG_MEMBER, organisation=org_a)
    assert client_for(member).get(PROFILE).status_code == 200


def test_own_name_email_and_language(operator_client, operator):
    response = operator_client.post(
        PROFILE,
        {
            "action": "profile",
            "profile-first_name": "Op",
            "profile-last_name": "Erator",
            "profile-email": "op@example.go.id",
            "profile-language": "en",
        },
    )
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    operator.refresh_from_db()
    assert operator.get_full_name() == "Op Erator"
    assert Profile.objects.get(user=operator).language == "en"
    event = Event.objects.get(verb=verbs.PROFILE_CHANGED)
    assert event.actor == operator
    assert set(event.data["fields"]) == {"first_name", "last_name", "email", "language"}


def test_choosing_the_browser_language_again_drops_the_cookie(operator_client, operator):
    data = {"action": "profile", "profile-email": "", "profile-language": "en"}
    operator_client.post(PROFILE, data)
    response = operator_client.post(PROFILE, {**data, "profile-language": ""})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == ""  # expired
    assert Profile.objects.get(user=operator).language == ""


def test_own_password_change_keeps_the_session(operator_client, operator):
    response = operator_client.post(
        PROFILE,
        {
            "action": "password",
            "password-old_password": "Rahasia-123!",
            "password-new_password1": "Lebih-Rahasia-456",
            "password-new_password2": "Lebih-Rahasia-456",
        },
    )
    assert response.status_code == 302
    operator.refresh_from_db()
    assert operator.check_password("Lebih-Rahasia-456")
    assert operator_client.get(PROFILE).status_code == 200
    assert Event.objects.filter(verb=verbs.PASSWORD_CHANGED, actor=operator).exists()


def test_wrong_old_password_is_refused(operator_client, operator):
    response = operator_client.post(
        PROFILE,
        {
            "action": "password",
            "password-old_password": "salah",
            "password-new_password1": "Lebih-Rahasia-456",
            "password-new_password2": "Lebih-Rahasia-456",
        },
    )
    assert response.status_code == 200
    assert response.context["password_form"].errors["old_password"]


def test_token_is_shown_once_replaced_and_revoked(operator_client, operator):
    response = operator_client.post(PROFILE, {"action": "token_create"})
    assert response.status_code == 200
    key = Token.objects.get(user=operator).key
    assert key in response.content.decode()
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert key not in operator_client.get(PROFILE).content.decode()
    event = Event.objects.get(verb=verbs.TOKEN_CREATED)
    assert event.actor == operator
    assert key not in str([event.data, event.target_label, event.target_id])
    # One token per user: creating another replaces it.
    operator_client.post(PROFILE, {"action": "token_create"})
    assert Token.objects.filter(user=operator).count() == 1
    assert Token.objects.get(user=operator).key != key
    operator_client.post(PROFILE, {"action": "token_revoke"})
    assert not Token.objects.filter(user=operator).exists()
    assert Event.objects.filter(verb=verbs.TOKEN_REVOKED, actor=operator).exists()


def test_api_me_with_a_token(operator_client, operator):
    operator_client.post(PROFILE, {"action": "token_create"})
    key = Token.objects.get(user=operator).key
    api = Client()
    response = api.get("/api/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "operator"
    assert body["roles"] == [
        {"role": "Admin Website", "kind": "operator", "organisation": None, "third_party": None}
    ]
    assert body["scope"] == {"sees_everything": True, "organisations": None, "sites": None}
    assert "activity.export_event" in body["permissions"]


def test_api_me_refuses_without_or_with_a_wrong_token(client):
    assert client.get("/api/me/").status_code in (401, 403)
    assert client.get("/api/me/", HTTP_AUTHORIZATION="Token 0123456789abcdef").status_code == 401


def test_api_me_shows_a_narrow_scope(make_user, client_for, org_a, site_a, site_b):
    member = make_user(RoleKind.ORG_MEMBER, organisation=org_a)
    body = client_for(member).get("/api/me/").json()
    assert body["scope"] == {"sees_everything": False, "organisations": ["diskominfo"], "sites": ["kominfo"]}
    assert body["roles"][0]["organisation"] == "diskominfo"


def test_api_schema_describes_me_and_events():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    me = schema["paths"]["/api/me/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert me == {"$ref": "#/components/schemas/Me"}
    assert {"roles", "scope", "permissions"} <= set(schema["components"]["schemas"]["Me"]["properties"])
    names = {p["name"] for p in schema["paths"]["/api/events/"]["get"]["parameters"]}
    assert {
        "date_from",
        "date_to",
        "site",
        "organisation",
        "actor",
        "job",
        "verb",
        "severity",
        "q",
        "cursor",
    } <= names
