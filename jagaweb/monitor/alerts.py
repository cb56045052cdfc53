"""Incident and notice alerts: always recorded in the activity log, sent through `notify()` unless a
maintenance window covers the site at that moment.

A recovery is sent when its incident's opening was sent, so the people told "down" always hear
"back up", and nobody hears "back up" of an outage they were never told about. An incident that
opened during maintenance and is still failing after the window ends is sent then, once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from jagaweb.activity.choices import Severity
from jagaweb.activity.log import SystemJob, record
from jagaweb.activity.verbs import describe
from jagaweb.monitor import verbs
from jagaweb.monitor.checks.base import Notice
from jagaweb.monitor.models import Check, Incident, MaintenanceWindow

ACTOR = SystemJob("monitor")


def send(verb: str, severity: str, check: Check, data: dict[str, Any], detail: str) -> None:
    from jagaweb.notify.dispatch import notify

    lines = [describe(verb, data), "", _("Site: %(name)s (%(url)s)") % {"name": check.site.name, "url": check.site.url},
             _("Check: %(check)s") % {"check": check}]
    if detail:
        lines.append(detail)
    notify(describe(verb, data), "\n".join(lines), severity=severity, site=check.site)


def common(check: Check, window: MaintenanceWindow | None) -> dict[str, Any]:
    data: dict[str, Any] = {"site_name": check.site.name, "check": str(check), "check_id": check.pk}
    if window is not None:
        data["silenced_by"] = window.reason
    return data


def incident_opened(incident: Incident, check: Check, window: MaintenanceWindow | None) -> None:
    data = {**common(check, window), "cause": incident.cause, "opened_at": incident.opened_at.isoformat()}
    record(verbs.INCIDENT_OPENED, actor=ACTOR, site=check.site, target=incident, severity=Severity.CRITICAL, **data)
    if window is None:
        send(verbs.INCIDENT_OPENED, Severity.CRITICAL, check, data, since(incident))


def since(incident: Incident) -> str:
    return _("Since: %(when)s") % {"when": local(incident.opened_at)}


def incident_unsilenced(incident: Incident, check: Check) -> None:
    """The maintenance window ended and the site is still failing: tell people now."""
    data = {**common(check, None), "cause": incident.cause, "opened_at": incident.opened_at.isoformat()}
    record(verbs.INCIDENT_UNSILENCED, actor=ACTOR, site=check.site, target=incident, severity=Severity.CRITICAL,
           **data)
    send(verbs.INCIDENT_UNSILENCED, Severity.CRITICAL, check, data, since(incident))


def incident_resolved(incident: Incident, check: Check, window: MaintenanceWindow | None) -> None:
    assert incident.resolved_at is not None
    duration = timesince(incident.opened_at, incident.resolved_at)
    data = {
        **common(check, window), "cause": incident.cause, "duration": duration,
        "seconds": round((incident.resolved_at - incident.opened_at).total_seconds()),
    }
    record(verbs.INCIDENT_RESOLVED, actor=ACTOR, site=check.site, target=incident, severity=Severity.INFO, **data)
    if not incident.silenced:
        detail = _("Down from %(start)s to %(end)s") % {
            "start": local(incident.opened_at), "end": local(incident.resolved_at)}
        send(verbs.INCIDENT_RESOLVED, Severity.INFO, check, data, detail)


def notice_raised(notice: Notice, check: Check, window: MaintenanceWindow | None) -> None:
    data = {**common(check, window), **notice.data, "key": notice.key}
    record(notice.verb, actor=ACTOR, site=check.site, target=check, severity=notice.severity, **data)
    if window is None:
        send(notice.verb, notice.severity, check, data, "")


def local(at: datetime) -> str:
    return f"{timezone.localtime(at):%Y-%m-%d %H:%M}"
