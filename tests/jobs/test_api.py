"""The jobs API: runs (read-only, filtered), schedule entries (read, change), run now, scoping, schema."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import include, path
from django.utils import timezone
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

from jagaweb.activity.models import Event
from jagaweb.jobs import verbs
from jagaweb.jobs.choices import RunStatus, Trigger
from jagaweb.jobs.models import JobRun, ScheduleEntry
from jagaweb.people.choices import RoleKind

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jobs")]
STATUSES = [RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.SUCCEEDED]


@pytest.fixture
def jobs(declare, only_test_jobs):
    declare("test.global", lambda: "done", every=timedelta(hours=1))
    declare("test.per_site", lambda site: "done", every=timedelta(minutes=5), per_site=True)


@pytest.fixture
def world(site_a, site_b):
    now = timezone.now()
    entries = [
        ScheduleEntry.objects.create(job=job, site=site, interval=timedelta(minutes=5), next_due_at=now)
        for job, site in [("test.global", None), ("test.per_site", site_a), ("test.per_site", site_b)]
    ]
    runs = [
        JobRun.objects.create(
            entry=entry, slot=now, status=status, started_at=now, finished_at=now + timedelta(seconds=2.5)
        )
        for entry, status in zip(entries, STATUSES, strict=True)
    ]
    return entries, runs


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_runs_are_listed_with_their_story_and_filtered(operator_client, world, site_b):
    entries, runs = world
    body = operator_client.get("/api/job-runs/").json()
    assert body["count"] == 3
    row = next(r for r in body["results"] if r["id"] == runs[1].pk)
    assert (row["job"], row["site"], row["status"], row["duration"]) == (
        "test.per_site", entries[1].site_id, "failed", 2.5
    )
    assert ids(operator_client.get("/api/job-runs/", {"status": "failed"})) == [runs[1].pk]
    assert ids(operator_client.get("/api/job-runs/", {"job": "test.global"})) == [runs[0].pk]
    assert ids(operator_client.get("/api/job-runs/", {"site": site_b.pk})) == [runs[2].pk]
    assert operator_client.get("/api/job-runs/", {"status": "nonsense"}).status_code == 400


def test_runs_are_read_only(operator_client, world):
    _, runs = world
    assert operator_client.delete(f"/api/job-runs/{runs[0].pk}/").status_code in (403, 405)
    assert operator_client.post("/api/job-runs/", {}).status_code in (403, 405)
    assert JobRun.objects.count() == 3


def test_entries_can_be_changed_by_those_allowed(client_for, supervisor, operator_client, world):
    a = world[0][1]
    url = f"/api/schedule-entries/{a.pk}/"
    refused = operator_client.patch(url, {"interval": "00:10:00"}, content_type="application/json")
    assert refused.status_code == 403

    client = client_for(supervisor)
    too_fast = client.patch(url, {"interval": "00:00:05"}, content_type="application/json")
    assert too_fast.status_code == 400
    assert too_fast.json() == {"interval": ["The interval must be at least 10 seconds."]}

    response = client.patch(url, {"interval": "00:10:00", "enabled": False}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["interval"] == "00:10:00" and response.json()["interval_is_custom"] is True
    a.refresh_from_db()
    assert a.interval == timedelta(minutes=10) and not a.enabled
    assert Event.objects.get(verb=verbs.ENTRY_CHANGED).actor == supervisor
    # the job and the site are not the operator's to change
    client.patch(url, {"job": "other", "site": None}, content_type="application/json")
    a.refresh_from_db()
    assert (a.job, a.site_id) == ("test.per_site", world[0][1].site_id)


def test_run_action_queues_a_run(operator_client, operator, make_user, client_for, org_a, world):
    a = world[0][1]
    response = operator_client.post(f"/api/schedule-entries/{a.pk}/run/")
    assert response.status_code == 202
    run = JobRun.objects.get(pk=response.json()["id"])
    assert (run.entry, run.trigger, run.status) == (a, Trigger.MANUAL, RunStatus.QUEUED)
    assert Event.objects.get(verb=verbs.RUN_REQUESTED).actor == operator

    executive = client_for(make_user(RoleKind.EXECUTIVE))  # may read, may not run
    assert executive.get(f"/api/schedule-entries/{a.pk}/").status_code == 200
    assert executive.post(f"/api/schedule-entries/{a.pk}/run/").status_code == 403


def test_api_is_scoped_like_the_pages(client_for, org_operator, world):
    (global_entry, a, b), runs = world
    client = client_for(org_operator)
    assert ids(client.get("/api/job-runs/")) == [runs[1].pk]
    assert ids(client.get("/api/schedule-entries/")) == [a.pk]
    for hidden in [global_entry, b]:
        assert client.get(f"/api/schedule-entries/{hidden.pk}/").status_code == 404
        assert client.post(f"/api/schedule-entries/{hidden.pk}/run/").status_code == 404
    assert client.get(f"/api/job-runs/{runs[2].pk}/").status_code == 404
    # a filter naming a site outside the scope is refused, not answered
    assert client.get("/api/job-runs/", {"site": b.site_id}).status_code == 400


def test_anonymous_and_unprivileged_callers_are_refused(client, make_user, client_for, org_a, world):
    assert client.get("/api/job-runs/").status_code in (401, 403)
    member = client_for(make_user(RoleKind.ORG_MEMBER, organisation=org_a))
    assert member.get("/api/job-runs/").status_code == 403


def test_schema_for_the_jobs_api_generates_without_warnings():
    GENERATOR_STATS.reset()
    generator = SchemaGenerator(patterns=[path("api/", include("jagaweb.jobs.api"))])
    schema = generator.get_schema(request=None, public=True)
    warnings = {**GENERATOR_STATS._warn_cache, **GENERATOR_STATS._error_cache}
    assert not warnings, warnings
    assert {"/api/job-runs/", "/api/schedule-entries/{id}/run/"} <= set(schema["paths"])
    run_params = {p["name"] for p in schema["paths"]["/api/job-runs/"]["get"]["parameters"]}
    assert {"status", "job", "site"} <= run_params
