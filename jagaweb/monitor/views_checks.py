"""Checks: the list (filter by site, kind, status), one check with its history, adding, changing and
removing a site's checks, "run now" and "accept the current DNS answers as the baseline"."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jagaweb.monitor import operations, operations_admin
from jagaweb.monitor.checks.base import Outcome
from jagaweb.monitor.choices import CheckKind, IncidentState, Status
from jagaweb.monitor.filters import CheckFilter, without_page
from jagaweb.monitor.forms import CheckForm, describe_options
from jagaweb.monitor.models import Check, Incident
from jagaweb.monitor.views import PAGE_SIZE, check_or_404, is_htmx, site_or_404, visible_checks
from jagaweb.monitor.views_history import check_history

# Kinds whose runs compare with a recorded baseline, which a person can accept anew.
BASELINE_KINDS = frozenset({CheckKind.DNS})


@permission_required("monitor.view_check", raise_exception=True)
def check_list(request: HttpRequest) -> HttpResponse:
    checks = visible_checks(request.user).defer("facts", "baseline", "notices_sent", "config").order_by(
        "site__name", "kind", "pk")
    filterset = CheckFilter(request.GET or None, queryset=checks, request=request)
    valid = not filterset.is_bound or filterset.is_valid()
    listed = (filterset.qs if filterset.is_bound else checks) if valid else checks.none()
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    site = filterset.form.cleaned_data.get("site") if filterset.is_bound and valid else None
    context = {"filter": filterset, "page_obj": page, "checks": page.object_list, "query": without_page(request.GET),
               "site": site}
    template = "monitor/_check_table.html" if is_htmx(request) else "monitor/check_list.html"
    return render(request, template, context)


def heartbeat_url(check: Check) -> str:
    return settings.BASE_URL + reverse("monitor:heartbeat", args=[check.token])


@permission_required("monitor.view_check", raise_exception=True)
def check_detail(request: HttpRequest, pk: int) -> HttpResponse:
    check = check_or_404(request, pk)
    context: dict[str, Any] = {
        "check": check, "site": check.site,
        "open_incident": Incident.objects.filter(check_ref=check, state=IncidentState.OPEN).first(),
        "incidents": Incident.objects.filter(check_ref=check).order_by("-opened_at")[:10],
        "accepts_baseline": check.kind in BASELINE_KINDS,
        "options": describe_options(check.kind, check.config or {}),
        **check_history(check),
    }
    if check.kind == CheckKind.HEARTBEAT:
        context["heartbeat_url"] = heartbeat_url(check)
    return render(request, "monitor/check_detail.html", context)


def check_form_response(request: HttpRequest, form: CheckForm) -> HttpResponse | None:
    """Saves a valid posted form (None otherwise): the redirect to the check's page."""
    if request.method != "POST" or request.POST.get("switch_kind") or not form.is_valid():
        return None
    creating = form.instance._state.adding
    check = operations_admin.save_check(form.save(commit=False), request.user)
    messages.success(request, _("The check was added; its first run comes within a few minutes.") if creating
                     else _("The check was saved."))
    return HttpResponseRedirect(check.get_absolute_url())


@require_http_methods(["GET", "POST"])
@permission_required("monitor.add_check", raise_exception=True)
def check_create(request: HttpRequest, slug: str) -> HttpResponse:
    site = site_or_404(request, slug)
    kind = request.POST.get("kind") or request.GET.get("kind")
    # Choosing another kind re-draws the form with that kind's options; nothing is saved.
    data = request.POST if request.method == "POST" and not request.POST.get("switch_kind") else None
    form = CheckForm(data, instance=Check(site=site), user=request.user, site=site, kind=kind)
    saved = check_form_response(request, form)
    if saved is not None:
        return saved
    context = {"form": form, "site": site, "check": None}
    template = "monitor/_check_form_fields.html" if is_htmx(request) else "monitor/check_form.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@permission_required("monitor.change_check", raise_exception=True)
def check_update(request: HttpRequest, pk: int) -> HttpResponse:
    check = check_or_404(request, pk)
    form = CheckForm(request.POST or None, instance=check, user=request.user, site=check.site)
    saved = check_form_response(request, form)
    if saved is not None:
        return saved
    return render(request, "monitor/check_form.html", {"form": form, "site": check.site, "check": check})


@require_http_methods(["GET", "POST"])
@permission_required("monitor.delete_check", raise_exception=True)
def check_delete(request: HttpRequest, pk: int) -> HttpResponse:
    check = check_or_404(request, pk)
    if request.method == "POST":
        operations_admin.delete_check(check, request.user)
        messages.success(request, _("The check %(check)s was removed.") % {"check": check})
        return HttpResponseRedirect(reverse("monitor:check_list") + f"?site={check.site.slug}")
    return render(request, "monitor/confirm_delete.html", {
        "object": check, "cancel_url": check.get_absolute_url(),
        "question": _("Remove the check “%(check)s” of %(site)s?") % {"check": check, "site": check.site.name},
        "detail": _("Its results, history and incidents go with it."),
    })


def outcome_response(request: HttpRequest, check: Check, outcome: Outcome, done: str) -> HttpResponse:
    if is_htmx(request):
        return render(request, "monitor/_run_result.html", {"check": check, "outcome": outcome, "done": done})
    level = messages.success if outcome.status in (Status.UP, Status.DEGRADED) else messages.warning
    level(request, f"{done} {outcome.status.label}: {outcome.message}")
    return HttpResponseRedirect(check.get_absolute_url())


@require_POST
@permission_required("monitor.change_check", raise_exception=True)
def check_run(request: HttpRequest, pk: int) -> HttpResponse:
    check = check_or_404(request, pk)
    outcome = operations.run_now(check, request.user)
    return outcome_response(request, check, outcome, _("Checked now:"))


@require_POST
@permission_required("monitor.change_check", raise_exception=True)
def check_baseline(request: HttpRequest, pk: int) -> HttpResponse:
    check = check_or_404(request, pk)
    if check.kind not in BASELINE_KINDS:
        messages.error(request, _("This kind of check keeps no baseline."))
        return HttpResponseRedirect(check.get_absolute_url())
    outcome = operations.accept_baseline(check, request.user)
    return outcome_response(request, check, outcome, _("The current answers are now the baseline."))
