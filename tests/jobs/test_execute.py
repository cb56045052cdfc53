"""Executing runs: claimed once, outcome or error recorded; the worker drains the queue; history is pruned."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from jagaweb.activity.choices import Severity
from jagaweb.activity.models import Event
from jagaweb.jobs import verbs
from jagaweb.jobs.choices import RunStatus
from jagaweb.jobs.execute import ALREADY_TAKEN, current_run, execute
from jagaweb.jobs.jobs import prune_history
from jagaweb.jobs.models import JobRun, ScheduleEntry
from jagaweb.jobs.scheduler import sync_entries, tick

DAY = timedelta(days=1)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("only_test_jobs")]


def make_run(job: str, site=None, **fields) -> JobRun:
    entry, _ = ScheduleEntry.objects.get_or_create(
        job=job, site=site, defaults={"interval": timedelta(minutes=1), "next_due_at": timezone.now()}
    )
    return JobRun.objects.create(entry=entry, slot=fields.pop("slot", timezone.now()), **fields)


def test_execute_records_the_outcome_once(declare):
    seen = []

    def job():
        seen.append(current_run().pk)
        return "3 pages checked"

    declare("test.ok", job)
    run = make_run("test.ok")

    assert execute(run.pk, worker="host:1") == RunStatus.SUCCEEDED
    assert execute(run.pk, worker="host:2") == ALREADY_TAKEN

    run.refresh_from_db()
    assert seen == [run.pk]
    assert (run.status, run.outcome, run.worker) == (RunStatus.SUCCEEDED, "3 pages checked", "host:1")
    assert run.error == ""
    assert run.started_at <= run.finished_at and run.duration is not None
    assert current_run() is None


def test_a_failing_job_is_recorded_as_failed_with_an_event(declare, site_a):
    def job(site):
        raise RuntimeError(f"{site.slug} is unreachable")

    declare("test.fails", job, per_site=True)
    run = make_run("test.fails", site=site_a)

    assert execute(run.pk) == RunStatus.FAILED

    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.finished_at is not None
    assert run.error == "RuntimeError: kominfo is unreachable"
    event = Event.objects.get(verb=verbs.RUN_FAILED)
    assert (event.site, event.severity, event.job) == (site_a, Severity.WARNING, "test.fails")
    assert event.target_id == str(run.pk)
    assert event.message == "Job test.fails failed: RuntimeError: kominfo is unreachable"


def test_a_run_of_an_undeclared_job_fails_clearly():
    run = make_run("removed.job")
    assert execute(run.pk) == RunStatus.FAILED
    run.refresh_from_db()
    assert "no declared job named 'removed.job'" in run.error


def test_a_stopped_worker_marks_its_run_failed_instead_of_leaving_it_running(declare):
    def job():
        raise SystemExit(1)

    declare("test.interrupted", job)
    run = make_run("test.interrupted")
    with pytest.raises(SystemExit):
        execute(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.error == "SystemExit: 1"


def test_the_worker_drains_the_queue_and_ignores_a_second_delivery(declare, site_a, site_b, monkeypatch):
    from django_tasks_db.management.commands import db_worker

    from jagaweb.jobs.tasks import run_job

    # In-process, the worker must not drop the test's transaction (it would on PostgreSQL).
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    calls = []
    declare("test.per_site", lambda site: calls.append(site.pk), per_site=True)
    sync_entries()
    runs = tick()
    run_job.enqueue(runs[0].pk)  # the same run delivered twice

    Worker(
        queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id="test-worker", excluded_queue_names=[],
    ).run()

    assert sorted(calls) == sorted([site_a.pk, site_b.pk])
    assert set(JobRun.objects.values_list("status", flat=True)) == {RunStatus.SUCCEEDED}
    results = sorted(DBTaskResult.objects.values_list("status", "return_value"))
    done = TaskResultStatus.SUCCESSFUL
    assert results == [(done, ALREADY_TAKEN), (done, "succeeded"), (done, "succeeded")]


def test_prune_history_deletes_only_old_finished_runs_and_tasks(monkeypatch):
    from jagaweb.jobs.tasks import run_job

    monkeypatch.setenv("JAGAWEB_JOB_HISTORY_DAYS", "7")
    long_ago = timezone.now() - timedelta(days=8)
    old_ok = make_run("test.a", status=RunStatus.SUCCEEDED, finished_at=long_ago, slot=long_ago)
    old_failed = make_run("test.a", status=RunStatus.FAILED, finished_at=long_ago, slot=long_ago - DAY)
    stuck = make_run("test.a", status=RunStatus.RUNNING, slot=long_ago - 2 * DAY)
    recent = make_run("test.a", status=RunStatus.SUCCEEDED, finished_at=timezone.now())
    for _ in range(3):
        run_job.enqueue(recent.pk)
    old_task, ready_task, recent_task = DBTaskResult.objects.order_by("enqueued_at")
    tasks = DBTaskResult.objects
    tasks.filter(pk=old_task.pk).update(status=TaskResultStatus.SUCCESSFUL, finished_at=long_ago)
    tasks.filter(pk=recent_task.pk).update(status=TaskResultStatus.FAILED, finished_at=timezone.now())

    summary = prune_history()

    assert summary.startswith("deleted 2 job runs and 1 task results finished before ")
    assert set(JobRun.objects.values_list("pk", flat=True)) == {stuck.pk, recent.pk}
    assert not JobRun.objects.filter(pk__in=[old_ok.pk, old_failed.pk]).exists()
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {ready_task.pk, recent_task.pk}
    assert not Event.objects.exists()  # nothing noisy in the activity log



def test_reaper_fails_runs_whose_worker_died_and_leaves_live_ones(db, site_a):
    import socket
    from datetime import timedelta

    from django.utils import timezone

    from jagaweb.jobs.choices import RunStatus
    from jagaweb.jobs.jobs import reap_lost_runs
    from jagaweb.jobs.models import JobRun, ScheduleEntry

    entry = ScheduleEntry.objects.create(
        job="x", site=site_a, interval=timedelta(minutes=5), next_due_at=timezone.now()
    )
    host = socket.gethostname()
    now = timezone.now()
    dead = JobRun.objects.create(entry=entry, slot=now, status=RunStatus.RUNNING, started_at=now,
                                 worker=f"{host}:999999999")
    alive = JobRun.objects.create(entry=entry, slot=now - timedelta(minutes=5), status=RunStatus.RUNNING,
                                  started_at=now, worker=f"{host}:{os.getpid()}")
    ancient = JobRun.objects.create(entry=entry, slot=now - timedelta(minutes=10), status=RunStatus.RUNNING,
                                    started_at=now - timedelta(days=2), worker="other-host:1")
    assert reap_lost_runs() == "marked 2 lost run(s) failed"
    dead.refresh_from_db(), alive.refresh_from_db(), ancient.refresh_from_db()
    assert dead.status == RunStatus.FAILED and "stopped while running" in dead.error
    assert ancient.status == RunStatus.FAILED and "after 12 hours" in ancient.error
    assert alive.status == RunStatus.RUNNING
