"""One site's guard: its settings, "mark as known-good", the page baselines, the open findings grouped by
where they were found, and the runs. Checks and restores are queued for the worker, never run in a request;
marking known-good fetches the key pages here, because its answer (refused: the site looks attacked) is for
the person who asked."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jagaweb.guard import tasks
from jagaweb.guard.choices import FindingState, Identity, RunKind, RunState
from jagaweb.guard.forms import KnownGoodForm, ProfileForm
from jagaweb.guard.models import Finding, GuardProfile, GuardRun, PageBaseline, all_identities
from jagaweb.guard.operations import GuardError, mark_known_good
from jagaweb.guard.views import (
    APPROVE,
    CHANGE_PROFILE,
    RUN_CHECKS,
    RUNS_PER_PAGE,
    VIEW_FINDINGS,
    VIEW_RUNS,
    enqueue,
    has_file_changes,
    may_restore,
    profile_or_default,
    site_or_404,
)
from jagaweb.guard.views_findings import grouped_by_source
from jagaweb.inventory.models import Site

FINDINGS_PER_SOURCE = 100
BASELINES_SHOWN = 200


def runs_context(request: HttpRequest, site: Site) -> dict[str, Any]:
    """The run history and whether the page should keep asking for it (a run is under way)."""
    runs = GuardRun.objects.filter(site=site).defer("report", "counts")
    page = Paginator(runs, RUNS_PER_PAGE).get_page(request.GET.get("page"))
    return {"site": site, "runs_page": page,
            "polling": GuardRun.objects.filter(site=site, state=RunState.RUNNING).exists()}


def identity_labels(profile: GuardProfile) -> list[str]:
    labels = dict(Identity.choices)
    return [str(labels.get(identity, identity)) for identity in profile.identities or all_identities()]


@permission_required(VIEW_RUNS, raise_exception=True)
def site_page(request: HttpRequest, slug: str) -> HttpResponse:
    site = site_or_404(request, slug)
    profile = profile_or_default(site)
    user = request.user
    shows_findings = user.has_perm(VIEW_FINDINGS)
    findings = Finding.objects.filter(site=site, state=FindingState.OPEN).select_related("run")
    context = {
        "site": site, "profile": profile,
        "form": ProfileForm(instance=profile, user=user) if user.has_perm(CHANGE_PROFILE) else None,
        "baselines": PageBaseline.objects.filter(site=site)[:BASELINES_SHOWN],
        "groups": grouped_by_source(findings, FINDINGS_PER_SOURCE) if shows_findings else [],
        "shows_findings": shows_findings, "identity_labels": identity_labels(profile),
        "can_check": user.has_perm(RUN_CHECKS), "can_approve": user.has_perm(APPROVE),
        "can_change": user.has_perm(CHANGE_PROFILE),
        "can_restore": may_restore(user) and has_file_changes(site),
        **runs_context(request, site),
    }
    return render(request, "guard/site.html", context)


@permission_required(VIEW_RUNS, raise_exception=True)
def site_runs(request: HttpRequest, slug: str) -> HttpResponse:
    """The run history alone, for htmx: paging, and refreshing while a run is under way."""
    site = site_or_404(request, slug)
    context = runs_context(request, site)
    response = render(request, "guard/_runs.html", context)
    if request.GET.get("polling") and not context["polling"]:
        response["HX-Refresh"] = "true"  # it finished: new findings, a new known-good state
    return response


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE_PROFILE, raise_exception=True)
def profile_edit(request: HttpRequest, slug: str) -> HttpResponse:
    site = site_or_404(request, slug)
    form = ProfileForm(request.POST or None, instance=profile_or_default(site), user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save_for(request.user)
        messages.success(request, _("The guard settings of %(site)s were saved.") % {"site": site.name})
        return HttpResponseRedirect(reverse("guard:site", args=[site.slug]))
    return render(request, "guard/profile_form.html", {"site": site, "form": form})


@require_POST
@permission_required(CHANGE_PROFILE, raise_exception=True)
def known_good(request: HttpRequest, slug: str) -> HttpResponse:
    """Record the site's key pages as its baseline. When a page looks attacked the person is asked to confirm,
    with the reason, before the baseline is recorded anyway."""
    site = site_or_404(request, slug)
    form = KnownGoodForm(request.POST)
    force = form.is_valid() and form.cleaned_data["force"]
    try:
        baselines = mark_known_good(site, request.user, force=force)
    except GuardError as exc:
        return render(request, "guard/known_good_confirm.html", {"site": site, "form": KnownGoodForm(),
                                                                 "problem": str(exc)})
    messages.success(request, _("%(site)s is marked known-good: %(count)s page baselines recorded.")
                     % {"site": site.name, "count": len(baselines)})
    return HttpResponseRedirect(reverse("guard:site", args=[site.slug]))


def queued(request: HttpRequest, site: Site, kind: RunKind, task_id: str) -> HttpResponse:
    messages.success(request, _("%(operation)s of %(site)s was queued; a worker will start it shortly.")
                     % {"operation": kind.label, "site": site.name})
    return HttpResponseRedirect(f"{reverse('guard:pending', args=[site.slug])}?task={task_id}")


@require_POST
@permission_required(RUN_CHECKS, raise_exception=True)
def check_now(request: HttpRequest, slug: str) -> HttpResponse:
    site = site_or_404(request, slug)
    return queued(request, site, RunKind.CHECK, enqueue(tasks.check_now, site, request.user))


@require_POST
def restore_now(request: HttpRequest, slug: str) -> HttpResponse:
    """Restore the site's changed files from its trusted backup (quarantining them as evidence first)."""
    task = tasks.restore_now
    if not may_restore(request.user):
        raise PermissionDenied
    site = site_or_404(request, slug)
    if not has_file_changes(site):
        messages.error(request, _("The last check found no changed files on %(site)s: nothing to restore.")
                       % {"site": site.name})
        return HttpResponseRedirect(reverse("guard:site", args=[site.slug]))
    return queued(request, site, RunKind.RESTORE, enqueue(task, site, request.user))
