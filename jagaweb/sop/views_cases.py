"""Cases and complaints pages: the lists, opening a case by hand (it follows the complaint SOP), a case with its
progress (analysis, solution, repair, verification, closure) and its run."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jagaweb.sop.cases import open_case, update_case
from jagaweb.sop.choices import CaseOrigin
from jagaweb.sop.filters import CaseFilter, without_page
from jagaweb.sop.forms import CaseForm, CaseProgressForm
from jagaweb.sop.models import Case
from jagaweb.sop.visibility import visible_cases, visible_complaints

PAGE_SIZE = 50


@permission_required("sop.view_case", raise_exception=True)
def case_list(request: HttpRequest) -> HttpResponse:
    data = request.GET.copy()
    data.setdefault("state", "open")
    filterset = CaseFilter(data, queryset=visible_cases(request.user), request=request)
    cases = filterset.qs if filterset.is_valid() else Case.objects.none()
    page = Paginator(cases.order_by("-opened_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "sop/case_list.html", {"filter": filterset, "page_obj": page,
                                                  "query": without_page(request.GET)})


@require_http_methods(["GET", "POST"])
@permission_required("sop.add_case", raise_exception=True)
def case_create(request: HttpRequest) -> HttpResponse:
    form = CaseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        case = open_case(title=data["title"], origin=CaseOrigin.STAFF, actor=request.user, site=data["site"],
                         description=data["description"])
        messages.success(request, _("The case was opened."))
        return HttpResponseRedirect(case.get_absolute_url())
    return render(request, "sop/case_form.html", {"form": form})


@permission_required("sop.view_case", raise_exception=True)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(visible_cases(request.user), pk=pk)
    complaint = getattr(case, "complaint", None) if request.user.has_perm("sop.view_complaint") else None
    return render(request, "sop/case_detail.html", {
        "case": case, "complaint": complaint, "progress": CaseProgressForm(instance=case),
        "steps": case.run.steps.order_by("pk") if case.run else []})


@require_http_methods(["POST"])
@permission_required("sop.change_case", raise_exception=True)
def case_update(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(visible_cases(request.user), pk=pk)
    form = CaseProgressForm(request.POST, instance=Case.objects.get(pk=case.pk))
    if form.is_valid():
        update_case(case, request.user, {name: form.cleaned_data[name] for name in form.changed_data})
        messages.success(request, _("The case was saved."))
    else:
        messages.error(request, _("The case could not be saved."))
    return HttpResponseRedirect(case.get_absolute_url())


@permission_required("sop.view_complaint", raise_exception=True)
def complaint_list(request: HttpRequest) -> HttpResponse:
    complaints = visible_complaints(request.user).order_by("-received_at", "-pk")
    page = Paginator(complaints, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "sop/complaint_list.html", {"page_obj": page, "query": without_page(request.GET)})
