"""One guard run: a check with its counts, notes and findings, or a restore as the printable repair report
("Laporan Perbaikan Website"); a running run's page follows it. And the page that waits for a queued task
and then shows its run."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from jagaweb.guard.choices import Identity, RunKind, RunState, Severity, Source, Verdict
from jagaweb.guard.images import site_slug_of
from jagaweb.guard.models import GuardRun
from jagaweb.guard.views import APPROVE, VIEW_FINDINGS, VIEW_RUNS, site_or_404, task_state, visible_runs
from jagaweb.guard.views_findings import grouped_by_source
from jagaweb.inventory.models import Organisation, Site

FINDINGS_PER_SOURCE = 200
LISTED = 500  # entries of a report list shown; the rest is counted
SOURCE_LABELS = dict(Source.choices)
VERDICT_LABELS = dict(Verdict.choices)
SEVERITY_LABELS = dict(Severity.choices)
IDENTITY_LABELS = dict(Identity.choices)


def as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def clipped(items: list[Any]) -> dict[str, Any]:
    return {"shown": items[:LISTED], "more": max(len(items) - LISTED, 0), "count": len(items)}


def image_url(site: Site, path: Any) -> str:
    if isinstance(path, str) and site_slug_of(path) == site.slug:
        return reverse("guard:image", args=[path])
    return ""


def labelled(item: dict[str, Any]) -> dict[str, Any]:
    """The item with display labels for the choice values it holds (an unknown value is shown as it is)."""
    return {**item,
            "source_label": label_of(SOURCE_LABELS, item.get("source")),
            "verdict_label": label_of(VERDICT_LABELS, item.get("verdict")),
            "severity_label": label_of(SEVERITY_LABELS, item.get("severity")),
            "identity_label": label_of(IDENTITY_LABELS, item.get("identity"))}


def label_of(labels: dict[str, Any], value: Any) -> str:
    return str(labels.get(str(value), value)) if value not in (None, "") else ""


def percent_of(ratio: Any) -> float | None:
    if isinstance(ratio, bool) or not isinstance(ratio, int | float):
        return None
    return round(float(ratio) * 100, 1)


def visual_check(site: Site, item: dict[str, Any]) -> dict[str, Any]:
    changed = item.get("changed")
    return {**labelled(item), "image_url": image_url(site, item.get("image")), "percent": percent_of(item.get("ratio")),
            "changed": changed if isinstance(changed, bool) else None}


def repair_report(run: GuardRun) -> dict[str, Any]:
    """The restore's report in a shape the template can rely on, whatever keys the run stored."""
    report = as_dict(run.report)
    verification = as_dict(report.get("verification"))
    verdict = str(verification.get("verdict") or "")
    return {
        "summary": str(report.get("summary") or ""), "snapshot": str(report.get("snapshot") or ""),
        "quarantine": str(report.get("quarantine") or ""),
        "found": clipped([labelled(as_dict(item)) for item in as_list(report.get("found"))]),
        "quarantined": clipped([as_dict(item) for item in as_list(report.get("quarantined"))]),
        "restored": clipped([str(path) for path in as_list(report.get("restored"))]),
        "removed": clipped([str(path) for path in as_list(report.get("removed"))]),
        "verification": {
            "verdict": verdict, "verdict_label": label_of(VERDICT_LABELS, verdict),
            "pages": [labelled(as_dict(item)) for item in as_list(verification.get("pages"))],
            "visual": [visual_check(run.site, as_dict(item)) for item in as_list(verification.get("visual"))],
        },
        "failures": [str(failure) for failure in as_list(report.get("failures"))],
    }


def institution_of(organisation: Organisation) -> Organisation:
    """The top of the organisation's tree: the government the report is written for."""
    seen = {organisation.pk}
    while organisation.parent_id is not None and organisation.parent_id not in seen:
        seen.add(organisation.parent_id)
        organisation = Organisation.objects.get(pk=organisation.parent_id)
    return organisation


@permission_required(VIEW_RUNS, raise_exception=True)
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(visible_runs(request.user), pk=pk)
    user = request.user
    shows_findings = user.has_perm(VIEW_FINDINGS)
    context: dict[str, Any] = {
        "run": run, "site": run.site, "can_approve": user.has_perm(APPROVE), "shows_findings": shows_findings,
        "groups": grouped_by_source(run.findings.all(), FINDINGS_PER_SOURCE) if shows_findings else [],
        "counts": sorted(as_dict(run.counts).items()),
        "notes": [str(note) for note in as_list(as_dict(run.report).get("notes"))],
        "pages": [str(page) for page in as_list(as_dict(run.report).get("pages"))],
    }
    if run.kind == RunKind.RESTORE:
        context.update(report=repair_report(run), institution=institution_of(run.site.organisation))
        return render(request, "guard/repair_report.html", context)
    return render(request, "guard/run_detail.html", context)


@permission_required(VIEW_RUNS, raise_exception=True)
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """A running run's state and step, for htmx; once it has finished the whole page reloads."""
    run = get_object_or_404(visible_runs(request.user).defer("report"), pk=pk)
    response = render(request, "guard/_progress.html", {"run": run})
    if run.state != RunState.RUNNING:
        response["HX-Refresh"] = "true"
    return response


def go(request: HttpRequest, target: str) -> HttpResponse:
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return HttpResponseRedirect(target)


@permission_required(VIEW_RUNS, raise_exception=True)
def pending(request: HttpRequest, slug: str) -> HttpResponse:
    """Waits for a queued check or restore of the site; as soon as its run exists, goes to the run's page."""
    site = site_or_404(request, slug)
    task_id = request.GET.get("task", "")
    state = task_state(task_id, site)
    if state.waiting and state.started_at is not None:
        started = (GuardRun.objects.filter(site=site, state=RunState.RUNNING, started_at__gte=state.started_at)
                   .order_by("-started_at", "-pk").first())
        if started is not None:
            return go(request, started.get_absolute_url())
    if not state.waiting:
        run = visible_runs(request.user).filter(site=site, pk=state.run_id).first() if state.run_id else None
        if state.failed and run is None:
            messages.error(request, _("The task stopped before it could record a run; see the worker's log."))
        return go(request, run.get_absolute_url() if run else reverse("guard:site", args=[site.slug]))
    if getattr(request, "htmx", False):
        return HttpResponse(status=204)  # still waiting: htmx keeps the page and asks again
    return render(request, "guard/pending.html", {"site": site, "task_id": task_id})
