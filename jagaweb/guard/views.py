"""What every guard page and the API share: the user's scope over guard objects, the permissions behind the
guard's buttons, and queueing a check or a restore for the worker.

The pages live in views_index (all sites), views_site (one site: settings, known-good, findings, runs),
views_runs (one run or repair report, a queued task), views_findings (one finding, approve) and
views_images (screenshots).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django_tasks import task_backends
from django_tasks.base import Task, TaskResultStatus
from django_tasks.exceptions import TaskException

from jagaweb.guard import tasks
from jagaweb.guard.choices import FindingState, RunKind, Source
from jagaweb.guard.models import Finding, GuardProfile, GuardRun
from jagaweb.inventory.models import Site
from jagaweb.people.scope import sees_everything, visible_sites

PAGE_SIZE = 50
RUNS_PER_PAGE = 20
TASKS_MODULE = "jagaweb.guard.tasks."

# The permissions behind each button. Restoring and approving use the nearest default model permissions
# until GuardRun and Finding declare their own ("restore_site", "approve_finding").
VIEW_RUNS = "guard.view_guardrun"
VIEW_FINDINGS = "guard.view_finding"
RUN_CHECKS = "guard.add_guardrun"
RESTORE = "guard.restore_site"
APPROVE = "guard.approve_finding"
CHANGE_PROFILE = "guard.change_guardprofile"


def visible_runs(user: Any) -> QuerySet[GuardRun]:
    runs = GuardRun.objects.select_related("site", "site__organisation")
    return runs if sees_everything(user) else runs.filter(site__in=visible_sites(user))


def visible_findings(user: Any) -> QuerySet[Finding]:
    findings = Finding.objects.select_related("site", "run")
    return findings if sees_everything(user) else findings.filter(site__in=visible_sites(user))


def visible_profiles(user: Any) -> QuerySet[GuardProfile]:
    profiles = GuardProfile.objects.select_related("site", "trusted_snapshot")
    return profiles if sees_everything(user) else profiles.filter(site__in=visible_sites(user))


def site_or_404(request: HttpRequest, slug: str) -> Site:
    return get_object_or_404(visible_sites(request.user).select_related("organisation"), slug=slug)


def profile_or_default(site: Site) -> GuardProfile:
    """The site's stored profile, or the defaults a check would use (not saved: reading creates nothing)."""
    return GuardProfile.objects.select_related("trusted_snapshot").filter(site=site).first() or GuardProfile(site=site)


def task_for(kind: str) -> Task[Any, int]:
    return tasks.restore_now if kind == RunKind.RESTORE else tasks.check_now


def has_file_changes(site: Site) -> bool:
    """Whether a restore has something to do: open findings about the web root's files."""
    return Finding.objects.filter(site=site, source=Source.FILE, state=FindingState.OPEN).exists()


def may_restore(user: Any) -> bool:
    return bool(user.has_perm(RESTORE))


def enqueue(task: Task[Any, int], site: Site, user: Any) -> str:
    """Queue `task(site.pk, user.pk)` for the worker; returns the task's id. The run the task makes is
    written to the activity log in the user's name."""
    return str(task.enqueue(site.pk, user.pk).id)


@dataclass(frozen=True)
class TaskState:
    """Where a queued guard task is: `waiting` until it finished, then the run it made (if known)."""

    waiting: bool
    failed: bool = False
    run_id: int | None = None
    started_at: datetime | None = None  # set while the worker runs it


def task_state(task_id: str, site: Site) -> TaskState:
    """The state of a guard task queued for this site; an unknown id, another site's task, or a backend that
    keeps no results all count as finished (there is nothing to wait for)."""
    backend = task_backends[tasks.check_now.backend]
    if not task_id or not backend.supports_get_result:
        return TaskState(waiting=False)
    try:
        result = backend.get_result(task_id)
    except (TaskException, ValueError, ImportError):
        return TaskState(waiting=False)
    if not result.task.module_path.startswith(TASKS_MODULE) or not result.args or result.args[0] != site.pk:
        return TaskState(waiting=False)
    if result.status == TaskResultStatus.READY:
        return TaskState(waiting=True)
    if result.status == TaskResultStatus.RUNNING:
        return TaskState(waiting=True, started_at=result.started_at)
    if result.status == TaskResultStatus.FAILED:
        return TaskState(waiting=False, failed=True)
    value = result.return_value
    return TaskState(waiting=False, run_id=value if isinstance(value, int) else None)
