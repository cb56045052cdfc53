"""Maintenance windows: while one is open, a site's checks still run and incidents are still recorded, but
nobody is alerted. A window covers one site or every site of an organisation."""

from __future__ import annotations

from datetime import timedelta
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
from django.views.decorators.http import require_http_methods

from jagaweb.monitor import operations_admin
from jagaweb.monitor.filters import WindowFilter, without_page
from jagaweb.monitor.forms import WindowForm
from jagaweb.monitor.models import MaintenanceWindow
from jagaweb.monitor.views import PAGE_SIZE, may_change_window, site_or_404, visible_windows


def window_or_404(request: HttpRequest, pk: int) -> MaintenanceWindow:
    """A window the user sees; changing an organisation's window needs membership of that organisation."""
    window = get_object_or_404(visible_windows(request.user), pk=pk)
    if not may_change_window(request.user, window):
        raise PermissionDenied
    return window


@permission_required("monitor.view_maintenancewindow", raise_exception=True)
def window_list(request: HttpRequest) -> HttpResponse:
    windows = visible_windows(request.user).order_by("-starts_at", "-pk")
    filterset = WindowFilter(request.GET or None, queryset=windows, request=request)
    page = Paginator(filterset.qs if filterset.is_valid() else windows.none(), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "monitor/window_list.html", {
        "filter": filterset, "page_obj": page, "windows": page.object_list, "now": timezone.now(),
        "query": without_page(request.GET),
    })


@require_http_methods(["GET", "POST"])
@permission_required("monitor.add_maintenancewindow", raise_exception=True)
def window_create(request: HttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {}
    slug = request.GET.get("site", "")
    if slug:
        initial["site"] = site_or_404(request, slug)
    start = timezone.localtime().replace(second=0, microsecond=0)
    initial.update(starts_at=start, ends_at=start + timedelta(hours=2))
    return edit(request, WindowForm(request.POST or None, user=request.user, initial=initial), creating=True)


@require_http_methods(["GET", "POST"])
@permission_required("monitor.change_maintenancewindow", raise_exception=True)
def window_update(request: HttpRequest, pk: int) -> HttpResponse:
    window = window_or_404(request, pk)
    return edit(request, WindowForm(request.POST or None, instance=window, user=request.user), creating=False)


def edit(request: HttpRequest, form: WindowForm, creating: bool) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        window = form.save(commit=False)
        if creating:
            window.created_by = request.user
        operations_admin.save_window(window, request.user)
        messages.success(request, _("The maintenance window was saved."))
        return HttpResponseRedirect(reverse("monitor:window_list"))
    return render(request, "monitor/window_form.html", {"form": form, "creating": creating,
                                                        "window": None if creating else form.instance})


@require_http_methods(["GET", "POST"])
@permission_required("monitor.delete_maintenancewindow", raise_exception=True)
def window_delete(request: HttpRequest, pk: int) -> HttpResponse:
    window = window_or_404(request, pk)
    if request.method == "POST":
        operations_admin.delete_window(window, request.user)
        messages.success(request, _("The maintenance window was removed."))
        return HttpResponseRedirect(reverse("monitor:window_list"))
    return render(request, "monitor/confirm_delete.html", {
        "object": window, "cancel_url": reverse("monitor:window_list"),
        "question": _("Remove the maintenance window “%(window)s”?") % {"window": window},
    })
