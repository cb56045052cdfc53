"""Guard operations asked for on a page or through the API, run by the worker so a click never waits for a
check or a restore. Each task returns the id of the GuardRun it made, also when the operation failed (the
run holds the error), so a page can follow the task to its run."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone
from django_tasks import task

from jagaweb.backup.runs import actor_label
from jagaweb.guard.checking import run_check
from jagaweb.guard.choices import RunKind
from jagaweb.guard.models import GuardRun
from jagaweb.guard.restoring import run_restore
from jagaweb.inventory.models import Site

Action = Callable[[Site, AbstractBaseUser], GuardRun]


def run_as(site_id: int, user_id: int, kind: RunKind, action: Action) -> int:
    site = Site.objects.get(pk=site_id)
    user = get_user_model().objects.get(pk=user_id)
    started = timezone.now()
    try:
        return action(site, user).pk
    except Exception:
        failed = latest_run(site, kind, actor_label(user), started)
        if failed is None:
            raise
        return failed


def latest_run(site: Site, kind: RunKind, actor: str, since: datetime) -> int | None:
    run = (GuardRun.objects.filter(site=site, kind=kind, actor=actor, started_at__gte=since)
           .order_by("-started_at", "-pk").only("pk").first())
    return run.pk if run is not None else None


@task()
def check_now(site_id: int, user_id: int) -> int:
    """Check the site now with every view its guard profile enables, in the user's name."""
    return run_as(site_id, user_id, RunKind.CHECK, lambda site, user: run_check(site, user))


@task()
def restore_now(site_id: int, user_id: int) -> int:
    """Restore the site from its trusted backup (quarantining what changed) and verify it, in the user's name."""
    return run_as(site_id, user_id, RunKind.RESTORE, lambda site, user: run_restore(site, user))
