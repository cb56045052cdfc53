"""The renewals API: services and renewals scoped like the pages, a renewal created with a multipart invoice
upload (which starts the next period), the invoice download, "refresh" and the schema."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jagaweb.activity.models import Event
from jagaweb.people.choices import RoleKind
from jagaweb.renewals import verbs
from jagaweb.renewals.choices import DateSource
from jagaweb.renewals.models import Renewal, Service
from tests.renewals.conftest import FIXTURES

pytestmark = pytest.mark.django_db
SERVICES, RENEWALS = "/api/renewals/services/", "/api/renewals/renewals/"


def api_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(pk=user.pk))
    return client


@pytest.fixture
def services(site_a, site_b, org_a, make_service) -> dict[str, Service]:
    return {
        "a": make_service(site=site_a, name="Hosting Kominfo", period_end=date(2026, 7, 1)),
        "a_org": make_service(organisation=org_a, kind="connection", name="Astinet", period_end=date(2026, 9, 1)),
        "b": make_service(site=site_b, name="Hosting Disdik", period_end=date(2026, 8, 1)),
    }


def test_services_are_scoped_and_filtered(make_user, org_a, services, operator):
    everyone = api_for(operator).get(SERVICES).json()
    assert [s["name"] for s in everyone["results"]] == ["Hosting Kominfo", "Hosting Disdik", "Astinet"]
    staff = api_for(make_user(RoleKind.ORG_MEMBER, organisation=org_a))
    own = staff.get(SERVICES).json()["results"]
    assert {s["name"] for s in own} == {"Hosting Kominfo", "Astinet"}
    assert own[0]["site"] == "kominfo" and own[0]["organisation"] == "diskominfo" and "days_left" in own[0]
    assert staff.get(f"{SERVICES}{services['b'].pk}/").status_code == 404
    assert [s["name"] for s in api_for(operator).get(SERVICES, {"kind": "connection"}).json()["results"]] == [
        "Astinet"]


def test_the_api_token_works_too(services, operator):
    token = Token.objects.create(user=operator)
    response = APIClient().get(SERVICES, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200 and response.json()["count"] == 3
    assert APIClient().get(SERVICES).status_code in (401, 403)


def test_create_change_and_delete_services(operator, make_user, site_a, org_b, client_for):
    client = api_for(operator)
    response = client.post(SERVICES, {"site": site_a.slug, "kind": "domain", "name": "Domain",
                                      "identifier": "kominfo.go.id", "period_end": "2027-01-01", "cost": "250000"},
                           format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["organisation"] == "diskominfo" and created["end_source"] == DateSource.MANUAL
    service = Service.objects.get(pk=created["id"])
    assert Event.objects.filter(verb=verbs.SERVICE_CREATED, target_id=str(service.pk)).exists()
    response = client.patch(f"{SERVICES}{service.pk}/", {"cost": "300000", "name": "Domain"}, format="json")
    assert response.status_code == 200 and response.json()["cost"] == "300000.00"
    assert Event.objects.get(verb=verbs.SERVICE_CHANGED).data["fields"] == "cost"
    response = client.patch(f"{SERVICES}{service.pk}/", {"organisation": org_b.code}, format="json")
    assert response.status_code == 400 and "organisation" in response.json()
    response = client.patch(f"{SERVICES}{service.pk}/", {"period_start": "2028-01-01"}, format="json")
    assert response.status_code == 400 and "period_end" in response.json()
    assert client.delete(f"{SERVICES}{service.pk}/").status_code == 403  # operators do not remove services
    supervisor = api_for(make_user(RoleKind.SUPERVISOR))
    assert supervisor.delete(f"{SERVICES}{service.pk}/").status_code == 204
    assert Event.objects.filter(verb=verbs.SERVICE_DELETED).exists()


def test_an_organisation_operator_cannot_file_under_another(make_user, org_a, org_b, site_b):
    client = api_for(make_user(RoleKind.OPERATOR, organisation=org_a))
    response = client.post(SERVICES, {"site": site_b.slug, "kind": "hosting", "name": "x", "period_end": "2027-01-01"},
                           format="json")
    assert response.status_code == 400 and "site" in response.json()
    response = client.post(SERVICES, {"organisation": org_b.code, "kind": "hosting", "name": "x",
                                      "period_end": "2027-01-01"}, format="json")
    assert response.status_code == 400 and "organisation" in response.json()
    assert not Service.objects.exists()


def test_recording_a_renewal_through_the_api(operator, services, media, make_user, org_a):
    service = services["a"]
    client = api_for(operator)
    with (FIXTURES / "invoice.pdf").open("rb") as handle:
        response = client.post(RENEWALS, {"service": service.pk, "period_start": "2026-07-01",
                                          "period_end": "2027-07-01", "cost": "1650000", "invoice": handle,
                                          "invoice_number": "INV-42"}, format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["previous_end"] == "2026-07-01" and body["recorded_by"] == "operator"
    assert body["invoice_name"] == "invoice.pdf" and "invoice" not in body
    service.refresh_from_db()
    assert service.period_end == date(2027, 7, 1) and service.end_source == DateSource.RENEWAL
    download = client.get(body["invoice_url"])
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == (FIXTURES / "invoice.pdf").read_bytes()
    staff = api_for(make_user(RoleKind.ORG_MEMBER, organisation=org_a))
    assert [r["id"] for r in staff.get(RENEWALS).json()["results"]] == [body["id"]]
    assert staff.get(body["invoice_url"]).status_code == 200
    with (FIXTURES / "invoice.pdf").open("rb") as handle:  # reading is not recording
        refused = staff.post(RENEWALS, {"service": service.pk, "period_start": "2027-07-01",
                                        "period_end": "2028-07-01", "invoice": handle}, format="multipart")
    assert refused.status_code == 403


def test_bad_invoices_and_other_organisations_services_are_refused(make_user, org_a, services, media):
    client = api_for(make_user(RoleKind.OPERATOR, organisation=org_a))
    with (FIXTURES / "not-a-pdf.pdf").open("rb") as handle:
        response = client.post(RENEWALS, {"service": services["a"].pk, "period_start": "2026-07-01",
                                          "period_end": "2027-07-01", "invoice": handle}, format="multipart")
    assert response.status_code == 400 and "invoice" in response.json()
    with (FIXTURES / "invoice.pdf").open("rb") as handle:
        response = client.post(RENEWALS, {"service": services["b"].pk, "period_start": "2026-08-01",
                                          "period_end": "2027-08-01", "invoice": handle}, format="multipart")
    assert response.status_code == 400 and "service" in response.json()
    assert not Renewal.objects.exists()


def test_refresh_action_needs_the_change_permission(operator, make_user, org_a, services):
    service = services["a"]
    response = api_for(operator).post(f"{SERVICES}{service.pk}/refresh/")
    assert response.status_code == 200
    assert response.json()["result"] == "not_monitored" and response.json()["service"]["id"] == service.pk
    staff = api_for(make_user(RoleKind.ORG_MEMBER, organisation=org_a))
    assert staff.post(f"{SERVICES}{service.pk}/refresh/").status_code == 403


def test_schema_for_the_renewals_api_generates_without_warnings():
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(patterns=[path("api/", include("jagaweb.renewals.api"))]).get_schema(
        request=None, public=True)
    warnings = {**GENERATOR_STATS._warn_cache, **GENERATOR_STATS._error_cache}
    assert not warnings, warnings
    assert {"/api/renewals/services/", "/api/renewals/services/{id}/refresh/", "/api/renewals/renewals/",
            "/api/renewals/renewals/{id}/invoice/"} <= set(schema["paths"])
    params = {p["name"] for p in schema["paths"]["/api/renewals/services/"]["get"]["parameters"]}
    assert {"kind", "organisation", "due_within", "overdue"} <= params
