"""Settings of the organisations' public status pages (the page itself is in views_public)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jagaweb.monitor import operations_admin
from jagaweb.monitor.forms import StatusPageForm
from jagaweb.monitor.models import StatusPage
from jagaweb.monitor.views import member_organisations


@permission_required("monitor.view_statuspage", raise_exception=True)
def status_page_list(request: HttpRequest) -> HttpResponse:
    organisations = member_organisations(request.user).select_related("status_page").order_by("name")
    return render(request, "monitor/status_page_list.html", {"organisations": organisations})


@require_http_methods(["GET", "POST"])
def status_page_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(member_organisations(request.user), pk=pk)
    page = StatusPage.objects.filter(organisation=organisation).first()
    if not request.user.has_perm("monitor.change_statuspage" if page else "monitor.add_statuspage"):
        raise PermissionDenied
    if page is None:
        page = StatusPage(organisation=organisation, title=organisation.name,
                          slug=slugify(organisation.code or organisation.name)[:100])
    form = StatusPageForm(request.POST or None, instance=page)
    if request.method == "POST" and form.is_valid():
        operations_admin.save_status_page(form.save(commit=False), request.user)
        messages.success(request, _("The status page was saved."))
        return HttpResponseRedirect(reverse("monitor:status_page_list"))
    return render(request, "monitor/status_page_form.html", {"organisation": organisation, "form": form,
                                                             "page": page})
