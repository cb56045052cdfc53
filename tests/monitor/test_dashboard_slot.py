"""The dashboard's monitoring columns: status in words and colour with the open incident, uptime over 24 hours
and 30 days with a sparkline, certificate and domain days and the last content update; a fixed number of
queries for a page of sites, whatever the number of sites, checks and rollups."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jagaweb.dashboard.slots import SLOTS
from jagaweb.inventory.models import Site
from jagaweb.monitor.choices import CheckKind, Status
from jagaweb.monitor.models import Check
from jagaweb.monitor.slots import availability, site_facts, site_statuses
from tests.monitor.ui_world import hourly_rollups, make_check, open_incident

pytestmark = pytest.mark.django_db


def row_of(html: str, name: str) -> str:
    start = html.index(name)
    return html[start:html.index("</tr>", start)]


def test_columns_say_how_each_site_is(admin_client: Any, site_a: Any, site_b: Any) -> None:
    down = make_check(site_a, CheckKind.HTTP, Status.DOWN, message="HTTP 503")
    incident = open_incident(down)
    make_check(site_a, CheckKind.TLS, Status.UP, facts={"days_left": 10, "not_after": "2026-12-01T00:00:00+00:00"})
    make_check(site_a, CheckKind.DOMAIN, Status.UP, facts={"days_left": 200, "expires_on": "2027-06-01"})
    content = timezone.now().replace(microsecond=0) - timedelta(days=40)
    make_check(site_a, CheckKind.FRESHNESS, Status.DEGRADED, facts={"content_date": content.isoformat(),
                                                                    "age_days": 40})
    up = make_check(site_b, CheckKind.HTTP, Status.UP)
    hourly_rollups(down, down_hours=(22, 23))
    hourly_rollups(up)
    assert {"monitor_status", "monitor_availability", "monitor_facts"} <= set(SLOTS)
    html = admin_client.get(reverse("dashboard:index")).content.decode()
    row_a = row_of(html, "Portal Kominfo")
    assert '<span class="badge bad" title="HTTP 503' in row_a and ">Down<" in row_a
    assert reverse("monitor:incident_detail", args=[incident.pk]) in row_a
    assert "91.66 %" in row_a and "<svg class=\"spark\"" in row_a  # 22 of 24 hours up
    assert "TLS 10 days left" in row_a and "Domain 200 days left" in row_a and "stale: 40 days ago" in row_a
    row_b = row_of(html, "Portal Disdik")
    assert 'badge ok">Up<' in row_b and "100 %" in row_b


def test_a_site_without_checks_says_so(admin_client: Any, site_a: Any) -> None:
    html = admin_client.get(reverse("dashboard:index")).content.decode()
    assert "not monitored" in html


def test_status_is_the_worst_check_and_pending_is_not_judged(site_a: Any, site_b: Any) -> None:
    make_check(site_a, CheckKind.HTTP, Status.UP)
    make_check(site_a, CheckKind.FRESHNESS, Status.DEGRADED, message="No new content for 30 days")
    make_check(site_b, CheckKind.HTTP, Status.PENDING)
    statuses = site_statuses([site_a.pk, site_b.pk])
    assert statuses[site_a.pk].status == Status.DEGRADED
    assert statuses[site_a.pk].problems == ["No new content for 30 days"]
    assert statuses[site_b.pk].status == Status.PENDING
    assert site_statuses([site_a.pk], kinds=[CheckKind.HTTP])[site_a.pk].status == Status.UP


def test_queries_do_not_grow_with_the_sites(org_a: Any) -> None:
    sites = Site.objects.bulk_create(Site(slug=f"s{n}", name=f"Website {n}", url=f"https://s{n}.go.id/",
                                          organisation=org_a) for n in range(50))
    for site in sites:
        for kind in (CheckKind.HTTP, CheckKind.TLS, CheckKind.FRESHNESS):
            check = Check.objects.create(site=site, kind=kind, status=Status.UP, facts={"days_left": 30})
            if kind == CheckKind.HTTP:
                hourly_rollups(check)
    ids = [site.pk for site in sites]
    for load, most in ((site_statuses, 2), (site_facts, 1), (availability, 4)):
        with CaptureQueriesContext(connection) as queries:
            found = load(ids)
        assert len(queries) <= most, (load.__name__, [q["sql"] for q in queries])
        assert len(found) == 50
    assert all(value.day == 100.0 and value.spark is not None for value in availability(ids).values())
