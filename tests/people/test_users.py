from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from jagaweb.activity.models import Event
from jagaweb.people import verbs
from jagaweb.people.choices import RoleKind
from jagaweb.people.models import Membership, Role

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture(autouse=True)
def english(settings: Any) -> Iterator[None]:
    """Assert on the English source strings; Indonesian is the installed default."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def role(kind: RoleKind) -> Role:
    return Role.objects.get(kind=kind)


def membership_data(rows: list[dict], initial: int = 0) -> dict:
    data = {
        "memberships-TOTAL_FORMS": str(len(rows)),
        "memberships-INITIAL_FORMS": str(initial),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"memberships-{i}-{key}": value for key, value in row.items()})
    return data


@pytest.mark.parametrize(
    "name",
    ["people:user_list", "people:user_create", "people:role_list", "people:role_create"],
)
def test_people_management_is_for_superusers_only(operator_client, name):
    assert operator_client.get(reverse(name)).status_code == 403
    assert operator_client.post(reverse(name), {}).status_code == 403


def test_people_pages_of_one_user_are_for_superusers_only(operator_client, operator):
    for name in ("people:user_detail", "people:user_update"):
        assert operator_client.get(reverse(name, args=[operator.pk])).status_code == 403
    role_url = reverse("people:role_update", args=[role(RoleKind.OPERATOR).pk])
    assert operator_client.get(role_url).status_code == 403
    assert operator_client.post(role_url, {"label": "x", "rank": 1}).status_code == 403
    assert role(RoleKind.OPERATOR).label == "Admin Website"


def test_user_list_searches_and_pages(admin_client, make_user, org_a):
    for i in range(55):
        make_user(RoleKind.ORG_MEMBER, organisation=org_a, username=f"staf{i:02d}")
    make_user(RoleKind.SUPERVISOR, username="kasubag")
    first = admin_client.get(reverse("people:user_list"))
    assert len(first.context["people"]) == 50
    assert first.context["page_obj"].has_next()
    found = admin_client.get(reverse("people:user_list"), {"q": "kasub"})
    assert [u.username for u in found.context["people"]] == ["kasubag"]
    by_role = admin_client.get(reverse("people:user_list"), {"q": "Kepala Sub"})
    assert [u.username for u in by_role.context["people"]] == ["kasubag"]


def test_superuser_creates_a_user_with_a_role(admin_client, admin_user, org_a):
    data = {
        "user-username": "siti",
        "user-first_name": "Siti",
        "user-last_name": "Aminah",
        "user-email": "siti@example.go.id",
        "user-is_active": "on",
        "user-password1": "Kuat-Sekali-2024",
        "user-password2": "Kuat-Sekali-2024",
        **membership_data([{"role": role(RoleKind.ORG_MEMBER).pk, "organisation": org_a.pk}]),
    }
    response = admin_client.post(reverse("people:user_create"), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    siti = User.objects.get(username="siti")
    assert siti.check_password("Kuat-Sekali-2024")
    assert list(siti.memberships.values_list("role__kind", "organisation")) == [
        (RoleKind.ORG_MEMBER, org_a.pk)
    ]
    event = Event.objects.get(verb=verbs.USER_CREATED)
    assert event.actor == admin_user and event.target_label == "siti"
    assert event.target_url() == reverse("people:user_detail", args=[siti.pk])


def test_org_member_without_organisation_is_rejected_with_a_clear_error(admin_client, make_user):
    person = make_user(None, username="budi")
    data = {
        "user-first_name": "",
        "user-last_name": "",
        "user-email": "",
        "user-is_active": "on",
        **membership_data([{"role": role(RoleKind.ORG_MEMBER).pk}]),
    }
    response = admin_client.post(reverse("people:user_update", args=[person.pk]), data)
    assert response.status_code == 200
    errors = response.context["memberships"].forms[0].errors
    assert errors["organisation"] == ["An organisation member needs an organisation."]
    assert not person.memberships.exists()


def test_membership_clean_rules(make_user, org_a, hosting):
    user = make_user(None)
    with pytest.raises(ValidationError) as excinfo:
        Membership(user=user, role=role(RoleKind.ORG_MEMBER)).full_clean()
    assert "organisation" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        Membership(user=user, role=role(RoleKind.THIRD_PARTY)).full_clean()
    assert "third_party" in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        Membership(user=user, role=role(RoleKind.OPERATOR), third_party=hosting).full_clean()
    Membership(user=user, role=role(RoleKind.OPERATOR), organisation=org_a).full_clean()


def test_superuser_changes_a_user_resets_the_password_and_memberships(
    admin_client, admin_user, make_user, org_a
):
    person = make_user(RoleKind.OPERATOR, username="budi")
    existing = person.memberships.get()
    data = {
        "user-first_name": "Budi",
        "user-last_name": "Santoso",
        "user-email": "budi@kominfo.go.id",
        "password-new_password1": "Baru-Sekali-2024",
        "password-new_password2": "Baru-Sekali-2024",
        **membership_data(
            [
                {"id": existing.pk, "role": existing.role_id, "DELETE": "on"},
                {"role": role(RoleKind.SUPERVISOR).pk, "organisation": org_a.pk},
            ],
            initial=1,
        ),
    }
    response = admin_client.post(reverse("people:user_update", args=[person.pk]), data)
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.get_full_name(), person.email, person.is_active) == (
        "Budi Santoso",
        "budi@kominfo.go.id",
        False,
    )
    assert person.check_password("Baru-Sekali-2024")
    assert list(person.memberships.values_list("role__kind", "organisation")) == [
        (RoleKind.SUPERVISOR, org_a.pk)
    ]
    changed = Event.objects.get(verb=verbs.USER_CHANGED)
    assert changed.actor == admin_user
    assert {"first_name", "email", "is_active", "memberships"} <= set(changed.data["fields"])
    assert Event.objects.filter(verb=verbs.PASSWORD_SET, actor=admin_user, target_label="budi").exists()
    assert "Baru-Sekali-2024" not in str(list(Event.objects.values_list("data", flat=True)))


def test_password_reset_is_validated(admin_client, make_user):
    person = make_user(None, username="budi")
    data = {
        "user-is_active": "on",
        "password-new_password1": "123",
        "password-new_password2": "123",
        **membership_data([]),
    }
    response = admin_client.post(reverse("people:user_update", args=[person.pk]), data)
    assert response.status_code == 200
    assert response.context["password_form"].errors["new_password1"]


def test_superuser_cannot_lock_themselves_out(admin_client, admin_user):
    data = {"user-email": "", **membership_data([])}
    response = admin_client.post(reverse("people:user_update", args=[admin_user.pk]), data)
    assert response.status_code == 200
    admin_user.refresh_from_db()
    assert admin_user.is_active and admin_user.is_superuser


def test_user_detail_shows_roles_and_recent_activity(admin_client, make_user, org_a):
    person = make_user(RoleKind.ORG_MEMBER, organisation=org_a, username="budi")
    from jagaweb.activity.log import record

    record(verbs.LOGGED_IN, actor=person)
    html = admin_client.get(reverse("people:user_detail", args=[person.pk])).content.decode()
    assert "Staf OPD" in html and org_a.name in html
    assert "Logged in" in html or "Masuk" in html
