"""A demo's sample site, from its page: switch it off and on (the same as `jagaweb demo_site stop|start`), and
plant the demo attack (the same as `jagaweb demo attack`), then follow the guard's check of it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jagaweb.activity.log import record
from jagaweb.demo import verbs
from jagaweb.demo.attack import AttackRefused, attack_site, kit_contents
from jagaweb.demo.panels import demo_site_for
from jagaweb.demo.sites import DemoSite
from jagaweb.guard import tasks as guard_tasks
from jagaweb.guard.views import enqueue, task_state
from jagaweb.inventory.models import Site
from jagaweb.people.scope import visible_sites

CHANGE_SITE = "inventory.change_site"


def sample_site_or_404(request: HttpRequest, slug: str) -> tuple[Site, DemoSite]:
    site = get_object_or_404(visible_sites(request.user), slug=slug)
    demo = demo_site_for(site)
    if demo is None:
        raise Http404("not a sample site of a running demo")
    return site, demo


def switch(request: HttpRequest, slug: str, on: bool) -> HttpResponse:
    site, demo = sample_site_or_404(request, slug)
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
@permission_required(CHANGE_SITE, raise_exception=True)
def site_stop(request: HttpRequest, slug: str) -> HttpResponse:
    return switch(request, slug, on=False)


@require_POST
@permission_required(CHANGE_SITE, raise_exception=True)
def site_start(request: HttpRequest, slug: str) -> HttpResponse:
    return switch(request, slug, on=True)


def go(request: HttpRequest, target: str) -> HttpResponse:
    """A redirect; for htmx's polling, the header that makes it leave the page."""
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return HttpResponseRedirect(target)


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE_SITE, raise_exception=True)
def site_attack(request: HttpRequest, slug: str) -> HttpResponse:
    """POST plants the attack and queues a guard check in the person's name; GET follows that check and goes to
    the guard's page of the site (findings, the Restore button) as soon as it has finished."""
    site, demo = sample_site_or_404(request, slug)
    if request.method == "POST":
        try:
            planted = attack_site(site, demo, request.user)
        except AttackRefused as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(site.get_absolute_url())
        task_id = enqueue(guard_tasks.check_now, site, request.user)
        messages.warning(request, _("%(count)d attack files were planted on %(site)s; the guard is checking it.")
                         % {"count": len(planted), "site": site.name})
        return HttpResponseRedirect(f"{reverse('demo:site_attack', args=[site.slug])}?task={task_id}")
    task_id = request.GET.get("task", "")
    if not task_state(task_id, site).waiting:
        return go(request, reverse("guard:site", args=[site.slug]))
    if getattr(request, "htmx", False):
        return HttpResponse(status=204)  # still checking: htmx keeps the page and asks again
    return render(request, "demo/attack.html", {"site": site, "task_id": task_id, "planted": kit_contents()})
