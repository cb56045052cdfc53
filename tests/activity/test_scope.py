"""An organisation's people see that organisation's events, in every way the log is read."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from jagaweb.activity.log import SystemJob, record
from jagaweb.activity.models import Event
from jagaweb.inventory.models import Site
from jagaweb.people.choices import RoleKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(site_a, site_b, org_a, org_b):
    job = SystemJob("monitor.http")
    return {
        "a": record("inventory.changed", actor=job, site=site_a, kind="site"),
        "b": record("inventory.changed", actor=job, site=site_b, kind="site"),
        "org_a": record("inventory.created", actor=job, organisation=org_a, kind="organisation"),
        "org_b": record("inventory.created", actor=job, organisation=org_b, kind="organisation"),
        "nowhere": record("people.logged_in", actor=job),
    }


@pytest.fixture
def member_a(make_user, client_for, org_a):
    return client_for(make_user(RoleKind.ORG_MEMBER, organisation=org_a))


def ids(*events) -> set[int]:
    return {e.pk for e in events}


def test_visible_to_is_the_one_scoping_rule(make_user, org_a, events, admin_user):
    member = make_user(RoleKind.ORG_MEMBER, organisation=org_a)
    assert set(Event.objects.visible_to(member).values_list("pk", flat=True)) == ids(
        events["a"], events["org_a"]
    )
    assert Event.objects.visible_to(admin_user).count() == 5
    assert Event.objects.visible_to(make_user(RoleKind.OPERATOR)).count() == 5
    assert not Event.objects.visible_to(make_user(None)).exists()


def test_member_sees_only_own_organisation_in_the_list(member_a, events):
    response = member_a.get(reverse("activity:list"))
    assert {e.pk for e in response.context["page"].rows} == ids(events["a"], events["org_a"])
    # Filtering for the other organisation's site is refused, not answered.
    response = member_a.get(reverse("activity:list"), {"site": events["b"].site_id})
    assert response.context["page"].rows == []


def test_member_sees_only_own_organisation_in_the_daily_log(member_a, events):
    response = member_a.get(reverse("activity:daily"))
    assert {e.pk for e in response.context["system"]} == ids(events["a"], events["org_a"])
    assert "Portal Disdik" not in response.content.decode()


def test_member_sees_only_own_organisation_in_the_api(member_a, events):
    response = member_a.get("/api/events/")
    assert response.status_code == 200
    assert {row["id"] for row in response.json()["results"]} == ids(events["a"], events["org_a"])
    assert member_a.get(f"/api/events/{events['b'].pk}/").status_code == 404
    assert member_a.get(f"/api/events/{events['a'].pk}/").status_code == 200


def test_scoped_exporter_exports_only_own_organisation(make_user, client_for, org_a, events):
    # An operator narrowed to one organisation may export, but only that organisation's events.
    exporter = client_for(make_user(RoleKind.OPERATOR, organisation=org_a))
    response = exporter.get(reverse("activity:export"))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert {row[3] for row in rows[1:]} <= {"Portal Kominfo", ""}
    assert len(rows) == 3
    assert "Portal Disdik" not in "".join(",".join(r) for r in rows)


def test_third_party_sees_its_sites_not_the_rest_of_their_organisation(
    make_user, client_for, hosting, site_a, org_a
):
    other = Site.objects.create(
        slug="other", name="Portal Lain", url="http://127.0.0.1:8083/", organisation=org_a
    )
    site_a.third_parties.add(hosting)
    mine = record("inventory.changed", actor=SystemJob("x"), site=site_a)
    record("inventory.changed", actor=SystemJob("x"), site=other)
    vendor = make_user(RoleKind.THIRD_PARTY, third_party=hosting)
    response = client_for(vendor).get(reverse("activity:list"))
    assert [e.pk for e in response.context["page"].rows] == [mine.pk]
