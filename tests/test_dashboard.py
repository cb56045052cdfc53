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
