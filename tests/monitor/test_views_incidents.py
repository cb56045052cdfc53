"""Incident pages: open ones first, filters, the timeline from the log and the results, acknowledging."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from jagaweb.activity.log import SystemJob, record
from jagaweb.activity.models import Event
from jagaweb.monitor import verbs
from jagaweb.monitor.choices import IncidentState, Status
from jagaweb.monitor.models import Incident, Result
from jagaweb.people.choices import RoleKind
from tests.monitor.ui_world import grant, make_check, open_incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client_for: Any, make_user: Any, org_a: Any) -> Any:
    return client_for(grant(make_user(RoleKind.OPERATOR, organisation=org_a, username="admin-kominfo")))


def test_open_incidents_come_first_and_filters_work(client: Any, site_a: Any, site_b: Any) -> None:
    check = make_check(site_a, status=Status.DOWN)
    old = Incident.objects.create(site=site_a, check_ref=check, opened_at=timezone.now() - timedelta(hours=1),
                                  resolved_at=timezone.now() - timedelta(minutes=30), state=IncidentState.RESOLVED,
                                  cause="Koneksi ditolak")
    current = open_incident(check, cause="HTTP 503 Service Unavailable", ago=timedelta(days=3))
    open_incident(make_check(site_b, status=Status.DOWN), cause="Disdik tidak menjawab")
    page = client.get(reverse("monitor:incident_list"))
    html = page.content.decode()
    assert "Disdik" not in html
    assert html.index("HTTP 503 Service Unavailable") < html.index("Koneksi ditolak")  # older, but open
    resolved = client.get(reverse("monitor:incident_list"), {"state": "resolved"})
    assert b"Koneksi ditolak" in resolved.content and b"HTTP 503" not in resolved.content
    unacknowledged = client.get(reverse("monitor:incident_list"), {"acknowledged": "false"})
    assert b"HTTP 503" in unacknowledged.content
    assert current.pk != old.pk


def test_detail_has_a_timeline_and_can_be_acknowledged(client: Any, site_a: Any) -> None:
    check = make_check(site_a, status=Status.DOWN)
    incident = open_incident(check, cause="HTTP 500 dari server", ago=timedelta(minutes=10))
    record(verbs.INCIDENT_OPENED, actor=SystemJob("monitor"), site=site_a, target=incident, site_name=site_a.name,
           check=str(check), cause=incident.cause)
    now = timezone.now()
    Result.objects.bulk_create([
        Result(check_ref=check, at=now - timedelta(minutes=9), status=Status.DOWN, message="HTTP 500"),
        Result(check_ref=check, at=now - timedelta(minutes=8), status=Status.DOWN, message="HTTP 500"),
        Result(check_ref=check, at=now - timedelta(minutes=2), status=Status.UP, message="HTTP 200 in 90 ms"),
    ])
    page = client.get(incident.get_absolute_url())
    timeline = [moment.text for moment in page.context["timeline"]]
    # Oldest first: the status changes (a run of HTTP 500s is one change), then the log's event written now.
    assert timeline[:2] == ["HTTP 500", "HTTP 200 in 90 ms"] and timeline[2].startswith("Portal Kominfo is down")
    assert b"Acknowledge" in page.content
    response = client.post(reverse("monitor:incident_acknowledge", args=[incident.pk]), follow=True)
    incident.refresh_from_db()
    assert incident.acknowledged_by.username == "admin-kominfo" and incident.acknowledged_at is not None
    assert Event.objects.filter(verb="monitor.incident_acknowledged", actor__username="admin-kominfo").exists()
    assert b"Acknowledge: I am on it" not in response.content and b"acknowledged" in response.content
    again = client.post(reverse("monitor:incident_acknowledge", args=[incident.pk]), follow=True)
    assert "already" in next(str(m) for m in again.context["messages"])


def test_another_organisations_incident_is_404(client: Any, site_b: Any) -> None:
    incident = open_incident(make_check(site_b, status=Status.DOWN))
    assert client.get(incident.get_absolute_url()).status_code == 404
    assert client.post(reverse("monitor:incident_acknowledge", args=[incident.pk])).status_code == 404
    incident.refresh_from_db()
    assert incident.acknowledged_at is None
