"""The monitoring API: checks (CRUD, run now, options validated by the kind), results filtered by check
and time, incidents with acknowledge, maintenance windows; all scoped to the caller's sites."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import include, path
from django.utils import timezone
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from jagaweb.activity.models import Event
from jagaweb.monitor.choices import CheckKind, Status
from jagaweb.monitor.models import Check, MaintenanceWindow, Result
from jagaweb.people.choices import RoleKind
from tests.monitor.servers import WebServer
from tests.monitor.ui_world import grant, make_check, open_incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(make_user: Any, org_a: Any) -> Any:
    return grant(make_user(RoleKind.OPERATOR, organisation=org_a, username="admin-kominfo"))


@pytest.fixture
def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_checks_are_scoped_and_created_through_the_kind(api: APIClient, site_a: Any, site_b: Any) -> None:
    make_check(site_b, name="Beranda Disdik")
    created = api.post("/api/monitor/checks/", {"site": site_a.slug, "kind": "tls", "config": {"warn_days": 20}},
                       format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["config"] == {"warn_days": 20, "check_weak_protocols": True}
    assert body["interval"] == 12 * 3600  # the kind's default
    assert body["status"] == "pending" and body["heartbeat_url"] is None
    listed = api.get("/api/monitor/checks/").json()
    assert [row["site"] for row in listed["results"]] == [site_a.slug]
    assert Event.objects.filter(verb="monitor.check_created", actor__username="admin-kominfo").exists()
    bad = api.post("/api/monitor/checks/", {"site": site_a.slug, "kind": "dns", "config": {"nameservers": ["x"]}},
                   format="json")
    assert bad.status_code == 400 and "nameservers" in bad.json()["config"]
    foreign = api.post("/api/monitor/checks/", {"site": site_b.slug, "kind": "http"}, format="json")
    assert foreign.status_code == 400 and "site" in foreign.json()


def test_update_rules_and_delete(api: APIClient, site_a: Any) -> None:
    check = make_check(site_a, CheckKind.HTTP, config={})
    url = f"/api/monitor/checks/{check.pk}/"
    assert api.patch(url, {"kind": "tls"}, format="json").status_code == 400
    assert api.patch(url, {"allow_private": True}, format="json").status_code == 400  # a superuser's decision
    changed = api.patch(url, {"interval": 300, "config": {"method": "HEAD"}}, format="json")
    assert changed.status_code == 200 and changed.json()["config"]["method"] == "HEAD"
    assert Event.objects.get(verb="monitor.check_changed").data["fields"] == "config, interval"
    assert api.delete(url).status_code == 204 and not Check.objects.filter(pk=check.pk).exists()


def test_run_now_returns_the_outcome(api: APIClient, site_a: Any) -> None:
    with WebServer() as web:
        web.route("/", body="<h1>Portal Kominfo</h1>")
        check = make_check(site_a, CheckKind.HTTP, Status.PENDING, target=web.url("/"), allow_private=True, config={})
        response = api.post(f"/api/monitor/checks/{check.pk}/run/")
    assert response.status_code == 200
    assert response.json()["status"] == "up" and response.json()["check"]["status"] == "up"


def test_results_filter_by_check_and_time(api: APIClient, site_a: Any, site_b: Any) -> None:
    mine, theirs = make_check(site_a), make_check(site_b)
    now = timezone.now()
    Result.objects.bulk_create([
        Result(check_ref=mine, at=now - timedelta(hours=3), status=Status.UP, response_ms=80),
        Result(check_ref=mine, at=now - timedelta(minutes=5), status=Status.DOWN, message="HTTP 500"),
        Result(check_ref=theirs, at=now, status=Status.UP),
    ])
    everything = api.get("/api/monitor/results/").json()
    assert [row["check"] for row in everything["results"]] == [mine.pk, mine.pk]
    since = (now - timedelta(hours=1)).isoformat()
    recent = api.get("/api/monitor/results/", {"check": mine.pk, "since": since}).json()
    assert [row["message"] for row in recent["results"]] == ["HTTP 500"]
    assert api.get("/api/monitor/results/", {"check": theirs.pk}).status_code == 400


def test_incidents_and_acknowledge(api: APIClient, site_a: Any, site_b: Any) -> None:
    incident = open_incident(make_check(site_a, status=Status.DOWN))
    other = open_incident(make_check(site_b, status=Status.DOWN))
    listed = api.get("/api/monitor/incidents/", {"state": "open"}).json()
    assert [row["id"] for row in listed["results"]] == [incident.pk]
    acknowledged = api.post(f"/api/monitor/incidents/{incident.pk}/acknowledge/")
    assert acknowledged.status_code == 200 and acknowledged.json()["acknowledged_by"] == "admin-kominfo"
    assert api.post(f"/api/monitor/incidents/{other.pk}/acknowledge/").status_code == 404


def test_maintenance_windows(api: APIClient, site_a: Any, org_a: Any, org_b: Any) -> None:
    start = timezone.now() + timedelta(hours=1)
    window = {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat(),
              "reason": "Migrasi server"}
    created = api.post("/api/monitor/maintenance-windows/", {**window, "organisation": org_a.code}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["created_by"] == "admin-kominfo"
    assert api.post("/api/monitor/maintenance-windows/", {**window, "organisation": org_b.code},
                    format="json").status_code == 400
    assert api.post("/api/monitor/maintenance-windows/", window, format="json").status_code == 400
    backwards = {**window, "site": site_a.slug, "ends_at": (start - timedelta(hours=1)).isoformat()}
    assert api.post("/api/monitor/maintenance-windows/", backwards, format="json").status_code == 400
    url = f"/api/monitor/maintenance-windows/{created.json()['id']}/"
    assert api.patch(url, {"reason": "Migrasi server basis data"}, format="json").status_code == 200
    assert api.delete(url).status_code == 204 and not MaintenanceWindow.objects.exists()
    verbs = set(Event.objects.filter(verb__startswith="monitor.window").values_list("verb", flat=True))
    assert verbs == {"monitor.window_created", "monitor.window_changed", "monitor.window_deleted"}


def test_reading_needs_the_view_permission(make_user: Any, org_a: Any, site_a: Any) -> None:
    client = APIClient()
    client.force_authenticate(make_user(RoleKind.THIRD_PARTY))
    assert client.get("/api/monitor/checks/").status_code == 403
    assert APIClient().get("/api/monitor/checks/").status_code in (401, 403)


def test_schema_has_the_monitoring_endpoints_without_warnings() -> None:
    GENERATOR_STATS.reset()
    generator = SchemaGenerator(patterns=[path("api/", include("jagaweb.monitor.api"))])
    schema = generator.get_schema(request=None, public=True)
    warnings = {**GENERATOR_STATS._warn_cache, **GENERATOR_STATS._error_cache}
    assert not warnings, warnings
    assert {"/api/monitor/checks/{id}/run/", "/api/monitor/results/", "/api/monitor/incidents/{id}/acknowledge/",
            "/api/monitor/maintenance-windows/{id}/"} <= set(schema["paths"])
    result_params = {p["name"] for p in schema["paths"]["/api/monitor/results/"]["get"]["parameters"]}
    assert {"check", "since", "until"} <= result_params
