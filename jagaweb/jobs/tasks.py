"""The one task behind every job run; the worker (django-tasks-db) calls it."""

from __future__ import annotations

import os
import socket

from django_tasks import task

from jagaweb.jobs.execute import execute


@task()
def run_job(run_id: int) -> str:
    return execute(run_id, worker=f"{socket.gethostname()}:{os.getpid()}")
