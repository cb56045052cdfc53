"""What people do with the visitor activity watch, one function each, for the pages, the API and the CLI."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from jagaweb.activity.log import Actor, actor_label, record
from jagaweb.logwatch import verbs
from jagaweb.logwatch.blocklist import DEFAULT_JAIL, FORMATS, blocklist
from jagaweb.logwatch.incidents import close
from jagaweb.logwatch.models import CloseReason, Incident, IncidentState


class LogwatchError(Exception):
    """An operation that cannot be done, with a reason for the person who asked."""


def close_incident(incident: Incident, actor: Actor) -> Incident:
    """Close an open incident by hand (the client's next finding opens a new one)."""
    if incident.state != IncidentState.OPEN:
        raise LogwatchError("The incident is already closed.")
    with transaction.atomic():
        close(incident, timezone.now(), CloseReason.BY_HAND, actor_label(actor))
        record(verbs.INCIDENT_CLOSED, actor=actor, site=incident.site, target=incident, ip=incident.ip,
               site_name=incident.site.name)
    return incident


def export_blocklist(incidents: QuerySet[Incident], format_name: str, actor: Actor, *, min_severity: str = "",
                     since: datetime | None = None, open_only: bool = False, include_private: bool = False,
                     jail: str = DEFAULT_JAIL) -> str:
    """The blocklist file of the incidents' addresses; the export is written to the activity log."""
    if format_name not in FORMATS:
        raise LogwatchError(f"Unknown blocklist format {format_name!r}.")
    try:
        text, count = blocklist(incidents, format_name, min_severity=min_severity, since=since,
                                open_only=open_only, include_private=include_private, jail=jail)
    except ValueError as exc:
        raise LogwatchError(str(exc)) from exc
    record(verbs.BLOCKLIST_EXPORTED, actor=actor, format=format_name, count=count, min_severity=min_severity,
           since=since.isoformat() if since else "")
    return text
