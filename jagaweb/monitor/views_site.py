"""A site's monitoring profile: how many failures open an incident, how many successes close it, when its
content counts as stale, and whether it is on the public status page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jagaweb.monitor import operations_admin
from jagaweb.monitor.forms import ProfileForm
from jagaweb.monitor.models import MonitorProfile
from jagaweb.monitor.views import site_or_404


@require_http_methods(["GET", "POST"])
@permission_required("monitor.change_monitorprofile", raise_exception=True)
def profile_edit(request: HttpRequest, slug: str) -> HttpResponse:
    site = site_or_404(request, slug)
    profile = MonitorProfile.objects.filter(site=site).first() or MonitorProfile(site=site)
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        operations_admin.save_profile(form.save(commit=False), request.user)
        messages.success(request, _("The monitoring settings of %(site)s were saved.") % {"site": site.name})
        return HttpResponseRedirect(site.get_absolute_url() + "#panel-monitor")
    return render(request, "monitor/profile_form.html", {"site": site, "form": form})
