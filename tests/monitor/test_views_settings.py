"""Maintenance windows, a site's monitoring settings and the status page settings, and the site panel."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from jagaweb.activity.models import Event
from jagaweb.monitor.choices import CheckKind, Status
from jagaweb.monitor.models import MaintenanceWindow, MonitorProfile, StatusPage
from jagaweb.people.choices import RoleKind
from tests.monitor.ui_world import grant, hourly_rollups, make_check, open_incident

pytestmark = pytest.mark.django_db
FORMAT = "%Y-%m-%dT%H:%M"


@pytest.fixture
def member(make_user: Any, org_a: Any) -> Any:
    return grant(make_user(RoleKind.OPERATOR, organisation=org_a, username="admin-kominfo"))


@pytest.fixture
def client(client_for: Any, member: Any) -> Any:
    return client_for(member)


WINDOW_START = timezone.localtime() + timedelta(days=1)


def window_data(**fields: Any) -> dict[str, Any]:
    # The same times in every call of a test: a minute that turns between two posts would change them.
    start = WINDOW_START
    return {"reason": "Pembaruan CMS", "starts_at": start.strftime(FORMAT),
            "ends_at": (start + timedelta(hours=2)).strftime(FORMAT), **fields}


def test_window_for_a_site_and_for_an_organisation(client: Any, site_a: Any, org_a: Any) -> None:
    url = reverse("monitor:window_create")
    form = client.get(url, {"site": site_a.slug})
    assert form.status_code == 200 and form.context["form"].initial["site"] == site_a
    assert client.post(url, window_data(site=site_a.pk)).status_code == 302
    assert client.post(url, window_data(organisation=org_a.pk, reason="Migrasi server")).status_code == 302
    site_window, org_window = MaintenanceWindow.objects.order_by("pk")
    assert site_window.site == site_a and site_window.organisation is None
    assert org_window.organisation == org_a and org_window.site is None
    assert Event.objects.filter(verb="monitor.window_created", actor__username="admin-kominfo").count() == 2
    listed = client.get(reverse("monitor:window_list"), {"when": "upcoming"})
    assert b"Pembaruan CMS" in listed.content and b"every site of" in listed.content
    response = client.post(reverse("monitor:window_update", args=[site_window.pk]),
                           window_data(site=site_a.pk, reason="Pembaruan CMS dan plugin"))
    assert response.status_code == 302
    assert Event.objects.get(verb="monitor.window_changed").data["fields"] == "reason"
    assert client.post(reverse("monitor:window_delete", args=[org_window.pk])).status_code == 302
    assert not MaintenanceWindow.objects.filter(pk=org_window.pk).exists()


def test_window_must_end_after_it_starts_and_cover_something(client: Any, site_a: Any, org_a: Any) -> None:
    url = reverse("monitor:window_create")
    start = timezone.localtime()
    backwards = client.post(url, window_data(site=site_a.pk, starts_at=start.strftime(FORMAT),
                                             ends_at=(start - timedelta(hours=1)).strftime(FORMAT)))
    assert "ends_at" in backwards.context["form"].errors
    nothing = client.post(url, window_data())
    assert "site" in nothing.context["form"].errors
    both = client.post(url, window_data(site=site_a.pk, organisation=org_a.pk))
    assert "organisation" in both.context["form"].errors
    assert not MaintenanceWindow.objects.exists()


def test_other_organisations_windows_are_out_of_reach(client: Any, site_b: Any, org_b: Any) -> None:
    now = timezone.now()
    theirs = MaintenanceWindow.objects.create(organisation=org_b, starts_at=now, ends_at=now + timedelta(hours=1),
                                              reason="Disdik")
    assert b"Disdik" not in client.get(reverse("monitor:window_list")).content
    assert client.get(reverse("monitor:window_update", args=[theirs.pk])).status_code == 404
    refused = client.post(reverse("monitor:window_create"), window_data(organisation=org_b.pk))
    assert "organisation" in refused.context["form"].errors


def test_a_third_party_cannot_silence_a_whole_organisation(make_user: Any, client_for: Any, site_a: Any,
                                                           org_a: Any, hosting: Any) -> None:
    site_a.third_parties.add(hosting)
    vendor = grant(make_user(RoleKind.THIRD_PARTY, third_party=hosting))
    client = client_for(vendor)
    refused = client.post(reverse("monitor:window_create"), window_data(organisation=org_a.pk))
    assert "organisation" in refused.context["form"].errors
    assert client.post(reverse("monitor:window_create"), window_data(site=site_a.pk)).status_code == 302
    now = timezone.now()
    org_window = MaintenanceWindow.objects.create(organisation=org_a, starts_at=now, ends_at=now + timedelta(hours=1),
                                                  reason="Migrasi")
    assert client.get(reverse("monitor:window_update", args=[org_window.pk])).status_code == 403


def test_monitoring_settings_of_a_site(client: Any, site_a: Any, site_b: Any) -> None:
    url = reverse("monitor:profile_edit", args=[site_a.slug])
    assert client.get(url).status_code == 200
    response = client.post(url, {"failures_to_open": 2, "successes_to_resolve": 1, "stale_after_days": 30})
    assert response.status_code == 302
    profile = MonitorProfile.objects.get(site=site_a)
    assert (profile.failures_to_open, profile.stale_after_days, profile.on_status_page) == (2, 30, False)
    assert Event.objects.filter(verb="monitor.profile_changed", site=site_a).exists()
    bad = client.post(url, {"failures_to_open": 0, "successes_to_resolve": 1, "stale_after_days": 30})
    assert "failures_to_open" in bad.context["form"].errors
    assert client.get(reverse("monitor:profile_edit", args=[site_b.slug])).status_code == 404


def test_status_page_settings(client: Any, org_a: Any, org_b: Any) -> None:
    listed = client.get(reverse("monitor:status_page_list"))
    assert b"Dinas Komunikasi" in listed.content and b"Dinas Pendidikan" not in listed.content
    url = reverse("monitor:status_page_edit", args=[org_a.pk])
    assert client.get(url).context["form"].initial["slug"] == "diskominfo"
    response = client.post(url, {"title": "Status Website Diskominfo", "slug": "diskominfo", "is_public": "on",
                                 "introduction": "Ketersediaan layanan daring."})
    assert response.status_code == 302
    page = StatusPage.objects.get(organisation=org_a)
    assert page.is_public and Event.objects.filter(verb="monitor.status_page_changed").exists()
    assert client.get(reverse("monitor:status_page_edit", args=[org_b.pk])).status_code == 404


def test_site_panel_shows_checks_incident_and_charts(client: Any, site_a: Any) -> None:
    http = make_check(site_a, CheckKind.HTTP, Status.DOWN, message="HTTP 500")
    make_check(site_a, CheckKind.TLS, Status.UP, facts={"days_left": 45, "not_after": "2027-01-05T00:00:00+00:00"})
    open_incident(http, cause="HTTP 500 dari server")
    hourly_rollups(http, down_hours=(20,))
    page = client.get(site_a.get_absolute_url())
    html = page.content.decode()
    assert 'id="panel-monitor"' in html
    assert "HTTP 500 dari server" in html and "45 days left" in html
    assert "Uptime, 24 hours" in html and "95.83 %" in html  # one hour of 24 down
    assert html.count("<svg") >= 2 and 'class="uptime-bad"' in html  # the day (of the two) with the down hour
    assert f"{reverse('monitor:check_list')}?site={site_a.slug}" in html
