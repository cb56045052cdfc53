"""The SOP API: starting runs, doing steps by role (complete, decide, pause, resume, assign), cases, complaints,
requests with their letter, compliance; everything scoped like the pages."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from jagaweb.activity.log import SystemJob
from jagaweb.people.choices import RoleKind
from jagaweb.sop.choices import StepState
from jagaweb.sop.models import Case, WebsiteRequest
from jagaweb.sop.runs import start_run
from tests.sop.world import COMPLAINT_SOP, REQUEST_SOP, complaint_people

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
CLI = SystemJob("test")


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_run_is_started_and_stepped_through_the_api(site_a, make_user):
    people = complaint_people(make_user)
    kasi = api_for(people["kasi"])
    started = kasi.post("/api/sop/runs/", {"definition": COMPLAINT_SOP, "site": site_a.slug, "at_step": 4},
                        format="json")
    assert started.status_code == 201, started.content
    step_id = started.json()["steps"][0]["id"]
    assert started.json()["steps"][0]["due_at"] is not None
    assert api_for(people["jfu"]).post(f"/api/sop/steps/{step_id}/complete/", {}, format="json").status_code == 403
    done = kasi.post(f"/api/sop/steps/{step_id}/complete/", {"note": "Dianalisa"}, format="json")
    assert done.status_code == 200 and done.json()["state"] == StepState.DONE
    listed = kasi.get("/api/sop/steps/", {"state": "open"}).json()["results"]
    assert [item["number"] for item in listed] == [5]


def test_a_decision_and_waiting_through_the_api(org_a, make_user):
    boss = make_user(RoleKind.SUPERVISOR, username="kabid")
    run = start_run(REQUEST_SOP, CLI, organisation=org_a, at_step=5)
    client = api_for(boss)
    step = run.current_step()
    assert client.post(f"/api/sop/steps/{step.pk}/decide/", {}, format="json").status_code == 400
    assert client.post(f"/api/sop/steps/{step.pk}/decide/", {"decision": "yes"}, format="json").status_code == 200
    step6 = run.current_step()
    client.post(f"/api/sop/steps/{step6.pk}/complete/", {}, format="json")
    step7 = run.current_step()
    assert client.post(f"/api/sop/steps/{step7.pk}/pause/", {"reason": "Data OPD"}, format="json").json()["state"] \
        == StepState.WAITING
    assert client.post(f"/api/sop/steps/{step7.pk}/resume/", format="json").json()["state"] == StepState.OPEN
    other = make_user(RoleKind.OPERATOR, username="operator-lain")
    assert client.post(f"/api/sop/steps/{step7.pk}/assign/", {"assignee": other.pk},
                       format="json").status_code == 400  # not a holder of the step's role
    assert client.post(f"/api/sop/steps/{step7.pk}/assign/", {"assignee": boss.pk}, format="json").json()[
        "assignee"] == boss.pk


def test_cases_complaints_requests_and_compliance(site_a, site_b, org_a, make_user):
    operator = make_user(RoleKind.OPERATOR, username="op-kominfo", organisation=org_a)
    client = api_for(operator)
    opened = client.post("/api/sop/cases/", {"site": site_a.pk, "title": "Slider rusak"}, format="json")
    assert opened.status_code == 201 and Case.objects.get().run is not None
    assert client.post("/api/sop/cases/", {"site": site_b.pk, "title": "Bukan milik saya"},
                       format="json").status_code == 400
    case_id = opened.json()["id"]
    assert client.patch(f"/api/sop/cases/{case_id}/", {"analysis": "Cache penuh"}, format="json").status_code == 200
    assert Case.objects.get().analysis == "Cache penuh"
    submitted = client.post("/api/sop/requests/", {
        "organisation": org_a.pk, "site_name": "Web PPID", "purpose": "Baru",
        "letter": SimpleUploadedFile("surat.pdf", b"%PDF-1.4\n%%EOF\n")}, format="multipart")
    assert submitted.status_code == 201, submitted.content
    assert WebsiteRequest.objects.get().run.current_step().number == 2
    bad = client.post("/api/sop/requests/", {"organisation": org_a.pk, "site_name": "X", "purpose": "Y",
                                              "letter": SimpleUploadedFile("surat.pdf", b"MZ")}, format="multipart")
    assert bad.status_code == 400
    assert client.get("/api/sop/complaints/").status_code == 200
    figures = client.get("/api/sop/compliance/").json()
    complaint = next(item for item in figures if item["definition"] == COMPLAINT_SOP)
    assert complaint["runs"] == 1 and complaint["steps"][0]["number"] == 1
    assert client.get("/api/sop/compliance/", {"start": "kemarin"}).status_code == 400


def test_other_organisations_runs_are_not_found(site_b, org_a, make_user):
    run = start_run(COMPLAINT_SOP, CLI, site=site_b, at_step=4)
    outsider = api_for(make_user(RoleKind.SUPERVISOR, username="kasi-a", organisation=org_a))
    assert outsider.get(f"/api/sop/runs/{run.pk}/").status_code == 404
    assert outsider.post(f"/api/sop/steps/{run.current_step().pk}/complete/", {}, format="json").status_code == 404
    assert outsider.get("/api/sop/runs/").json()["results"] == []


# Several SOP models have a "state" (runs, steps, cases, requests) and steps name a role kind twice; one enum
# name each is a project-wide setting (SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]), applied here until
# the settings have it.
SOP_ENUMS = {
    "RunStateEnum": "jagaweb.sop.choices.RunState", "StepStateEnum": "jagaweb.sop.choices.StepState",
    "CaseStateEnum": "jagaweb.sop.choices.CaseState", "RequestStateEnum": "jagaweb.sop.choices.RequestState",
    "RoleKindEnum": "jagaweb.people.choices.RoleKind",
}


def test_schema_generates_without_warnings(db, settings):
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.plumbing import _load_enum_name_overrides
    from drf_spectacular.settings import patched_settings

    from jagaweb.sop import api

    overrides = {**settings.SPECTACULAR_SETTINGS.get("ENUM_NAME_OVERRIDES", {}), **SOP_ENUMS}
    GENERATOR_STATS.reset()
    _load_enum_name_overrides.cache_clear()
    try:
        with patched_settings({"ENUM_NAME_OVERRIDES": overrides}):
            schema = SchemaGenerator(patterns=api.urlpatterns).get_schema(request=None, public=True)
    finally:
        _load_enum_name_overrides.cache_clear()
    assert not GENERATOR_STATS, (dict(GENERATOR_STATS._warn_cache), dict(GENERATOR_STATS._error_cache))
    assert "/sop/steps/{id}/decide/" in schema["paths"] and "/sop/compliance/" in schema["paths"]
