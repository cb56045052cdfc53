"""What a person does on a step from the run's page: complete it (note, decision, evidence file), let it wait
for the requester and go on again, assign it, run its automations again, add evidence, call in a third party
and record its answer, and download an evidence file. Each needs the step's role (`assignment.can_act`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jagaweb.sop.assignment import can_act, holders
from jagaweb.sop.automations import run_automations
from jagaweb.sop.evidence import add_file, download, involve, record_answer
from jagaweb.sop.forms import AnswerForm, AssignForm, CompleteStepForm, EvidenceForm, InvolveForm, PauseForm
from jagaweb.sop.models import Evidence, Involvement, RunStep
from jagaweb.sop.requests import follows_request_sop
from jagaweb.sop.runs import RunError, assign_step, complete_step, pause_step, resume_step
from jagaweb.sop.views import acting_step_or_403, run_detail
from jagaweb.sop.visibility import visible_steps


def back_to(step: RunStep) -> HttpResponseRedirect:
    return HttpResponseRedirect(step.get_absolute_url())


@require_POST
@permission_required("sop.change_runstep", raise_exception=True)
def step_complete(request: HttpRequest, pk: int) -> HttpResponse:
    step = acting_step_or_403(request, pk)
    if step.run.website_requests.exists() and follows_request_sop(step.run):
        messages.error(request, _("Do this step on the website request's page: it records the request's details."))
        return back_to(step)
    form = CompleteStepForm(request.POST, request.FILES, step=step)
    if not form.is_valid():
        return run_detail(request, step.run_id, forms={"complete": form})
    try:
        if form.cleaned_data.get("file"):
            add_file(step, form.cleaned_data["file"], request.user)
        following = complete_step(step, request.user, note=form.cleaned_data["note"],
                                  decision=form.cleaned_data.get("decision", ""))
    except RunError as exc:
        messages.error(request, str(exc))
        return back_to(step)
    if following is None:
        messages.success(request, _("Step %(step)s is done; the run is finished.") % {"step": step.number})
    else:
        messages.success(request, _("Step %(step)s is done; step %(next)s is next, for %(performer)s.") % {
            "step": step.number, "next": following.number, "performer": following.performer_label})
    return back_to(following or step)


@require_POST
@permission_required("sop.change_runstep", raise_exception=True)
def step_pause(request: HttpRequest, pk: int) -> HttpResponse:
    step = acting_step_or_403(request, pk)
    form = PauseForm(request.POST)
    try:
        pause_step(step, request.user, reason=form.data.get("reason", "")[:300])
        messages.success(request, _("The step waits for the requester; its clock stands still."))
    except RunError as exc:
        messages.error(request, str(exc))
    return back_to(step)


@require_POST
@permission_required("sop.change_runstep", raise_exception=True)
def step_resume(request: HttpRequest, pk: int) -> HttpResponse:
    step = acting_step_or_403(request, pk)
    try:
        resume_step(step, request.user)
        messages.success(request, _("The step goes on; its due time moved by the working time waited."))
    except RunError as exc:
        messages.error(request, str(exc))
    return back_to(step)


@require_POST
@permission_required("sop.change_runstep", raise_exception=True)
def step_assign(request: HttpRequest, pk: int) -> HttpResponse:
    step = acting_step_or_403(request, pk)
    candidates = [*holders(step.run, step.role_kind), *holders(step.run, step.escalated_to)]
    form = AssignForm(request.POST, candidates=candidates)
    if form.is_valid():
        assign_step(step, form.cleaned_data["assignee"], request.user)
        messages.success(request, _("The step was assigned."))
    else:
        messages.error(request, _("Choose someone who holds the step's role."))
    return back_to(step)


@require_POST
@permission_required("sop.change_runstep", raise_exception=True)
def step_automate(request: HttpRequest, pk: int) -> HttpResponse:
    step = acting_step_or_403(request, pk)
    if not step.automations:
        messages.error(request, _("The step has no automation."))
        return back_to(step)
    evidence = run_automations(step, request.user)
    good = all(item.ok for item in evidence)
    messages.add_message(request, messages.SUCCESS if good else messages.WARNING,
                         "; ".join(item.label for item in evidence))
    step.refresh_from_db()
    return back_to(step.run.current_step() or step)


@require_POST
@permission_required("sop.add_evidence", raise_exception=True)
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    step = acting_step_or_403(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        return run_detail(request, step.run_id, forms={"evidence": form})
    add_file(step, form.cleaned_data["file"], request.user, label=form.cleaned_data["label"])
    messages.success(request, _("The evidence was added."))
    return back_to(step)


@require_POST
@permission_required("sop.add_involvement", raise_exception=True)
def involvement_add(request: HttpRequest, pk: int) -> HttpResponse:
    step = acting_step_or_403(request, pk)
    form = InvolveForm(request.POST)
    if not form.is_valid():
        return run_detail(request, step.run_id, forms={"involve": form})
    involve(step, form.cleaned_data["third_party"], request.user, request=form.cleaned_data["request"])
    messages.success(request, _("The contact with %(third_party)s was recorded.") % {
        "third_party": form.cleaned_data["third_party"]})
    return back_to(step)


@require_POST
@permission_required("sop.change_involvement", raise_exception=True)
def involvement_answer(request: HttpRequest, pk: int) -> HttpResponse:
    involvement = get_object_or_404(
        Involvement.objects.filter(step__in=visible_steps(request.user).values("pk")).select_related("step"), pk=pk)
    if not can_act(request.user, involvement.step):
        raise PermissionDenied
    form = AnswerForm(request.POST)
    if form.is_valid():
        record_answer(involvement, form.cleaned_data["answer"], request.user)
        messages.success(request, _("The answer was recorded."))
    else:
        messages.error(request, _("Write down what they answered."))
    return back_to(involvement.step)


@permission_required("sop.view_evidence", raise_exception=True)
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence = get_object_or_404(Evidence.objects.filter(step__in=visible_steps(request.user).values("pk")), pk=pk)
    return download(evidence)
