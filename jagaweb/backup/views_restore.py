"""Restores from the web: a dry run first (it lists what would be created, replaced and deleted), then
a confirmation that queues the real restore for the worker and follows it to its run.

The confirmation carries a signed token of the dry run's exact parameters, so what is restored is
what the operator saw previewed, and only within an hour of the preview."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jagaweb.backup import operations
from jagaweb.backup.choices import Operation
from jagaweb.backup.cli_actions import EXPECTED
from jagaweb.backup.forms import DatabaseRestoreForm, RestoreForm
from jagaweb.backup.models import BackupRun
from jagaweb.backup.tasks import restore_database_now, restore_now
from jagaweb.backup.views import enqueue, plan_or_none, site_or_404
from jagaweb.backup.views_runs import clipped
from jagaweb.inventory.models import Site

SALT = "jagaweb.backup.restore"
PREVIEW_VALID = 3600  # seconds a dry run may be confirmed after it was made
RESTORE_PERMISSIONS = ("backup.add_backuprun", "inventory.change_site")


def restorable_site(request: HttpRequest, slug: str) -> Site:
    site = site_or_404(request, slug)
    if not request.user.has_perms(RESTORE_PERMISSIONS):
        raise PermissionDenied
    return site


def pending_url(site: Site, task_id: str) -> str:
    return f"{reverse('backup:pending', args=[site.slug])}?task={task_id}"


def dry_run(request: HttpRequest, site: Site, form: RestoreForm) -> BackupRun | None:
    data = form.cleaned_data
    destination = form.destination()
    try:
        return operations.restore_files(
            site, data["snapshot"], request.user, destination=Path(destination) if destination else None,
            paths=data["paths"] or None, dry_run=True, delete=data["delete"],
        )
    except EXPECTED as exc:
        form.add_error(None, _("The dry run failed: %(error)s") % {"error": exc})
        return None


def preview_token(request: HttpRequest, site: Site, form: RestoreForm, run: BackupRun) -> str:
    data = form.cleaned_data
    return signing.dumps({
        "site": site.pk, "user": request.user.pk, "run": run.pk, "snapshot": run.snapshot_id,
        "destination": form.destination(), "paths": data["paths"], "delete": data["delete"],
    }, salt=SALT)


def preview_context(run: BackupRun) -> dict[str, Any]:
    report = run.report
    return {"preview": run, "create": clipped(report.get("create")), "replace": clipped(report.get("replace")),
            "delete": clipped(report.get("delete")), "unchanged": report.get("unchanged", 0)}


def restore(request: HttpRequest, slug: str) -> HttpResponse:
    site = restorable_site(request, slug)
    form = RestoreForm(request.POST or None, site=site, user=request.user)
    context: dict[str, Any] = {"site": site, "plan": plan_or_none(site), "form": form,
                               "database_form": DatabaseRestoreForm(site=site) if site.db_engine else None}
    if request.method == "POST" and "token" in request.POST:
        return confirm(request, site, context)
    if request.method == "POST" and form.is_valid():
        run = dry_run(request, site, form)
        if run is not None:
            context.update(preview_context(run), token=preview_token(request, site, form, run),
                           destination=run.report.get("destination", ""), delete_asked=form.cleaned_data["delete"])
    return render(request, "backup/restore.html", context)


def confirm(request: HttpRequest, site: Site, context: dict[str, Any]) -> HttpResponse:
    try:
        preview = signing.loads(request.POST["token"], salt=SALT, max_age=PREVIEW_VALID)
    except signing.BadSignature:
        messages.error(request, _("The dry run is too old or was changed; make a new one."))
        return render(request, "backup/restore.html", context)
    if preview.get("site") != site.pk or preview.get("user") != request.user.pk:
        raise PermissionDenied
    task_id = enqueue(restore_now, site, request.user, Operation.RESTORE, preview["snapshot"],
                      preview["destination"], preview["paths"], preview["delete"])
    messages.success(request, _("The restore was queued; this page follows it."))
    return HttpResponseRedirect(pending_url(site, task_id))


@require_POST
def restore_database(request: HttpRequest, slug: str) -> HttpResponse:
    site = restorable_site(request, slug)
    form = DatabaseRestoreForm(request.POST, site=site)
    if not site.db_engine:
        messages.error(request, _("The site has no database in its settings."))
        return HttpResponseRedirect(reverse("backup:restore", args=[site.slug]))
    if not form.is_valid():
        context = {"site": site, "plan": plan_or_none(site), "form": RestoreForm(site=site, user=request.user),
                   "database_form": form}
        return render(request, "backup/restore.html", context)
    data = form.cleaned_data
    task_id = enqueue(restore_database_now, site, request.user, Operation.RESTORE_DATABASE, data["snapshot"],
                      data["database"])
    messages.success(request, _("The database restore was queued; this page follows it."))
    return HttpResponseRedirect(pending_url(site, task_id))
