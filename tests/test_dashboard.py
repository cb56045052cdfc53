from django.urls import reverse

from jagaweb.activity.log import SystemJob, record
from jagaweb.dashboard.slots import SLOTS


def test_dashboard_lists_sites_in_scope_with_last_activity(client_for, make_user, org_a, site_a, site_b):
    from jagaweb.people.choices import RoleKind

    record("inventory.changed", actor=SystemJob("test"), site=site_a, target=site_a, kind="site", fields="name")
    member = make_user(RoleKind.ORG_MEMBER, organisation=org_a)
    page = client_for(member).get(reverse("dashboard:index"))
    assert page.status_code == 200
    assert b"Portal Kominfo" in page.content and b"Portal Disdik" not in page.content
    assert "last_activity" in SLOTS
    assert f"?site={site_a.pk}".encode() in page.content


def test_dashboard_is_one_query_per_slot_whatever_the_page_size(admin_client, org_a, django_assert_max_num_queries):
    from jagaweb.inventory.models import Site

    Site.objects.bulk_create(
        Site(slug=f"site-{n}", name=f"Website {n:03}", url=f"https://s{n}.contoh.go.id/", organisation=org_a)
        for n in range(120)
    )
    # Session, user, permissions, the page of sites and its count: 6; then one query per column.
    from jagaweb.dashboard.slots import SLOTS

    with django_assert_max_num_queries(6 + len(SLOTS)):
        page = admin_client.get(reverse("dashboard:index"))
    assert page.status_code == 200 and b"Website 000" in page.content and b"Website 050" not in page.content
    assert admin_client.get(reverse("dashboard:index") + "?page=2").status_code == 200
    assert b"Website 077" in admin_client.get(reverse("dashboard:index") + "?q=077").content


def test_each_column_shows_only_to_those_who_may_see_it(client_for, make_user, org_a, site_a):
    from jagaweb.people.choices import RoleKind

    def columns(user) -> set[str]:
        page = client_for(user).get(reverse("dashboard:index"))
        assert page.status_code == 200
        return {slot.key for slot in page.context["slots"]}

    third_party = columns(make_user(RoleKind.THIRD_PARTY, organisation=org_a))
    assert third_party == {"last_activity"}, "a third party sees no monitoring, guard, visitors or backups"
    member = columns(make_user(RoleKind.ORG_MEMBER, organisation=org_a))
    assert {"monitor_status", "monitor_availability", "guard", "logwatch", "last_activity"} <= member
    assert "backup" not in member, "organisation staff have no access to backups"
    assert columns(make_user(RoleKind.OPERATOR)) == set(SLOTS)


def test_the_organisation_filter_keeps_the_chosen_one(admin_client, org_a, site_a):
    html = admin_client.get(reverse("dashboard:index") + f"?organisation={org_a.pk}").content.decode()
    assert f'<option value="{org_a.pk}" selected>{org_a.name}</option>' in html
