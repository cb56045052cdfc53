"""How job runs look on a page: status badges and short, readable durations."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils.translation import gettext as _

from jagaweb.jobs.choices import RunStatus

register = template.Library()

BADGES: dict[str, str] = {RunStatus.SUCCEEDED: "ok", RunStatus.FAILED: "bad", RunStatus.RUNNING: "warning"}


@register.filter
def run_badge(status: str | None) -> str:
    """The badge class for a run status: ok, warning or bad (queued gets the plain badge)."""
    return BADGES.get(status, "") if status else ""


@register.filter
def run_status(status: str | None) -> str:
    if not status:
        return ""
    try:
        return str(RunStatus(status).label)
    except ValueError:
        return status


@register.filter
def duration(value: timedelta | None) -> str:
    """'0.42 s', '12 s', '3 min 5 s', '2 h 10 min', '1 d 4 h': the two largest units are enough."""
    if value is None:
        return ""
    seconds = value.total_seconds()
    if seconds < 10:
        return _("%(seconds)s s") % {"seconds": f"{seconds:.2f}".rstrip("0").rstrip(".") or "0"}
    whole = int(seconds)
    units = [(86400, _("d")), (3600, _("h")), (60, _("min")), (1, _("s"))]
    parts = []
    for size, name in units:
        count, whole = divmod(whole, size)
        if count:
            parts.append(f"{count} {name}")
    return " ".join(parts[:2])
