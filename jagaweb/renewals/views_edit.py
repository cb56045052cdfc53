"""The renewals pages that change things: add, change and remove a service, record a renewal with its
invoice, and take a domain's or certificate's end date from monitoring."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from jagaweb.people.scope import visible_sites
from jagaweb.renewals import monitoring, operations
from jagaweb.renewals.choices import RefreshResult
from jagaweb.renewals.forms import RenewalForm, ServiceForm
from jagaweb.renewals.models import Service
from jagaweb.renewals.views import service_or_404


@require_http_methods(["GET", "POST"])
@permission_required("renewals.add_service", raise_exception=True)
def service_create(request: HttpRequest) -> HttpResponse:
    initial = {}
    site = visible_sites(request.user).filter(slug=request.GET.get("site", "")).first()
    if site is not None:
        initial = {"site": site, "organisation": site.organisation}
    form = ServiceForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        service = operations.create_service(form.save(commit=False), request.user)
        messages.success(request, _("The service was added."))
        return HttpResponseRedirect(service.get_absolute_url())
    return render(request, "renewals/service_form.html", {"form": form, "service": None})


@require_http_methods(["GET", "POST"])
@permission_required("renewals.change_service", raise_exception=True)
def service_update(request: HttpRequest, pk: int) -> HttpResponse:
    service = service_or_404(request, pk)
    form = ServiceForm(request.POST or None, instance=service, user=request.user)
    if request.method == "POST" and form.is_valid():
        operations.update_service(form.save(commit=False), request.user, list(form.changed_data))
        messages.success(request, _("The service was saved."))
        return HttpResponseRedirect(service.get_absolute_url())
    return render(request, "renewals/service_form.html", {"form": form, "service": service})


@require_http_methods(["GET", "POST"])
@permission_required("renewals.delete_service", raise_exception=True)
def service_delete(request: HttpRequest, pk: int) -> HttpResponse:
    service = service_or_404(request, pk)
    if request.method == "POST":
        operations.delete_service(service, request.user)
        messages.success(request, _("The service was removed with its renewals and invoices."))
        return HttpResponseRedirect(reverse("renewals:service_list"))
    return render(request, "renewals/service_confirm_delete.html", {"service": service})


@require_http_methods(["GET", "POST"])
@permission_required("renewals.add_renewal", raise_exception=True)
def renew(request: HttpRequest, pk: int) -> HttpResponse:
    service = service_or_404(request, pk)
    form = RenewalForm(request.POST or None, request.FILES or None, service=service)
    if request.method == "POST" and form.is_valid():
        renewal = operations.record_renewal(service, request.user, form.renewal_input())
        messages.success(request, _("The renewal was recorded; the service now runs until %(end)s.")
                         % {"end": f"{renewal.period_end:%Y-%m-%d}"})
        return HttpResponseRedirect(service.get_absolute_url())
    return render(request, "renewals/renew_form.html", {"form": form, "service": service})


CHECK_NEEDED = gettext_lazy("No check of this site gives an end date for this service yet. A domain needs a domain "
                            "check, a certificate a TLS check, with the same name as the identifier.")
REFRESH_MESSAGES = {
    RefreshResult.UPDATED: (messages.SUCCESS, gettext_lazy("The end date now follows monitoring: %(end)s.")),
    RefreshResult.UNCHANGED: (messages.INFO, gettext_lazy("Monitoring gives the same end date.")),
    RefreshResult.KEPT: (messages.WARNING,
                         gettext_lazy("Monitoring gives %(end)s; the date set by a person was kept.")),
    RefreshResult.NOT_MONITORED: (messages.WARNING, CHECK_NEEDED),
}


@require_POST
@permission_required("renewals.change_service", raise_exception=True)
def refresh(request: HttpRequest, pk: int) -> HttpResponse:
    service: Service = service_or_404(request, pk)
    outcome = monitoring.refresh(service, request.user, asked=True)
    level, text = REFRESH_MESSAGES[outcome.result]
    end = f"{outcome.seen.end:%Y-%m-%d}" if outcome.seen else ""
    messages.add_message(request, level, str(text) % {"end": end})
    return HttpResponseRedirect(service.get_absolute_url())
