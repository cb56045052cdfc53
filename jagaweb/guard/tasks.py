"""Guard operations asked for on a page or through the API, run by the worker so a click never waits for a
check or a restore. Each task returns the id of the GuardRun it made, also when the operation failed (the
run holds the error), so a page can follow the task to its run."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.base_user import AbstractBaseUser
from django_tasks import task

from jagaweb.guard.checking import run_check
from jagaweb.guard.choices import RunKind
from jagaweb.guard.models import GuardRun
from jagaweb.guard.restoring import run_restore
from jagaweb.inventory.models import Site
from jagaweb.jobs.on_behalf import run_on_behalf


def run_as(site_id: int, user_id: int, kind: RunKind, action: Callable[[Site, AbstractBaseUser], GuardRun]) -> int:
    return run_on_behalf(site_id, user_id, action, GuardRun.objects.filter(kind=kind))


@task()
def check_now(site_id: int, user_id: int) -> int:
    """Check the site now with every view its guard profile enables, in the user's name."""
    return run_as(site_id, user_id, RunKind.CHECK, lambda site, user: run_check(site, user))


@task()
def restore_now(site_id: int, user_id: int) -> int:
    """Restore the site from its trusted backup (quarantining what changed) and verify it, in the user's name."""
    return run_as(site_id, user_id, RunKind.RESTORE, lambda site, user: run_restore(site, user))
