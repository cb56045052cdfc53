from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from jagaweb.activity.models import Event
from jagaweb.people import verbs
from jagaweb.people.choices import RoleKind
from jagaweb.people.models import Membership, Role

pytestmark = pytest.mark.django_db


def test_the_five_roles_are_seeded_with_their_default_labels():
    assert dict(Role.objects.values_list("kind", "label")) == {
        RoleKind.OPERATOR: "Admin Website",
        RoleKind.SUPERVISOR: "Kepala Sub Bagian",
        RoleKind.EXECUTIVE: "Kepala Bagian / Sekretaris",
        RoleKind.THIRD_PARTY: "Pihak Ketiga",
        RoleKind.ORG_MEMBER: "Staf OPD",
    }


def test_role_backend_grants_the_permissions_of_the_users_roles(make_user, org_a):
    operator = make_user(RoleKind.OPERATOR)
    member = make_user(RoleKind.ORG_MEMBER, organisation=org_a)
    assert operator.has_perm("inventory.add_site")
    assert operator.has_perm("activity.export_event")
    assert member.has_perm("activity.view_event")
    assert not member.has_perm("inventory.add_site")
    assert not member.has_perm("activity.export_event")
    # Granting a permission to the role grants it to everyone holding the role.
    Role.objects.get(kind=RoleKind.ORG_MEMBER).permissions.add(
        Permission.objects.get(content_type__app_label="activity", codename="export_event")
    )
    assert get_user_model().objects.get(pk=member.pk).has_perm("activity.export_event")
    assert not make_user(None).has_perm("activity.view_event")


def test_no_built_in_role_manages_people():
    assert not Permission.objects.filter(role__isnull=False, content_type__app_label="people").exists()


def test_editing_a_role_label_changes_what_is_shown(admin_client, admin_user, make_user, client_for):
    person = make_user(RoleKind.OPERATOR, username="budi")
    role = Role.objects.get(kind=RoleKind.OPERATOR)
    keep = [p.pk for p in role.permissions.all()]
    response = admin_client.post(
        reverse("people:role_update", args=[role.pk]),
        {"label": "Pengelola Web", "rank": 10, "permissions": keep},
    )
    assert response.status_code == 302
    role.refresh_from_db()
    assert role.label == "Pengelola Web"
    assert sorted(role.permissions.values_list("pk", flat=True)) == sorted(keep)
    assert "Pengelola Web" in admin_client.get(reverse("people:user_list")).content.decode()
    assert (
        "Pengelola Web" in admin_client.get(reverse("people:user_detail", args=[person.pk])).content.decode()
    )
    assert client_for(person).get("/api/me/").json()["roles"][0]["role"] == "Pengelola Web"
    event = Event.objects.get(verb=verbs.ROLE_CHANGED)
    assert event.actor == admin_user
    assert event.target_label == "Pengelola Web"
    assert "label" in event.data["fields"]


def test_role_permissions_are_grouped_per_app_and_can_be_taken_away(admin_client):
    role = Role.objects.get(kind=RoleKind.OPERATOR)
    url = reverse("people:role_update", args=[role.pk])
    form = admin_client.get(url).context["form"]
    groups = dict(form.permission_groups())
    assert str(apps.get_app_config("activity").verbose_name) in groups
    assert str(apps.get_app_config("inventory").verbose_name) in groups
    assert str(apps.get_app_config("people").verbose_name) not in groups
    codes = {f"{p.content_type.app_label}.{p.codename}" for p in form.fields["permissions"].queryset}
    assert "activity.export_event" in codes
    assert not any(code.startswith(("people.", "auth.", "sessions.")) for code in codes)
    keep = [p.pk for p in role.permissions.exclude(codename="export_event")]
    admin_client.post(url, {"label": role.label, "rank": role.rank, "permissions": keep})
    assert not role.permissions.filter(codename="export_event").exists()
    event = Event.objects.get(verb=verbs.ROLE_CHANGED)
    assert event.data["revoked"] == ["activity.export_event"]


def test_a_second_role_of_a_kind_can_be_created(admin_client, make_user):
    url = reverse("people:role_create")
    supervisor = Role.objects.get(kind=RoleKind.SUPERVISOR)
    form = admin_client.get(url, {"kind": RoleKind.SUPERVISOR}).context["form"]
    assert {p.pk for p in form.initial["permissions"]} == set(
        supervisor.permissions.values_list("pk", flat=True)
    )
    permissions = list(supervisor.permissions.values_list("pk", flat=True))
    response = admin_client.post(
        url, {"kind": RoleKind.SUPERVISOR, "label": "Sekretaris", "rank": 25, "permissions": permissions}
    )
    assert response.status_code == 302
    sekretaris = Role.objects.get(label="Sekretaris")
    assert sekretaris.kind == RoleKind.SUPERVISOR
    assert sekretaris.permissions.count() == len(permissions)
    assert Event.objects.filter(verb=verbs.ROLE_CREATED, target_label="Sekretaris").exists()
    user = make_user(None)
    Membership.objects.create(user=user, role=sekretaris)
    assert get_user_model().objects.get(pk=user.pk).has_perm("inventory.delete_site")


def test_role_labels_stay_unique(admin_client):
    response = admin_client.post(
        reverse("people:role_create"), {"kind": RoleKind.SUPERVISOR, "label": "Kepala Sub Bagian", "rank": 1}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["label"]
