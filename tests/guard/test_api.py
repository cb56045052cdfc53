"""The guard API: runs and findings listed and filtered within the caller's scope, "approve" and a queued
check (202 + task), and the settings changed with the page's own checks."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from jagaweb.activity.models import Event
from jagaweb.guard.choices import FindingState, Identity, RunKind, RunState, Severity, Source, Verdict
from jagaweb.guard.models import GuardProfile
from jagaweb.inventory.models import Site
from jagaweb.people.choices import RoleKind
from tests.guard.test_views import make_finding, make_run

pytestmark = pytest.mark.django_db


def api_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(pk=user.pk))  # without a cached permission set
    return client


@pytest.fixture
def world(site_a: Site, site_b: Site) -> dict[str, Any]:
    check = make_run(site_a, verdict=Verdict.JUDOL, minutes_ago=5)
    failed = make_run(site_a, state=RunState.FAILED, minutes_ago=60, error="NetError: refused")
    restore = make_run(site_a, kind=RunKind.RESTORE, report={"summary": "1 file restored"})
    other = make_run(site_b, verdict=Verdict.DEFACED)
    return {
        "check": check, "failed": failed, "restore": restore, "other": other,
        "page": make_finding(check, Source.PAGE, identity=Identity.GOOGLEBOT),
        "file": make_finding(check, Source.FILE, "shell.php", verdict=Verdict.SUSPICIOUS, severity=Severity.HIGH),
        "other_finding": make_finding(other, Source.VISUAL, verdict=Verdict.DEFACED),
    }


@pytest.fixture
def member(make_user: Any, org_a: Any) -> Any:
    return make_user(RoleKind.ORG_MEMBER, organisation=org_a, username="staf-kominfo")


def test_runs_are_listed_and_filtered(operator: Any, world: dict[str, Any], site_a: Site) -> None:
    client = api_for(operator)
    everything = client.get("/api/guard/runs/").json()
    assert everything["count"] == 4
    checks = client.get("/api/guard/runs/", {"site": site_a.slug, "kind": "check"}).json()["results"]
    assert [run["id"] for run in checks] == [world["check"].pk, world["failed"].pk]
    assert checks[0]["site"] == site_a.slug and checks[0]["verdict"] == "judol"
    failed = client.get("/api/guard/runs/", {"state": "failed"}).json()["results"]
    assert [run["id"] for run in failed] == [world["failed"].pk] and failed[0]["error"] == "NetError: refused"
    detail = client.get(f"/api/guard/runs/{world['restore'].pk}/").json()
    assert detail["kind"] == "restore" and detail["report"] == {"summary": "1 file restored"}


def test_findings_are_listed_and_filtered(operator: Any, world: dict[str, Any], site_a: Site) -> None:
    client = api_for(operator)
    files = client.get("/api/guard/findings/", {"site": site_a.slug, "source": "file"}).json()["results"]
    assert [finding["id"] for finding in files] == [world["file"].pk]
    critical = client.get("/api/guard/findings/", {"severity": "critical", "state": "open"}).json()["results"]
    assert {finding["id"] for finding in critical} == {world["page"].pk, world["other_finding"].pk}
    page = client.get(f"/api/guard/findings/{world['page'].pk}/").json()
    assert page["identity"] == "googlebot" and page["reasons"][0]["evidence"] == ["slot gacor", "maxwin"]


def test_another_organisation_is_invisible(member: Any, world: dict[str, Any], site_b: Site) -> None:
    client = api_for(member)
    assert client.get("/api/guard/runs/").json()["count"] == 3
    assert world["other_finding"].pk not in [f["id"] for f in client.get("/api/guard/findings/").json()["results"]]
    assert client.get(f"/api/guard/runs/{world['other'].pk}/").status_code == 404
    assert client.get(f"/api/guard/findings/{world['other_finding'].pk}/").status_code == 404
    assert client.get("/api/guard/runs/", {"site": site_b.slug}).status_code == 400  # not a choice for them


def test_an_operator_approves_a_finding_and_it_is_logged(operator: Any, world: dict[str, Any], site_a: Site) -> None:
    client = api_for(operator)
    finding = world["page"]
    answer = client.post(f"/api/guard/findings/{finding.pk}/approve/")
    assert answer.status_code == 200 and answer.json()["state"] == "approved"
    finding.refresh_from_db()
    assert finding.state == FindingState.APPROVED
    assert Event.objects.filter(verb="guard.approved", actor=operator, site=site_a).exists()
    again = client.post(f"/api/guard/findings/{finding.pk}/approve/")
    assert again.status_code == 400 and "Only open findings" in again.json()[0]


def test_staff_cannot_approve_and_an_outsider_gets_404(member: Any, make_user: Any, org_a: Any,
                                                       world: dict[str, Any]) -> None:
    assert api_for(member).post(f"/api/guard/findings/{world['page'].pk}/approve/").status_code == 403
    scoped_operator = make_user(RoleKind.OPERATOR, organisation=org_a, username="operator-kominfo")
    response = api_for(scoped_operator).post(f"/api/guard/findings/{world['other_finding'].pk}/approve/")
    assert response.status_code == 404
    assert not Event.objects.filter(verb="guard.approved").exists()


def test_posting_a_run_queues_a_check(operator: Any, member: Any, site_a: Site, site_b: Site, make_user: Any,
                                      org_a: Any) -> None:
    answer = api_for(operator).post("/api/guard/runs/", {"site": site_a.slug}, format="json")
    assert answer.status_code == 202
    task = DBTaskResult.objects.get()
    assert answer.json() == {"task_id": str(task.id), "site": site_a.slug, "kind": "check"}
    assert task.task_path == "jagaweb.guard.tasks.check_now" and task.args_kwargs["args"] == [site_a.pk, operator.pk]
    assert api_for(member).post("/api/guard/runs/", {"site": site_a.slug}, format="json").status_code == 403
    scoped_operator = make_user(RoleKind.OPERATOR, organisation=org_a, username="operator-kominfo")
    assert api_for(scoped_operator).post("/api/guard/runs/", {"site": site_b.slug}, format="json").status_code == 400
    assert DBTaskResult.objects.count() == 1


def test_settings_are_read_and_changed_with_the_pages_checks(operator: Any, member: Any, site_a: Site) -> None:
    client = api_for(operator)
    defaults = client.get(f"/api/guard/profiles/{site_a.slug}/").json()
    assert defaults["site"] == site_a.slug and defaults["enabled"] and defaults["pages"] == []
    assert not GuardProfile.objects.exists()  # reading creates nothing
    changed = client.patch(f"/api/guard/profiles/{site_a.slug}/", {"pages": ["/berita/", " /profil/ "],
                                                                    "identities": ["normal"]}, format="json")
    assert changed.status_code == 200, changed.json()
    profile = GuardProfile.objects.get(site=site_a)
    assert profile.pages == ["/berita/", "/profil/"] and profile.identities == ["normal"]
    assert Event.objects.filter(verb="guard.profile_changed", actor=operator, site=site_a).exists()
    assert client.patch(f"/api/guard/profiles/{site_a.slug}/", {"pages": ["ftp://x/"]},
                        format="json").status_code == 400
    refused = client.patch(f"/api/guard/profiles/{site_a.slug}/", {"allow_private": True}, format="json")
    assert refused.status_code == 400 and "superuser" in str(refused.json())
    assert [p["site"] for p in client.get("/api/guard/profiles/").json()["results"]] == [site_a.slug]
    assert api_for(member).get(f"/api/guard/profiles/{site_a.slug}/").status_code == 403
