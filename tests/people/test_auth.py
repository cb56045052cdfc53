from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.urls import reverse

from jagaweb.activity.models import Event
from jagaweb.people import verbs
from jagaweb.people.choices import RoleKind
from jagaweb.people.models import Profile

pytestmark = pytest.mark.django_db

PASSWORD = "Rahasia-123!"  # the password make_user gives everyone


def test_login_page_is_public(client):
    assert client.get(reverse("login")).status_code == 200


def test_successful_login_is_recorded_with_the_user(client, make_user):
    user = make_user(RoleKind.OPERATOR, username="budi")
    response = client.post(reverse("login"), {"username": "budi", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:index")
    event = Event.objects.get(verb=verbs.LOGGED_IN)
    assert event.actor == user
    assert event.job == ""


def test_failed_login_is_recorded_with_the_name_tried_never_the_password(client, make_user):
    make_user(RoleKind.OPERATOR, username="budi")
    response = client.post(reverse("login"), {"username": "budi", "password": "Tebakan-Salah-99"})
    assert response.status_code == 200
    assert not Event.objects.filter(verb=verbs.LOGGED_IN).exists()
    event = Event.objects.get(verb=verbs.LOGIN_FAILED)
    assert event.actor is None
    assert event.job == "auth"
    assert event.data["username"] == "budi"
    stored = json.dumps([event.data, event.target_label, event.job])
    assert "Tebakan-Salah-99" not in stored
    assert "budi" in event.message


def test_failed_login_for_an_unknown_or_inactive_user_is_recorded_too(client, make_user):
    user = make_user(RoleKind.OPERATOR, username="pensiun")
    user.is_active = False
    user.save()
    client.post(reverse("login"), {"username": "pensiun", "password": PASSWORD})
    client.post(reverse("login"), {"username": "siapa", "password": "x"})
    assert sorted(Event.objects.filter(verb=verbs.LOGIN_FAILED).values_list("data__username", flat=True)) == [
        "pensiun",
        "siapa",
    ]


def test_logout_is_recorded(client_for, operator):
    client = client_for(operator)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    event = Event.objects.get(verb=verbs.LOGGED_OUT)
    assert event.actor == operator
    # The session is gone: the next page asks for a login again.
    assert client.get(reverse("activity:list")).status_code == 302


def test_login_applies_the_saved_language(client, make_user):
    user = make_user(RoleKind.OPERATOR, username="budi")
    Profile.objects.create(user=user, language="en")
    response = client.post(reverse("login"), {"username": "budi", "password": PASSWORD})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_logged_in_users_skip_the_login_page(operator_client):
    assert operator_client.get(reverse("login")).status_code == 302
