"""The renewals pages that read: the services list (filters, ended services highlighted), its CSV export,
a service with its history, and a renewal's invoice. Changes are in views_edit."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from jagaweb.activity.log import record
from jagaweb.renewals import verbs
from jagaweb.renewals.export import csv_lines
from jagaweb.renewals.filters import ServiceFilter, without_page
from jagaweb.renewals.invoices import content_type_of
from jagaweb.renewals.models import Renewal, Service
from jagaweb.renewals.monitoring import WATCHED
from jagaweb.renewals.reminders import THRESHOLDS
from jagaweb.renewals.visibility import visible_renewals, visible_services

PAGE_SIZE = 50
SOON_DAYS = 30  # a period ending within this many days is marked on the list


def service_or_404(request: HttpRequest, pk: int) -> Service:
    return get_object_or_404(visible_services(request.user), pk=pk)


def filtered(request: HttpRequest) -> ServiceFilter:
    """The list's filters; services in use only, unless the reader chose otherwise."""
    data = request.GET.copy()
    data.setdefault("is_active", "true")
    return ServiceFilter(data, queryset=visible_services(request.user), request=request)


def urgency(days_left: int) -> str:
    """The badge a service gets on the list: ended, ending within a week, within a month, or fine."""
    if days_left < 0:
        return "bad"
    if days_left <= 7:
        return "critical"
    return "warning" if days_left <= SOON_DAYS else "ok"


def row(service: Service, today: date) -> dict[str, Any]:
    days_left = service.days_left(today)
    return {"service": service, "days_left": days_left, "days_ago": -days_left, "urgency": urgency(days_left)}


@permission_required("renewals.view_service", raise_exception=True)
def service_list(request: HttpRequest) -> HttpResponse:
    filterset = filtered(request)
    services = filterset.qs if filterset.is_valid() else Service.objects.none()
    page = Paginator(services, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [row(service, today) for service in page.object_list]
    context = {"filter": filterset, "page_obj": page, "rows": rows, "query": without_page(request.GET),
               "export_query": request.GET.urlencode()}
    template = "renewals/_service_table.html" if getattr(request, "htmx", False) else "renewals/service_list.html"
    return render(request, template, context)


@permission_required("renewals.view_service", raise_exception=True)
def service_export(request: HttpRequest) -> StreamingHttpResponse:
    filterset = filtered(request)
    services = filterset.qs if filterset.is_valid() else Service.objects.none()
    record(verbs.EXPORTED, actor=request.user, count=services.count(), filters=request.GET.urlencode()[:500])
    today = timezone.localdate()
    response = StreamingHttpResponse(csv_lines(services, today), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="layanan-{today:%Y%m%d}.csv"'
    return response


@permission_required("renewals.view_service", raise_exception=True)
def service_detail(request: HttpRequest, pk: int) -> HttpResponse:
    service = service_or_404(request, pk)
    today = timezone.localdate()
    context: dict[str, Any] = {
        "service": service, "row": row(service, today),
        "renewals": service.renewals.select_related("recorded_by"),
        "reminders": service.reminders.all()[:20], "thresholds": THRESHOLDS,
        "watched": service.kind in WATCHED,
        "disagrees": service.monitored_end is not None and service.monitored_end != service.period_end,
    }
    return render(request, "renewals/service_detail.html", context)


@permission_required("renewals.view_renewal", raise_exception=True)
def invoice(request: HttpRequest, pk: int) -> FileResponse:
    return invoice_response(get_object_or_404(visible_renewals(request.user), pk=pk))


def invoice_response(renewal: Renewal) -> FileResponse:
    if not renewal.invoice:
        raise Http404
    try:
        handle = renewal.invoice.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    # Always a download: an invoice is somebody's upload, and must not run as a page of this site.
    response = FileResponse(handle, as_attachment=True, filename=renewal.invoice_name or "invoice",
                            content_type=content_type_of(str(renewal.invoice.name)))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
