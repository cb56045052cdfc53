"""How monitoring looks on a page: status badges (colour and word, never colour alone), percentages,
response times, and a one-line summary of what a check's last run found."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jagaweb.monitor.charts import ms_text, percent_text, uptime_level
from jagaweb.monitor.choices import CheckKind, Status

register = template.Library()

BADGES: dict[str, str] = {Status.UP: "ok", Status.DEGRADED: "warning", Status.DOWN: "bad"}


@register.filter
def status_badge(status: str | None) -> str:
    """The badge class for a status: ok, warning or bad (pending and unknown get the plain badge)."""
    return BADGES.get(status or "", "")


@register.filter
def status_label(status: str | None) -> str:
    return str(Status(status).label) if status in Status.values else status or ""


@register.filter
def percent(value: float | None) -> str:
    return percent_text(value)


@register.filter
def uptime_class(value: float | None) -> str:
    return uptime_level(value)


@register.filter
def ms(value: float | None) -> str:
    return ms_text(value)


def days_phrase(days: int) -> str:
    if days < 0:
        return ngettext("expired %(days)s day ago", "expired %(days)s days ago", -days) % {"days": -days}
    return ngettext("%(days)s day left", "%(days)s days left", days) % {"days": days}


@register.filter
def days_left(days: Any) -> str:
    return days_phrase(days) if isinstance(days, int) else ""


@register.filter
def days_class(days: Any, warn: int = 30) -> str:
    """bad when expired or under a week, warning under `warn` days, ok otherwise."""
    if not isinstance(days, int):
        return ""
    if days < 7:
        return "bad"
    return "warning" if days < warn else "ok"


@register.filter
def day_text(value: Any) -> str:
    """An ISO date, or the local day of an ISO date and time, as YYYY-MM-DD."""
    text = str(value or "")
    try:
        moment = datetime.fromisoformat(text)
        day = timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()
    except ValueError:
        return text
    return day.isoformat()  # Y-m-d; Django's date_format took ten times as long


def age_phrase(days: Any) -> str:
    if not isinstance(days, int):
        return ""
    if days <= 0:
        return _("today")
    return ngettext("%(days)s day ago", "%(days)s days ago", days) % {"days": days}


@register.filter
def content_age(days: Any) -> str:
    return age_phrase(days)


def tls_summary(facts: dict[str, Any]) -> str:
    if "days_left" not in facts:
        return ""
    return f"{days_phrase(facts['days_left'])} ({day_text(facts.get('not_after', ''))})"


def domain_summary(facts: dict[str, Any]) -> str:
    if "days_left" not in facts:
        return ""
    return _("%(domain)s: %(left)s (%(date)s)") % {
        "domain": facts.get("domain", ""), "left": days_phrase(facts["days_left"]),
        "date": day_text(facts.get("expires_on", ""))}


def freshness_summary(facts: dict[str, Any]) -> str:
    if "content_date" not in facts:
        return ""
    return _("newest content %(date)s, %(age)s") % {"date": day_text(facts["content_date"]),
                                                    "age": age_phrase(facts.get("age_days"))}


def dns_summary(facts: dict[str, Any]) -> str:
    answers = facts.get("answers")
    if not isinstance(answers, dict):
        return ""
    return "; ".join(f"{kind} {', '.join(str(a) for a in values)}" for kind, values in answers.items() if values)


def heartbeat_summary(facts: dict[str, Any]) -> str:
    last = facts.get("last_ping_at") or facts.get("last_ping")
    if not last:
        return _("no ping yet")
    try:
        when = timezone.localtime(datetime.fromisoformat(str(last)))
    except ValueError:
        return str(last)
    return _("last ping %(when)s") % {"when": formats.date_format(when, "Y-m-d H:i")}


SUMMARIES: dict[str, Callable[[dict[str, Any]], str]] = {
    CheckKind.TLS: tls_summary, CheckKind.DOMAIN: domain_summary, CheckKind.FRESHNESS: freshness_summary,
    CheckKind.DNS: dns_summary, CheckKind.HEARTBEAT: heartbeat_summary,
}


@register.filter
def check_summary(check: Any) -> str:
    """What the last run found, in a few words: days left, the newest content, DNS answers, the last ping."""
    summary = SUMMARIES.get(getattr(check, "kind", ""))
    facts = getattr(check, "facts", None)
    return summary(facts) if summary is not None and isinstance(facts, dict) else ""


@register.filter
def every(seconds: Any) -> str:
    """An interval in its largest whole unit: 30 s, 5 min, 6 h, 1 d (else in seconds)."""
    if not isinstance(seconds, int) or seconds <= 0:
        return ""
    for size, unit in ((86400, _("d")), (3600, _("h")), (60, _("min"))):
        if seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds} {_('s')}"
