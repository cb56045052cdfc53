"""What the monitoring page, API, status page and dashboard tests share: permissions, checks in a given
state, incidents and a day of hourly rollups written straight to the tables."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import Permission
from django.utils import timezone

from jagaweb.inventory.models import Site
from jagaweb.monitor import panels, slots  # noqa: F401  (the site panel and the dashboard columns register)
from jagaweb.monitor.choices import CheckKind, IncidentState, RollupPeriod, Status
from jagaweb.monitor.models import Check, Incident, Rollup
from jagaweb.monitor.rollups import floor
from jagaweb.monitor.stats import histogram_of

WORK = ("monitor.view_check", "monitor.add_check", "monitor.change_check", "monitor.delete_check",
        "monitor.view_incident", "monitor.change_incident", "monitor.view_result",
        "monitor.view_maintenancewindow", "monitor.add_maintenancewindow", "monitor.change_maintenancewindow",
        "monitor.delete_maintenancewindow", "monitor.change_monitorprofile", "monitor.view_statuspage",
        "monitor.add_statuspage", "monitor.change_statuspage", "inventory.view_site")


def grant(user: Any, *names: str) -> Any:
    for name in names or WORK:
        app_label, codename = name.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return user


def make_check(site: Site, kind: str = CheckKind.HTTP, status: str = Status.UP, **fields: Any) -> Check:
    defaults: dict[str, Any] = {"message": f"{kind} {status}", "response_ms": 120.0,
                                "last_checked_at": timezone.now()}
    return Check.objects.create(site=site, kind=kind, status=status, **{**defaults, **fields})


def open_incident(check: Check, cause: str = "HTTP 500 dari server", ago: timedelta = timedelta(minutes=20),
                  **fields: Any) -> Incident:
    return Incident.objects.create(site=check.site, check_ref=check, opened_at=timezone.now() - ago, cause=cause,
                                   state=IncidentState.OPEN, **fields)


def hourly_rollups(check: Check, hours: int = 24, down_hours: tuple[int, ...] = (), ms: float = 150.0,
                   now: datetime | None = None) -> list[Rollup]:
    """One rollup per hour for the last `hours` complete hours (oldest first); `down_hours` (0 = oldest) failed."""
    current = floor(now or timezone.now(), RollupPeriod.HOUR)
    rollups = []
    for n in range(hours):
        start = current - timedelta(hours=hours - n)
        down = 60 if n in down_hours else 0
        up = 60 - down
        rollups.append(Rollup(check_ref=check, period=RollupPeriod.HOUR, start=start, up=up, down=down,
                              total_ms=ms * up, max_ms=ms, histogram=histogram_of([ms] * up)))
    return Rollup.objects.bulk_create(rollups)
