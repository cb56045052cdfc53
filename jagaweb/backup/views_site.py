"""One site's backups: its plan, "back up now" / "verify now", the run history, the snapshots and a
picture of the backup sizes. Backups and verifies are queued for the worker, never run in a request."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jagaweb.activity.log import record
from jagaweb.backup import operations, verbs
from jagaweb.backup.choices import Operation, RunState
from jagaweb.backup.forms import PlanForm, VerifyForm
from jagaweb.backup.models import BackupPlan, BackupRun, Snapshot
from jagaweb.backup.tasks import backup_now, verify_now
from jagaweb.backup.views import (
    RUNS_PER_PAGE,
    enqueue,
    plan_or_none,
    site_or_404,
    task_state,
    visible_snapshots,
)
from jagaweb.backup.views_chart import recent_backups, size_chart
from jagaweb.inventory.models import Site
from jagaweb.jobs.models import ScheduleEntry

SNAPSHOTS_SHOWN = 100
BACKUP_JOBS = ("backup.run", "backup.verify")


def runs_context(request: HttpRequest, site: Site, task_id: str = "") -> dict[str, Any]:
    """The run history and whether the page should keep asking for it (a run or a queued task is under way)."""
    # The report can list every file of a site; the table needs only whether a restore was a dry run.
    dry_run = ExpressionWrapper(Q(report__dry_run=True), output_field=BooleanField())
    runs = BackupRun.objects.filter(site=site).defer("report").annotate(dry_run=dry_run)
    page = Paginator(runs, RUNS_PER_PAGE).get_page(request.GET.get("page"))
    waiting = task_state(backup_now, task_id, site).waiting if task_id else False
    running = BackupRun.objects.filter(site=site, state=RunState.RUNNING).exists()
    return {"site": site, "runs_page": page, "task_id": task_id if waiting else "", "waiting": waiting,
            "polling": waiting or running}


@permission_required("backup.view_backuprun", raise_exception=True)
def site_page(request: HttpRequest, slug: str) -> HttpResponse:
    site = site_or_404(request, slug)
    plan = plan_or_none(site)
    snapshots = Snapshot.objects.filter(site=site).order_by("-taken_at")
    context = {
        "site": site, "plan": plan, "schedule": ScheduleEntry.objects.filter(site=site, job__in=BACKUP_JOBS),
        "snapshots": snapshots[:SNAPSHOTS_SHOWN], "snapshot_count": snapshots.count(),
        "chart": size_chart(recent_backups(site)), "verify_form": VerifyForm(),
        "has_database": bool(site.db_engine),
        **runs_context(request, site, request.GET.get("task", "")),
    }
    return render(request, "backup/site.html", context)


@permission_required("backup.view_backuprun", raise_exception=True)
def site_runs(request: HttpRequest, slug: str) -> HttpResponse:
    """The run history alone, for htmx: paging, and refreshing while a backup is queued or running."""
    site = site_or_404(request, slug)
    context = runs_context(request, site, request.GET.get("task", ""))
    response = render(request, "backup/_runs.html", context)
    if request.GET.get("polling") and not context["polling"]:
        response["HX-Refresh"] = "true"  # it finished: new snapshot, new bar in the chart
    return response


def queued(request: HttpRequest, site: Site, operation: Operation, task_id: str) -> HttpResponse:
    if getattr(request, "htmx", False):
        context = {**runs_context(request, site, task_id), "operation": operation.label, "oob": True}
        return render(request, "backup/_queued.html", context)
    messages.success(request, _("%(operation)s of %(site)s was queued; a worker will start it shortly.")
                     % {"operation": operation.label, "site": site.name})
    return HttpResponseRedirect(f"{reverse('backup:site', args=[site.slug])}?task={task_id}")


def plan_required(request: HttpRequest, site: Site) -> HttpResponse | None:
    if plan_or_none(site) is not None:
        return None
    text = _("%(site)s has no backup plan yet.") % {"site": site.name}
    if getattr(request, "htmx", False):
        return render(request, "backup/_message.html", {"text": text, "bad": True})
    messages.error(request, text)
    return HttpResponseRedirect(reverse("backup:site", args=[site.slug]))


@require_POST
@permission_required("backup.add_backuprun", raise_exception=True)
def run_now(request: HttpRequest, slug: str) -> HttpResponse:
    site = site_or_404(request, slug)
    refused = plan_required(request, site)
    if refused is not None:
        return refused
    return queued(request, site, Operation.BACKUP, enqueue(backup_now, site, request.user, Operation.BACKUP))


@require_POST
@permission_required("backup.add_backuprun", raise_exception=True)
def verify(request: HttpRequest, slug: str) -> HttpResponse:
    site = site_or_404(request, slug)
    refused = plan_required(request, site)
    if refused is not None:
        return refused
    form = VerifyForm(request.POST)
    read_data, sample = form.options() if form.is_valid() else (True, 0.1)
    task_id = enqueue(verify_now, site, request.user, Operation.VERIFY, read_data, sample)
    return queued(request, site, Operation.VERIFY, task_id)


def plan_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Create (backup.add_backupplan) or change (backup.change_backupplan) the site's plan."""
    site = site_or_404(request, slug)
    plan = plan_or_none(site)
    needed = "backup.change_backupplan" if plan is not None else "backup.add_backupplan"
    if not request.user.has_perm(needed):
        raise PermissionDenied
    form = PlanForm(request.POST or None, instance=plan or BackupPlan(site=site), user=request.user)
    if request.method == "POST" and form.is_valid():
        _plan, created = operations.save_plan(site, request.user, **form.plan_fields())
        messages.success(request, _("The backup plan was created; the first backup runs within a minute.")
                         if created else _("The backup plan was saved."))
        return HttpResponseRedirect(reverse("backup:site", args=[site.slug]))
    return render(request, "backup/plan_form.html", {"site": site, "plan": plan, "form": form})


@require_POST
@permission_required("backup.change_snapshot", raise_exception=True)
def snapshot_trust(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a snapshot trusted (taken while the site was clean) or take the mark away."""
    snapshot = get_object_or_404(visible_snapshots(request.user), pk=pk)
    trusted = request.POST.get("trusted", "1") != "0"
    if snapshot.trusted != trusted:
        snapshot.trusted = trusted
        snapshot.save(update_fields=["trusted"])
        record(verbs.TRUSTED if trusted else verbs.UNTRUSTED, actor=request.user, site=snapshot.site,
               target=snapshot, object=snapshot.short_id, site_name=snapshot.site.name)
    messages.success(request, _("Snapshot %(id)s is marked trusted.") % {"id": snapshot.short_id} if trusted
                     else _("Snapshot %(id)s is no longer marked trusted.") % {"id": snapshot.short_id})
    return HttpResponseRedirect(reverse("backup:site", args=[snapshot.site.slug]) + "#snapshots")
