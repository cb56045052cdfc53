"""Running one JobRun: claim it, call the declared function, record how it ended."""

from __future__ import annotations

import logging
import traceback
from contextvars import ContextVar

from django.utils import timezone

from jagaweb.activity.choices import Severity
from jagaweb.activity.log import SystemJob, record
from jagaweb.jobs import verbs
from jagaweb.jobs.choices import RunStatus
from jagaweb.jobs.models import JobRun
from jagaweb.jobs.registry import JOBS

logger = logging.getLogger(__name__)

ALREADY_TAKEN = "already taken"
_current_run: ContextVar[JobRun | None] = ContextVar("jagaweb_current_run", default=None)


def current_run() -> JobRun | None:
    """The run being executed, for a job that wants to know its slot (None outside a run)."""
    return _current_run.get()


def claim(run_id: int, worker: str) -> bool:
    """Move the run from queued to running; False if another worker already has it."""
    return bool(
        JobRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
            status=RunStatus.RUNNING, started_at=timezone.now(), worker=worker[:100]
        )
    )


def execute(run_id: int, worker: str = "") -> str:
    """Run the job of `run_id` once; a second delivery of the same run does nothing."""
    if not claim(run_id, worker):
        return ALREADY_TAKEN
    run = JobRun.objects.select_related("entry__site__organisation").get(pk=run_id)
    token = _current_run.set(run)
    try:
        outcome = call_job(run)
    except Exception as exc:
        logger.exception("job %s failed", run)
        fail(run, exc)
    except BaseException as exc:
        # The worker is being stopped hard (second signal): say so rather than stay "running".
        fail(run, exc)
        raise
    else:
        succeed(run, outcome)
    finally:
        _current_run.reset(token)
    return run.status


def call_job(run: JobRun) -> object:
    job = JOBS.get(run.entry.job)
    if job is None:
        raise LookupError(f"no declared job named {run.entry.job!r}")
    return job.call(run.entry.site)


def succeed(run: JobRun, outcome: object) -> None:
    run.status = RunStatus.SUCCEEDED
    run.outcome = "" if outcome is None else str(outcome)[:4000]
    finish(run)


def fail(run: JobRun, exc: BaseException, expected_status: str | None = None) -> None:
    """Record the failure; with `expected_status`, only if the run is still in it (the reaper races the worker)."""
    run.status = RunStatus.FAILED
    run.error = "".join(traceback.format_exception_only(exc)).strip()[:4000] or type(exc).__name__
    if not finish(run, expected_status):
        return
    record(
        verbs.RUN_FAILED, actor=SystemJob(run.entry.job), site=run.entry.site, target=run,
        severity=Severity.WARNING, job=run.entry.job, error=run.error,
    )


def finish(run: JobRun, expected_status: str | None = None) -> bool:
    run.finished_at = timezone.now()
    runs = JobRun.objects.filter(pk=run.pk)
    if expected_status is not None:
        runs = runs.filter(status=expected_status)
    return bool(runs.update(status=run.status, outcome=run.outcome, error=run.error, finished_at=run.finished_at))
