"""Switching a demo's sample site off and on from its page (the same as `jagaweb demo_site stop|start`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jagaweb.activity.log import record
from jagaweb.demo import verbs
from jagaweb.demo.panels import demo_site_for
from jagaweb.people.scope import visible_sites


def switch(request: HttpRequest, slug: str, on: bool) -> HttpResponse:
    site = get_object_or_404(visible_sites(request.user), slug=slug)
    demo = demo_site_for(site)
    if demo is None:
        raise Http404("not a sample site of a running demo")
    if on:
        demo.start()
        messages.success(request, _("%(site)s is switched on again.") % {"site": site.name})
    else:
        demo.stop()
        messages.success(request, _("%(site)s is switched off; the dashboard shows it down within a minute.")
                         % {"site": site.name})
    record(verbs.SITE_STARTED if on else verbs.SITE_STOPPED, actor=request.user, site=site, site_name=site.name)
    return HttpResponseRedirect(site.get_absolute_url())


@require_POST
@permission_required("inventory.change_site", raise_exception=True)
def site_stop(request: HttpRequest, slug: str) -> HttpResponse:
    return switch(request, slug, on=False)


@require_POST
@permission_required("inventory.change_site", raise_exception=True)
def site_start(request: HttpRequest, slug: str) -> HttpResponse:
    return switch(request, slug, on=True)
