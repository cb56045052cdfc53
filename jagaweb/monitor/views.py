"""What every monitoring page and the API share: the user's scope over checks, results, incidents,
maintenance windows and status pages.

The pages live in views_checks (checks and their actions), views_incidents, views_windows,
views_site (a site's monitoring profile), views_status (status page settings) and views_public
(the anonymous status page and heartbeat endpoint).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from jagaweb.inventory.models import Organisation, Site
from jagaweb.monitor.models import Check, Incident, MaintenanceWindow, Result, StatusPage
from jagaweb.people.scope import organisation_subtree, sees_everything, visible_organisations, visible_sites

PAGE_SIZE = 50


def visible_checks(user: Any) -> QuerySet[Check]:
    checks = Check.objects.select_related("site")
    return checks if sees_everything(user) else checks.filter(site__in=visible_sites(user))


def visible_results(user: Any) -> QuerySet[Result]:
    results = Result.objects.all()
    return results if sees_everything(user) else results.filter(check_ref__site__in=visible_sites(user))


def visible_incidents(user: Any) -> QuerySet[Incident]:
    incidents = Incident.objects.select_related("site", "check_ref", "acknowledged_by")
    return incidents if sees_everything(user) else incidents.filter(site__in=visible_sites(user))


def visible_windows(user: Any) -> QuerySet[MaintenanceWindow]:
    """A site's windows for those who see the site; an organisation's for those who see the organisation."""
    windows = MaintenanceWindow.objects.select_related("site", "organisation")
    if sees_everything(user):
        return windows
    return windows.filter(Q(site__in=visible_sites(user))
                          | Q(site__isnull=True, organisation__in=visible_organisations(user)))


def member_organisations(user: Any) -> QuerySet[Organisation]:
    """Organisations the user belongs to (with their sub-organisations), or all for those who see everything.

    Settings that act on a whole organisation (its maintenance windows, its public status page) are for
    its own people: a third party that looks after one of its sites sees the organisation, but does not
    get to silence or publish the others."""
    if sees_everything(user):
        return Organisation.objects.all()
    if not user.is_authenticated:
        return Organisation.objects.none()
    roots = set(user.memberships.filter(organisation__isnull=False).values_list("organisation_id", flat=True))
    return Organisation.objects.filter(pk__in=organisation_subtree(roots))


def may_change_window(user: Any, window: MaintenanceWindow) -> bool:
    """A site's window is for whoever sees the site; an organisation's for the organisation's own people."""
    return window.site_id is not None or member_organisations(user).filter(pk=window.organisation_id or 0).exists()


def visible_status_pages(user: Any) -> QuerySet[StatusPage]:
    return StatusPage.objects.filter(organisation__in=visible_organisations(user)).select_related("organisation")


def site_or_404(request: HttpRequest, slug: str) -> Site:
    return get_object_or_404(visible_sites(request.user).select_related("organisation"), slug=slug)


def check_or_404(request: HttpRequest, pk: int) -> Check:
    return get_object_or_404(visible_checks(request.user).select_related("site__organisation"), pk=pk)


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))
