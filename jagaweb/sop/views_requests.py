"""Website request pages: the list, submitting a request with its letter, a request with its SOP steps and the
form of the step the reader may do, and the letter and KAK downloads."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jagaweb.sop.assignment import can_act
from jagaweb.sop.evidence import content_type_of
from jagaweb.sop.filters import RequestFilter, without_page
from jagaweb.sop.forms_requests import RequestForm, step_form_class
from jagaweb.sop.models import WebsiteRequest
from jagaweb.sop.requests import RequestInput, record_step, step_record, submit_request
from jagaweb.sop.runs import RunError
from jagaweb.sop.visibility import visible_requests

PAGE_SIZE = 50


def request_or_404(request: HttpRequest, pk: int) -> WebsiteRequest:
    return get_object_or_404(visible_requests(request.user), pk=pk)


@permission_required("sop.view_websiterequest", raise_exception=True)
def request_list(request: HttpRequest) -> HttpResponse:
    filterset = RequestFilter(request.GET, queryset=visible_requests(request.user), request=request)
    requests = filterset.qs if filterset.is_valid() else WebsiteRequest.objects.none()
    page = Paginator(requests.order_by("-submitted_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "sop/request_list.html", {"filter": filterset, "page_obj": page,
                                                     "query": without_page(request.GET)})


@require_http_methods(["GET", "POST"])
@permission_required("sop.add_websiterequest", raise_exception=True)
def request_create(request: HttpRequest) -> HttpResponse:
    form = RequestForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        website_request = submit_request(RequestInput(
            organisation=data["organisation"], site_name=data["site_name"], purpose=data["purpose"],
            letter=data["letter"], kind=data["kind"], site=data["site"], letter_number=data["letter_number"],
            letter_date=data["letter_date"]), request.user)
        messages.success(request, _("The request was submitted."))
        return HttpResponseRedirect(website_request.get_absolute_url())
    return render(request, "sop/request_form.html", {"form": form})


def current_form(request: HttpRequest, website_request: WebsiteRequest, data: Any = None,
                 files: Any = None) -> tuple[Any, Any]:
    run = website_request.run
    step = run.current_step() if run is not None else None
    if step is None or not can_act(request.user, step):
        return step, None
    recorded = step_record(website_request, step)
    if recorded is None:
        return step, None
    return step, step_form_class(recorded, step, request.user)(data, files, instance=website_request)


@permission_required("sop.view_websiterequest", raise_exception=True)
def request_detail(request: HttpRequest, pk: int, form: Any = None) -> HttpResponse:
    website_request = request_or_404(request, pk)
    step, fresh = current_form(request, website_request)
    run = website_request.run
    return render(request, "sop/request_detail.html", {
        "website_request": website_request, "step": step, "form": form or fresh,
        "steps": run.steps.order_by("pk") if run is not None else []})


@require_POST
@permission_required("sop.change_runstep", raise_exception=True)
def request_step(request: HttpRequest, pk: int) -> HttpResponse:
    website_request = request_or_404(request, pk)
    step, form = current_form(request, website_request, request.POST, request.FILES)
    if form is None or step is None or str(step.pk) != request.POST.get("step"):
        raise PermissionDenied
    if not form.is_valid():
        return request_detail(request, pk, form=form)
    data = form.cleaned_data
    values = {name: data.get(name) for name in form.Meta.fields}
    try:
        record_step(WebsiteRequest.objects.get(pk=website_request.pk), step, request.user, values,
                    note=data.get("note", ""), decision=data.get("decision", ""))
    except RunError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Step %(step)s is recorded.") % {"step": step.number})
    return HttpResponseRedirect(website_request.get_absolute_url())


@permission_required("sop.view_websiterequest", raise_exception=True)
def request_letter(request: HttpRequest, pk: int) -> FileResponse:
    return request_file(request_or_404(request, pk), "letter")


@permission_required("sop.view_websiterequest", raise_exception=True)
def request_kak(request: HttpRequest, pk: int) -> FileResponse:
    return request_file(request_or_404(request, pk), "kak")


def request_file(website_request: WebsiteRequest, which: str) -> FileResponse:
    """A request's uploaded document, always as a download."""
    stored, name = getattr(website_request, which), getattr(website_request, f"{which}_name")
    if not stored:
        raise Http404
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=name or which, content_type=content_type_of(name))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
