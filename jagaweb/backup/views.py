"""What every backup page and the API share: the user's scope over backup objects, and queued tasks.

The pages themselves live in views_index (all sites), views_site (one site, its plan, runs and
snapshots), views_restore (restores), views_runs (one run, a queued task) and views_targets (media).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django_tasks import task_backends
from django_tasks.base import Task, TaskResultStatus
from django_tasks.exceptions import TaskException

from jagaweb.activity.log import record
from jagaweb.backup import verbs
from jagaweb.backup.choices import Operation
from jagaweb.backup.models import BackupPlan, BackupRun, BackupTarget, Snapshot
from jagaweb.inventory.models import Site
from jagaweb.people.scope import sees_everything, visible_sites

PAGE_SIZE = 50
RUNS_PER_PAGE = 20
TASKS_MODULE = "jagaweb.backup.tasks."


def visible_runs(user: Any) -> QuerySet[BackupRun]:
    runs = BackupRun.objects.select_related("site")
    return runs if sees_everything(user) else runs.filter(site__in=visible_sites(user))


def visible_snapshots(user: Any) -> QuerySet[Snapshot]:
    snapshots = Snapshot.objects.select_related("site", "target")
    return snapshots if sees_everything(user) else snapshots.filter(site__in=visible_sites(user))


def visible_plans(user: Any) -> QuerySet[BackupPlan]:
    plans = BackupPlan.objects.select_related("site", "target")
    return plans if sees_everything(user) else plans.filter(site__in=visible_sites(user))


def visible_targets(user: Any) -> QuerySet[BackupTarget]:
    """Media are global configuration: all of them for those who see every site, else the media the
    plans of the user's sites use."""
    if sees_everything(user):
        return BackupTarget.objects.all()
    used = BackupPlan.objects.filter(site__in=visible_sites(user)).values("target_id")
    return BackupTarget.objects.filter(pk__in=used)


def manages_targets(user: Any) -> bool:
    """Whether the user may add, change or remove media: only someone who sees every site. A medium's
    folder, server and credentials decide where every site on it is written, other sites' too."""
    return sees_everything(user)


def site_or_404(request: HttpRequest, slug: str) -> Site:
    return get_object_or_404(visible_sites(request.user).select_related("organisation"), slug=slug)


def plan_or_none(site: Site) -> BackupPlan | None:
    return BackupPlan.objects.select_related("target").filter(site=site).first()


def enqueue(task: Task[Any, int], site: Site, user: Any, operation: Operation, *args: Any) -> str:
    """Queue `task(site.pk, user.pk, *args)` and say so in the activity log; returns the task's id."""
    result = task.enqueue(site.pk, user.pk, *args)
    record(verbs.REQUESTED, actor=user, site=site, operation=str(operation.label), site_name=site.name,
           task=str(result.id))
    return str(result.id)


@dataclass(frozen=True)
class TaskState:
    """Where a queued backup task is: `waiting` until it finished, then the run it made (if known)."""

    waiting: bool
    failed: bool = False
    run_id: int | None = None


def task_state(task: Task[Any, int], task_id: str, site: Site) -> TaskState:
    """The state of a task this site queued; an unknown id, another site's task, or a backend that
    keeps no results all count as finished (there is nothing to wait for)."""
    backend = task_backends[task.backend]
    if not task_id or not backend.supports_get_result:
        return TaskState(waiting=False)
    try:
        result = backend.get_result(task_id)
    except (TaskException, ValueError, ImportError):
        return TaskState(waiting=False)
    if not result.task.module_path.startswith(TASKS_MODULE) or not result.args or result.args[0] != site.pk:
        return TaskState(waiting=False)
    if result.status in (TaskResultStatus.READY, TaskResultStatus.RUNNING):
        return TaskState(waiting=True)
    if result.status == TaskResultStatus.FAILED:
        return TaskState(waiting=False, failed=True)
    value = result.return_value
    return TaskState(waiting=False, run_id=value if isinstance(value, int) else None)
