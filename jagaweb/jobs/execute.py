"""Running one JobRun: claim it, call the declared function, record how it ended."""

from __future__ import annotations

import logging
import traceback

from django.utils import timezone

from jagaweb.activity.choices import Severity
from jagaweb.activity.log import SystemJob, record
from jagaweb.jobs import verbs
from jagaweb.jobs.choices import RunStatus
from jagaweb.jobs.models import JobRun
from jagaweb.jobs.registry import JOBS

logger = logging.getLogger(__name__)


def claim(run_id: int, worker: str) -> bool:
    """Move the run from queued to running; False if another worker already has it."""
    return bool(
        JobRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
            status=RunStatus.RUNNING, started_at=timezone.now(), worker=worker[:100]
        )
    )


def execute(run_id: int, worker: str = "") -> str:
    if not claim(run_id, worker):
        return "already taken"
    run = JobRun.objects.select_related("entry__site").get(pk=run_id)
    job = JOBS.get(run.entry.job)
    try:
        if job is None:
            raise LookupError(f"no declared job named {run.entry.job!r}")
        outcome = job.call(run.entry.site)
    except Exception as exc:
        run.status = RunStatus.FAILED
        run.error = "".join(traceback.format_exception_only(exc)).strip()[:4000]
        logger.exception("job %s failed", run)
        record(
            verbs.RUN_FAILED, actor=SystemJob(run.entry.job), site=run.entry.site, target=run,
            severity=Severity.WARNING, job=run.entry.job, error=run.error,
        )
    else:
        run.status = RunStatus.SUCCEEDED
        run.outcome = "" if outcome is None else str(outcome)[:4000]
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "outcome", "error", "finished_at"])
    return run.status
