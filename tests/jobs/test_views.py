"""The job pages: runs and schedule, filters and pagination, changing an entry, run now, and scoping."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jagaweb.activity.models import Event
from jagaweb.jobs import verbs
from jagaweb.jobs.choices import RunStatus, Trigger
from jagaweb.jobs.models import JobRun, ScheduleEntry
from jagaweb.people.choices import RoleKind

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jobs")]


@pytest.fixture
def jobs(declare, only_test_jobs):
    declare("test.global", lambda: "done", every=timedelta(hours=1))
    declare("test.per_site", lambda site: "done", every=timedelta(minutes=5), per_site=True)


def entry(job, site=None, **fields):
    defaults = {"interval": timedelta(minutes=5), "next_due_at": timezone.now() + timedelta(minutes=5)}
    return ScheduleEntry.objects.get_or_create(job=job, site=site, defaults={**defaults, **fields})[0]


def run(entry, status=RunStatus.SUCCEEDED, **fields):
    start = fields.pop("started_at", timezone.now() - timedelta(seconds=90))
    finished = start + timedelta(seconds=65)
    slot = fields.pop("slot", start)
    return JobRun.objects.create(
        entry=entry, slot=slot, status=status, started_at=start, finished_at=finished, **fields
    )


@pytest.fixture
def world(site_a, site_b):
    global_entry = entry("test.global", interval=timedelta(hours=1))
    a, b = entry("test.per_site", site_a), entry("test.per_site", site_b)
    return {
        "global": run(global_entry, outcome="pruned 3"),
        "a_failed": run(a, RunStatus.FAILED, error="RuntimeError: boom", worker="host:42"),
        "b_ok": run(b, outcome="site b fine"),
        "entries": (global_entry, a, b),
    }


def test_run_list_shows_every_run_with_status_badges_and_durations(operator_client, world):
    page = operator_client.get(reverse("jobs:run_list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert '<span class="badge bad">Failed</span>' in html
    assert '<span class="badge ok">Succeeded</span>' in html
    assert "1 min 5 s" in html
    assert "Portal Kominfo" in html and "Portal Disdik" in html


def test_run_list_filters_by_status_job_and_site(operator_client, world, site_b):
    def runs(**query):
        return list(operator_client.get(reverse("jobs:run_list"), query).context["object_list"])

    assert runs(status="failed") == [world["a_failed"]]
    assert runs(job="test.global") == [world["global"]]
    assert runs(site=site_b.pk) == [world["b_ok"]]
    assert runs(status="succeeded", job="test.per_site") == [world["b_ok"]]


def test_run_list_is_paginated_newest_first_and_keeps_the_filters(operator_client, site_a):
    a = entry("test.per_site", site_a)
    base = timezone.now() - timedelta(hours=2)
    for n in range(60):
        run(a, slot=base + timedelta(minutes=n), created_at=base + timedelta(minutes=n))
    first = operator_client.get(reverse("jobs:run_list"), {"status": "succeeded"})
    second = operator_client.get(reverse("jobs:run_list"), {"status": "succeeded", "page": 2})
    assert len(first.context["object_list"]) == 50 and len(second.context["object_list"]) == 10
    assert first.context["object_list"][0].created_at == base + timedelta(minutes=59)
    assert "?status=succeeded&page=2" in first.content.decode()


def test_run_detail_tells_the_whole_story(operator_client, world):
    page = operator_client.get(reverse("jobs:run_detail", args=[world["a_failed"].pk]))
    html = page.content.decode()
    for text in ["RuntimeError: boom", "host:42", "1 min 5 s", "Schedule", "Started", "Finished"]:
        assert text in html


def test_entry_list_shows_interval_next_due_and_last_run(operator_client, world):
    page = operator_client.get(reverse("jobs:entry_list"))
    html = page.content.decode()
    assert page.status_code == 200 and len(page.context["object_list"]) == 3
    assert "5 min" in html and "1 h" in html
    assert '<span class="badge bad">Failed</span>' in html


def test_only_those_who_may_change_an_entry_get_its_form(operator_client, client_for, supervisor, world):
    url = world["entries"][1].get_absolute_url()
    assert 'name="interval"' not in operator_client.get(url).content.decode()
    assert operator_client.post(url, {"interval": "00:10:00", "enabled": "on"}).status_code == 403
    assert 'name="interval"' in client_for(supervisor).get(url).content.decode()


def test_changing_the_schedule_is_validated_and_recorded(client_for, supervisor, world):
    client = client_for(supervisor)
    a = world["entries"][1]
    url = a.get_absolute_url()

    too_fast = client.post(url, {"interval": "00:00:05", "enabled": "on"})
    assert too_fast.status_code == 200
    assert "The interval must be at least 10 seconds." in too_fast.content.decode()
    a.refresh_from_db()
    assert a.interval == timedelta(minutes=5)

    saved = client.post(url, {"interval": "00:02:00"})  # unchecked box: disabled
    assert saved.status_code == 302 and saved["Location"] == url
    a.refresh_from_db()
    assert a.interval == timedelta(minutes=2) and not a.enabled and a.interval_is_custom
    event = Event.objects.get(verb=verbs.ENTRY_CHANGED)
    assert event.actor == supervisor and event.site == a.site


def test_run_now_queues_a_manual_run_and_records_who_asked(operator_client, operator, world):
    a = world["entries"][1]
    url = reverse("jobs:entry_run", args=[a.pk])
    assert operator_client.get(url).status_code == 405

    response = operator_client.post(url)

    new = JobRun.objects.get(trigger=Trigger.MANUAL)
    assert response.status_code == 302 and response["Location"] == new.get_absolute_url()
    assert new.entry == a and new.status == RunStatus.QUEUED
    event = Event.objects.get(verb=verbs.RUN_REQUESTED)
    assert event.actor == operator and event.site == a.site


def test_run_now_refuses_an_undeclared_job(operator_client):
    stale = entry("removed.job")
    response = operator_client.post(reverse("jobs:entry_run", args=[stale.pk]), follow=True)
    assert "cannot run" in response.content.decode()
    assert not JobRun.objects.exists()


def test_people_without_job_permissions_are_refused(make_user, client_for, org_a, world):
    member = client_for(make_user(RoleKind.ORG_MEMBER, organisation=org_a))
    a = world["entries"][1]
    for url in [reverse("jobs:run_list"), reverse("jobs:entry_list"), a.get_absolute_url()]:
        assert member.get(url).status_code == 403
    assert member.post(reverse("jobs:entry_run", args=[a.pk])).status_code == 403


def test_scoped_users_see_only_their_sites_and_no_global_entries(client_for, org_operator, world, site_b):
    client = client_for(org_operator)
    global_entry, a, b = world["entries"]

    runs = client.get(reverse("jobs:run_list")).context["object_list"]
    assert list(runs) == [world["a_failed"]]
    # asking for another organisation's site through the filter shows nothing of it
    assert list(client.get(reverse("jobs:run_list"), {"site": site_b.pk}).context["object_list"]) == [
        world["a_failed"]
    ]
    assert list(client.get(reverse("jobs:entry_list")).context["object_list"]) == [a]
    for hidden in [global_entry, b]:
        assert client.get(hidden.get_absolute_url()).status_code == 404
        assert client.post(reverse("jobs:entry_run", args=[hidden.pk])).status_code == 404
    for hidden_run in [world["global"], world["b_ok"]]:
        assert client.get(hidden_run.get_absolute_url()).status_code == 404
    assert client.get(a.get_absolute_url()).status_code == 200
