"""The backup API: scoped like the pages, secrets write-only, runs and snapshots read-only, and
"back up now" / "verify now" answered with 202 and the queued task."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from jagaweb.activity.models import Event
from jagaweb.backup import verbs
from jagaweb.backup.choices import Operation, RunState
from jagaweb.backup.models import BackupPlan, BackupRun, BackupTarget, Snapshot
from jagaweb.jobs.models import ScheduleEntry
from tests.backup import test_views as pages
from tests.backup.test_views import HOST_KEY, grant

# The pages' fixtures (a web root, a medium, a plan, a first backup, a scoped operator) serve here too.
english, web_root, medium, planned_site, backed_up, org_a_operator = (
    pages.english, pages.web_root, pages.medium, pages.planned_site, pages.backed_up, pages.org_a_operator)

pytestmark = pytest.mark.django_db


def api_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(pk=user.pk))  # without a cached permission set
    return client


@pytest.fixture
def other_site_backups(site_b) -> dict[str, Any]:
    target = BackupTarget.objects.create(name="Cakram Disdik", path="/srv/disdik")
    return {
        "target": target, "plan": BackupPlan.objects.create(site=site_b, target=target),
        "run": BackupRun.objects.create(site=site_b, operation=Operation.BACKUP, state=RunState.FAILED),
        "snapshot": Snapshot.objects.create(site=site_b, target=target, snapshot_id="ef" * 32,
                                            taken_at="2026-01-01T00:00:00Z"),
    }


def test_runs_and_snapshots_are_listed_and_filtered(operator, backed_up, planned_site, other_site_backups):
    client = api_for(operator)
    runs = client.get("/api/backup/runs/", {"operation": "backup", "state": "succeeded"}).json()
    assert [run["id"] for run in runs["results"]] == [backed_up.pk]
    assert runs["results"][0]["site"] == planned_site.slug and runs["results"][0]["duration"] > 0
    assert client.get("/api/backup/runs/", {"site": planned_site.pk}).json()["count"] == 1
    snapshots = client.get("/api/backup/snapshots/").json()["results"]
    assert {s["snapshot_id"] for s in snapshots} == {backed_up.snapshot_id, "ef" * 32}
    assert client.post("/api/backup/runs/", {}).status_code in (403, 405)


def test_someone_of_another_organisation_gets_404(org_a_operator, backed_up, planned_site, other_site_backups,
                                                  site_b):
    client = api_for(grant(org_a_operator, "backup.add_backuprun", "backup.change_snapshot",
                           "backup.change_backupplan", "backup.change_backuptarget"))
    other = other_site_backups
    assert client.get(f"/api/backup/runs/{other['run'].pk}/").status_code == 404
    assert client.get(f"/api/backup/snapshots/{other['snapshot'].pk}/").status_code == 404
    assert client.post(f"/api/backup/snapshots/{other['snapshot'].pk}/trust/").status_code == 404
    assert client.get(f"/api/backup/plans/{other['plan'].pk}/").status_code == 404
    assert client.patch(f"/api/backup/plans/{other['plan'].pk}/", {"enabled": False}).status_code == 404
    assert client.get(f"/api/backup/targets/{other['target'].pk}/").status_code == 404
    assert client.post(f"/api/backup/sites/{site_b.slug}/run/").status_code == 404
    assert client.post(f"/api/backup/sites/{site_b.slug}/verify/").status_code == 404
    listed = [client.get(f"/api/backup/{kind}/").json() for kind in ("runs", "snapshots", "plans", "targets")]
    assert [body["count"] for body in listed] == [1, 1, 1, 1]
    assert not DBTaskResult.objects.exists()


def test_run_now_answers_202_with_the_queued_task(operator, planned_site, make_user):
    from jagaweb.people.choices import RoleKind

    url = f"/api/backup/sites/{planned_site.slug}/run/"
    assert api_for(make_user(RoleKind.EXECUTIVE)).post(url).status_code == 403  # executives read only
    response = api_for(grant(operator, "backup.add_backuprun")).post(url)
    assert response.status_code == 202
    body = response.json()
    task = DBTaskResult.objects.get()
    assert body == {"task_id": str(task.id), "site": planned_site.slug, "operation": "backup"}
    assert task.args_kwargs["args"] == [planned_site.pk, operator.pk] and not BackupRun.objects.exists()


def test_verify_now_takes_its_options(operator, planned_site, site_b):
    client = api_for(grant(operator, "backup.add_backuprun"))
    url = f"/api/backup/sites/{planned_site.slug}/verify/"
    assert client.post(url, {"sample": 5}, format="json").status_code == 400
    assert client.post(url, {"read_data": False}, format="json").status_code == 202
    assert DBTaskResult.objects.get().args_kwargs["args"][2:] == [False, 0.1]
    assert client.post(f"/api/backup/sites/{site_b.slug}/verify/").status_code == 400  # no plan


def test_trust_marks_a_snapshot_and_records_it(operator, backed_up, planned_site, make_user):
    from jagaweb.people.choices import RoleKind

    snapshot = Snapshot.objects.get(site=planned_site)
    url = f"/api/backup/snapshots/{snapshot.pk}/trust/"
    assert api_for(make_user(RoleKind.EXECUTIVE)).post(url).status_code == 403  # executives read only
    response = api_for(grant(operator, "backup.change_snapshot")).post(url, {}, format="json")
    assert response.status_code == 200 and response.json()["trusted"] is True
    assert Event.objects.filter(verb=verbs.TRUSTED, actor=operator, site=planned_site).exists()


def test_target_secrets_are_write_only(make_user, operator):
    client = api_for(grant(operator, "backup.add_backuptarget", "backup.change_backuptarget"))
    payload = {"name": "Server cadangan", "kind": "sftp", "path": "/backup", "host": "cadangan.example.go.id",
               "username": "jagaweb", "host_key": HOST_KEY,
               "credentials": {"password": "Sandi-SFTP-Rahasia-1"}, "passphrase": "Frasa-Enkripsi-Rahasia-2"}
    response = client.post("/api/backup/targets/", payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["stored_secrets"] == ["password", "passphrase"]
    assert "credentials" not in body and "passphrase" not in body
    target = BackupTarget.objects.get(pk=body["id"])
    assert target.secrets() == {"password": "Sandi-SFTP-Rahasia-1"} and target.passphrase == "Frasa-Enkripsi-Rahasia-2"

    changed = client.patch(f"/api/backup/targets/{target.pk}/", {"notes": "Di ruang server"}, format="json")
    assert changed.status_code == 200
    for text in (response.content, changed.content, client.get("/api/backup/targets/").content,
                 client.get(f"/api/backup/targets/{target.pk}/").content):
        assert b"Sandi-SFTP-Rahasia-1" not in text and b"Frasa-Enkripsi-Rahasia-2" not in text
    target.refresh_from_db()
    assert target.notes == "Di ruang server" and target.secrets() == {"password": "Sandi-SFTP-Rahasia-1"}
    assert Event.objects.filter(verb=verbs.TARGET_CREATED).exists()
    assert Event.objects.get(verb=verbs.TARGET_CHANGED).data["fields"] == "notes"

    refused = client.post("/api/backup/targets/", {**payload, "name": "Lain", "host_key": "nonsense"}, format="json")
    assert refused.status_code == 400 and "host_key" in refused.json()
    unknown = client.post("/api/backup/targets/", {**payload, "name": "Lain", "credentials": {"token": "x"}},
                          format="json")
    assert unknown.status_code == 400 and "credentials" in unknown.json()


def test_someone_limited_to_some_sites_cannot_add_targets(org_a_operator, tmp_path):
    client = api_for(grant(org_a_operator, "backup.add_backuptarget"))
    response = client.post("/api/backup/targets/", {"name": "Cakram", "kind": "local", "path": str(tmp_path)},
                           format="json")
    assert response.status_code == 403 and not BackupTarget.objects.exists()


def test_plans_are_saved_through_the_operation(operator, site_b, medium):
    client = api_for(grant(operator, "backup.add_backupplan", "backup.change_backupplan",
                           "backup.delete_backupplan"))
    response = client.post("/api/backup/plans/", {"site": site_b.slug, "target": medium.pk, "excludes": ["cache/*"],
                                                  "max_age": "1 00:00:00"}, format="json")
    assert response.status_code == 201, response.json()
    plan = BackupPlan.objects.get(site=site_b)
    assert plan.excludes == ["cache/*"] and plan.max_age.days == 1
    assert ScheduleEntry.objects.filter(site=site_b, job="backup.run").exists()
    assert Event.objects.filter(verb=verbs.PLAN_CHANGED, actor=operator).exists()

    assert client.patch(f"/api/backup/plans/{plan.pk}/", {"excludes": ["/etc"]}, format="json").status_code == 400
    assert client.patch(f"/api/backup/plans/{plan.pk}/", {"keep_last": 0}, format="json").status_code == 400
    assert client.patch(f"/api/backup/plans/{plan.pk}/", {"enabled": False}, format="json").status_code == 200
    assert not BackupPlan.objects.get(pk=plan.pk).enabled

    assert client.delete(f"/api/backup/plans/{plan.pk}/").status_code == 204
    assert not ScheduleEntry.objects.filter(site=site_b, job="backup.run").exists()
    assert Event.objects.filter(verb=verbs.PLAN_DELETED, site=site_b).exists()


def test_a_plan_cannot_use_a_target_outside_the_scope(org_a_operator, site_a, other_site_backups):
    client = api_for(grant(org_a_operator, "backup.add_backupplan"))
    response = client.post("/api/backup/plans/", {"site": site_a.slug, "target": other_site_backups["target"].pk},
                           format="json")
    assert response.status_code == 400 and "target" in response.json()


def test_a_scoped_user_cannot_set_system_paths(org_a_operator, planned_site):
    client = api_for(grant(org_a_operator, "backup.change_backupplan"))
    plan = BackupPlan.objects.get(site=planned_site)
    response = client.patch(f"/api/backup/plans/{plan.pk}/", {"extra_paths": ["/etc/shadow"]}, format="json")
    assert response.status_code == 400 and "extra_paths" in response.json()
    assert client.patch(f"/api/backup/plans/{plan.pk}/", {"keep_last": 5}, format="json").status_code == 200
