"""The public status page: anonymous, only when public, the organisation's listed sites with their state,
90 days of uptime bars and open incidents, and none of the internal messages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jagaweb.inventory.models import Site
from jagaweb.monitor.choices import CheckKind, Status
from jagaweb.monitor.models import MonitorProfile, StatusPage
from tests.monitor.ui_world import hourly_rollups, make_check, open_incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(org_a: Any) -> StatusPage:
    return StatusPage.objects.create(organisation=org_a, slug="diskominfo", title="Status Layanan Diskominfo",
                                     introduction="Ketersediaan website Diskominfo.", is_public=True)


def test_anonymous_reads_the_public_page(page: StatusPage, site_a: Site, site_b: Site, org_a: Any) -> None:
    http = make_check(site_a, CheckKind.HTTP, Status.DOWN, message="Connection refused by 10.0.0.5:443",
                      target="https://10.0.0.5/rahasia")
    hourly_rollups(http, down_hours=(23,))
    open_incident(http, cause="Connection refused by 10.0.0.5:443")
    make_check(site_a, CheckKind.FRESHNESS, Status.DEGRADED, message="No new content for 40 days")
    hidden = Site.objects.create(slug="intranet", name="Intranet Kominfo", url="http://10.0.0.9/", organisation=org_a)
    MonitorProfile.objects.create(site=hidden, on_status_page=False)
    make_check(site_b, CheckKind.HTTP, Status.UP)
    response = Client().get(reverse("monitor:status_page", args=["diskominfo"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Status Layanan Diskominfo" in html and "Ketersediaan website Diskominfo." in html
    assert "Portal Kominfo" in html and "1 website is not reachable." in html
    assert "Ongoing disruptions" in html and "under investigation" in html
    assert html.count('class="uptime-') >= 90  # 90 daily bars
    assert "Intranet" not in html and "Portal Disdik" not in html
    assert "10.0.0.5" not in html and "rahasia" not in html and "40 days" not in html  # nothing internal


def test_a_page_that_is_not_public_does_not_exist(page: StatusPage) -> None:
    page.is_public = False
    page.save()
    assert Client().get(reverse("monitor:status_page", args=["diskominfo"])).status_code == 404
    assert Client().get(reverse("monitor:status_page", args=["tidak-ada"])).status_code == 404
    assert Client().post(reverse("monitor:status_page", args=["diskominfo"])).status_code == 405


def test_public_state_counts_only_whether_sites_answer(page: StatusPage, site_a: Site) -> None:
    make_check(site_a, CheckKind.HTTP, Status.UP)
    make_check(site_a, CheckKind.FRESHNESS, Status.DEGRADED)  # stale content is not a disruption for visitors
    html = Client().get(reverse("monitor:status_page", args=["diskominfo"])).content.decode()
    assert "All websites are reachable." in html and 'badge ok">Up<' in html
