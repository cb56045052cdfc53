"""Saving what people configure (checks, maintenance windows, monitoring profiles, status pages), from the
pages and the API alike, each change written to the activity log with the person as actor.

The engine's own operations (run now, acknowledge, baselines, heartbeats) are in `monitor.operations`.
"""

from __future__ import annotations

from collections.abc import Iterable
from copy import copy
from typing import Any, cast

from django.db import models, transaction

from jagaweb.activity.log import Actor, record
from jagaweb.monitor import operations, verbs
from jagaweb.monitor.models import Check, MaintenanceWindow, MonitorProfile, StatusPage

CHECK_FIELDS = ("kind", "name", "target", "config", "interval", "timeout", "allow_private", "is_active")
# A change to any of these changes what the next run measures, so the check runs again soon.
RESCHEDULING = frozenset({"kind", "target", "config", "interval", "timeout", "allow_private", "is_active"})
WINDOW_FIELDS = ("organisation", "site", "starts_at", "ends_at", "reason")
PROFILE_FIELDS = ("failures_to_open", "successes_to_resolve", "stale_after_days", "on_status_page")
STATUS_PAGE_FIELDS = ("slug", "title", "introduction", "is_public")


def changed_fields(obj: models.Model, names: Iterable[str]) -> list[str]:
    """The named fields whose value in `obj` differs from the stored row (all of them for a new object)."""
    names = list(names)
    attnames = {name: cast(models.Field[Any, Any], obj._meta.get_field(name)).attname for name in names}
    stored = type(obj)._default_manager.filter(pk=obj.pk).values(*attnames.values()).first() if obj.pk else None
    if stored is None:
        return names
    return [name for name, attname in attnames.items() if stored[attname] != getattr(obj, attname)]


def save_check(check: Check, actor: Actor) -> Check:
    """Create or change a check; a new check, or one whose target or options changed, runs within moments."""
    creating = check._state.adding
    changed = [] if creating else changed_fields(check, CHECK_FIELDS)
    with transaction.atomic():
        check.save()
        data: dict[str, Any] = {"object": str(check), "site_name": check.site.name}
        if creating:
            record(verbs.CHECK_CREATED, actor=actor, site=check.site, target=check, **data)
        elif changed:
            record(verbs.CHECK_CHANGED, actor=actor, site=check.site, target=check, fields=", ".join(changed),
                   **data)
    if creating or RESCHEDULING.intersection(changed):
        operations.schedule_new(check)
    return check


def delete_check(check: Check, actor: Actor) -> None:
    gone, site = copy(check), check.site
    with transaction.atomic():
        check.delete()
        record(verbs.CHECK_DELETED, actor=actor, site=site, target=gone, object=str(gone), site_name=site.name)


def save_window(window: MaintenanceWindow, actor: Actor) -> MaintenanceWindow:
    creating = window._state.adding
    changed = [] if creating else changed_fields(window, WINDOW_FIELDS)
    if window.site_id is not None:
        window.organisation = None  # a site's window follows the site, wherever the site belongs
    with transaction.atomic():
        window.save()
        where: dict[str, Any] = {"site": window.site, "organisation": window.organisation}
        if creating:
            record(verbs.WINDOW_CREATED, actor=actor, target=window, object=str(window), **where)
        elif changed:
            record(verbs.WINDOW_CHANGED, actor=actor, target=window, object=str(window), fields=", ".join(changed),
                   **where)
    return window


def delete_window(window: MaintenanceWindow, actor: Actor) -> None:
    gone = copy(window)
    where: dict[str, Any] = {"site": window.site, "organisation": window.organisation}
    with transaction.atomic():
        window.delete()
        record(verbs.WINDOW_DELETED, actor=actor, target=gone, object=str(gone), **where)


def save_profile(profile: MonitorProfile, actor: Actor) -> MonitorProfile:
    changed = changed_fields(profile, PROFILE_FIELDS)
    with transaction.atomic():
        profile.save()
        if changed:
            record(verbs.PROFILE_CHANGED, actor=actor, site=profile.site, target=profile.site,
                   site_name=profile.site.name, fields=", ".join(changed))
    return profile


def save_status_page(page: StatusPage, actor: Actor) -> StatusPage:
    changed = changed_fields(page, STATUS_PAGE_FIELDS)
    with transaction.atomic():
        page.save()
        if changed:
            record(verbs.STATUS_PAGE_CHANGED, actor=actor, organisation=page.organisation, target=page,
                   object=page.title, fields=", ".join(changed))
    return page
