"""One backup run with its report, and the page that waits for a queued task and then shows its run."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from jagaweb.backup.tasks import backup_now
from jagaweb.backup.views import site_or_404, task_state, visible_runs

LISTED = 200  # entries of a report list shown on the page; the rest is counted


def clipped(items: Any) -> dict[str, Any]:
    items = list(items or [])
    return {"shown": items[:LISTED], "more": max(len(items) - LISTED, 0), "count": len(items)}


def damage_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Each damaged pack with the snapshots and files it takes down."""
    rows = []
    for item in report.get("damage", []):
        affected = item.get("affected", {})
        rows.append({
            "pack": item.get("pack", ""), "problem": item.get("problem", ""), "chunks": len(item.get("chunks", [])),
            "snapshots": [{"id": snapshot, "files": clipped(files)} for snapshot, files in affected.items()],
        })
    return rows


@permission_required("backup.view_backuprun", raise_exception=True)
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(visible_runs(request.user), pk=pk)
    report: dict[str, Any] = run.report or {}
    summary = report.get("summary")
    context = {
        "run": run, "report": report,
        "summary_text": summary if isinstance(summary, str) else "",
        "summary_items": sorted(summary.items()) if isinstance(summary, dict) else [],
        "warnings": clipped(report.get("warnings")), "problems": clipped(report.get("problems")),
        "damage": damage_rows(report), "create": clipped(report.get("create")),
        "replace": clipped(report.get("replace")), "delete": clipped(report.get("delete")),
        "failed": clipped(sorted((report.get("failed") or {}).items())),
        "forgotten": clipped(report.get("forgotten")), "files": clipped(report.get("files")),
        "sample_percent": round(float(report.get("sample") or 0) * 100),
    }
    return render(request, "backup/run_detail.html", context)


@permission_required("backup.view_backuprun", raise_exception=True)
def pending(request: HttpRequest, slug: str) -> HttpResponse:
    """Waits for a queued restore (or any backup task) of the site; when it is done, goes to its run."""
    site = site_or_404(request, slug)
    task_id = request.GET.get("task", "")
    state = task_state(backup_now, task_id, site)
    if not state.waiting:
        run = visible_runs(request.user).filter(site=site, pk=state.run_id).first() if state.run_id else None
        target = run.get_absolute_url() if run else reverse("backup:site", args=[site.slug])
        if state.failed and run is None:
            messages.error(request, _("The task stopped before it could record a run; see the worker's log."))
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)
    if getattr(request, "htmx", False):
        return HttpResponse(status=204)  # still waiting: htmx keeps the page and asks again
    return render(request, "backup/pending.html", {"site": site, "task_id": task_id})
