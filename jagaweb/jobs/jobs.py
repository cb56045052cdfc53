"""The jobs app's own periodic work: keeping the run history and the task queue from growing forever."""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jagaweb.env import env_int
from jagaweb.jobs.choices import RunStatus
from jagaweb.jobs.execute import fail
from jagaweb.jobs.models import JobRun
from jagaweb.jobs.registry import periodic

HISTORY_DAYS_VARIABLE = "JAGAWEB_JOB_HISTORY_DAYS"


@periodic("jobs.prune_history", every=timedelta(days=1))
def prune_history() -> str:
    """Delete finished job runs and finished queue tasks older than JAGAWEB_JOB_HISTORY_DAYS (30)."""
    days = env_int(HISTORY_DAYS_VARIABLE, 30, minimum=1, maximum=3650, environ=os.environ)
    cutoff = timezone.now() - timedelta(days=days)
    runs, _ = JobRun.objects.finished().filter(finished_at__lt=cutoff).delete()
    tasks, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return f"deleted {runs} job runs and {tasks} task results finished before {cutoff:%Y-%m-%d %H:%M} UTC"


LOST_AFTER_VARIABLE = "JAGAWEB_JOB_LOST_AFTER_HOURS"


def worker_is_gone(worker: str, host: str) -> bool:
    """True when the run's worker ("host:pid") ran on this host and that process no longer exists."""
    worker_host, _, pid = worker.rpartition(":")
    if worker_host != host or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


@periodic("jobs.reap_lost_runs", every=timedelta(minutes=5))
def reap_lost_runs() -> str:
    """Mark failed the runs whose worker died (killed, power loss) instead of leaving them running forever."""
    hours = env_int(LOST_AFTER_VARIABLE, 12, minimum=1, maximum=24 * 14, environ=os.environ)
    too_old = timezone.now() - timedelta(hours=hours)
    host = socket.gethostname()
    lost = []
    for run in JobRun.objects.filter(status=RunStatus.RUNNING).select_related("entry__site"):
        if worker_is_gone(run.worker, host):
            lost.append((run, f"the worker {run.worker} stopped while running this job"))
        elif run.started_at is not None and run.started_at < too_old:
            lost.append((run, f"still running after {hours} hours: its worker was lost"))
    for run, reason in lost:
        fail(run, RuntimeError(reason), expected_status=RunStatus.RUNNING)
    return f"marked {len(lost)} lost run(s) failed"
