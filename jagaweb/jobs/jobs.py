"""The jobs app's own periodic work: keeping the run history and the task queue from growing forever."""

from __future__ import annotations

import os
from datetime import timedelta

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jagaweb.env import env_int
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
