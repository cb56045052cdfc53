"""The SOP pages that read and start: my tasks, the runs list, a run with its steps (and the forms of the step
a reader may do), starting and cancelling a run. The step actions are in views_steps."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jagaweb.sop.assignment import assignees, can_act, holders, open_tasks
from jagaweb.sop.choices import StepState
from jagaweb.sop.filters import RunFilter, without_page
from jagaweb.sop.forms import AssignForm, CompleteStepForm, EvidenceForm, InvolveForm, PauseForm, StartRunForm
from jagaweb.sop.models import Run, RunStep
from jagaweb.sop.requests import follows_request_sop
from jagaweb.sop.runs import RunError, cancel_run, start_run
from jagaweb.sop.visibility import visible_runs, visible_steps

PAGE_SIZE = 50


def run_or_404(request: HttpRequest, pk: int) -> Run:
    return get_object_or_404(visible_runs(request.user), pk=pk)


def step_or_404(request: HttpRequest, pk: int) -> RunStep:
    return get_object_or_404(visible_steps(request.user), pk=pk)


def acting_step_or_403(request: HttpRequest, pk: int) -> RunStep:
    """A step the reader sees (else 404) and may do (else 403)."""
    step = step_or_404(request, pk)
    if not can_act(request.user, step):
        raise PermissionDenied
    return step


def task_rows(steps: Any, now: Any) -> list[dict[str, Any]]:
    return [{"step": step, "overdue": step.is_overdue(now), "people": assignees(step)} for step in steps]


@permission_required("sop.view_runstep", raise_exception=True)
def tasks(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    mine = visible_steps(request.user).filter(pk__in=open_tasks(request.user).values("pk")).order_by(
        "due_at", "started_at", "pk")
    page = Paginator(mine, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "sop/tasks.html", {"rows": task_rows(page.object_list, now), "page_obj": page,
                                              "query": without_page(request.GET)})


@permission_required("sop.view_run", raise_exception=True)
def run_list(request: HttpRequest) -> HttpResponse:
    data = request.GET.copy()
    data.setdefault("state", "open")
    filterset = RunFilter(data, queryset=visible_runs(request.user), request=request)
    runs = filterset.qs if filterset.is_valid() else Run.objects.none()
    page = Paginator(runs.order_by("-started_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    current = {step.run_id: step for step in RunStep.objects.filter(
        run__in=[run.pk for run in page.object_list], state__in=(StepState.OPEN, StepState.WAITING))}
    rows = [{"run": run, "step": current.get(run.pk)} for run in page.object_list]
    return render(request, "sop/run_list.html", {"filter": filterset, "rows": rows, "page_obj": page,
                                                 "query": without_page(request.GET), "now": timezone.now()})


def step_forms(request: HttpRequest, step: RunStep) -> dict[str, Any]:
    """The forms for the open step the reader may do."""
    candidates = [*holders(step.run, step.role_kind), *holders(step.run, step.escalated_to)]
    return {
        "complete": CompleteStepForm(step=step), "pause": PauseForm(), "evidence": EvidenceForm(),
        "involve": InvolveForm(), "assign": AssignForm(candidates=candidates, initial={"assignee": step.assignee}),
    }


@permission_required("sop.view_run", raise_exception=True)
def run_detail(request: HttpRequest, pk: int, forms: dict[str, Any] | None = None) -> HttpResponse:
    run = run_or_404(request, pk)
    now = timezone.now()
    steps = list(run.steps.select_related("assignee", "completed_by").prefetch_related(
        "evidence", "involvements__third_party", "pauses").order_by("pk"))
    current = next((step for step in steps if step.is_open), None)
    acting = current is not None and can_act(request.user, current)
    website_request = run.website_requests.first()
    context: dict[str, Any] = {
        "run": run, "steps": steps, "current": current, "acting": acting, "now": now,
        "rows": [{"step": step, "overdue": step.is_overdue(now), "people": assignees(step) if step.is_open else []}
                 for step in steps],
        "cases": run.cases.all(), "website_request": website_request,
        "request_page": website_request is not None and follows_request_sop(run),
    }
    if acting and current is not None:
        context["forms"] = {**step_forms(request, current), **(forms or {})}
    return render(request, "sop/run_detail.html", context)


@require_http_methods(["GET", "POST"])
@permission_required("sop.add_run", raise_exception=True)
def run_start(request: HttpRequest) -> HttpResponse:
    form = StartRunForm(request.POST or None, user=request.user, initial={"site": request.GET.get("site")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            run = start_run(data["definition"], request.user, site=data["site"], at_step=data.get("at_step"))
        except RunError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The run was started."))
            return HttpResponseRedirect(run.get_absolute_url())
    return render(request, "sop/run_start.html", {"form": form})


@require_POST
@permission_required("sop.change_run", raise_exception=True)
def run_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    run = run_or_404(request, pk)
    reason = request.POST.get("reason", "").strip()
    if not reason:
        messages.error(request, _("Say why the run is cancelled."))
    else:
        try:
            cancel_run(run, request.user, reason)
            messages.success(request, _("The run was cancelled."))
        except RunError as exc:
            messages.error(request, str(exc))
    return HttpResponseRedirect(reverse("sop:run_detail", args=[run.pk]))
