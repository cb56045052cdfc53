"""Reminders before a service's period ends: 60, 30, 14, 7 and 1 days before, and once when it has ended.

Each threshold goes out once per period: the Reminder row (unique per service, period end and threshold)
is written in the same transaction as the message, so a second run, or two at once, sends nothing new,
and recording a renewal (a new period end) starts the series again. Only the tightest threshold reached
is sent: a service first seen 5 days before its end gets the 7-day reminder, not four at once.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jagaweb.activity.choices import Severity
from jagaweb.activity.log import SystemJob, record
from jagaweb.activity.verbs import describe
from jagaweb.people.choices import RoleKind
from jagaweb.renewals import verbs
from jagaweb.renewals.models import Reminder, Service

THRESHOLDS: tuple[int, ...] = (60, 30, 14, 7, 1)  # days before the end, as issue 7 asks
ENDED = 0  # the threshold of "the period has ended" (or ends today)
ACTOR = SystemJob("renewals.remind")
AUDIENCE = (RoleKind.OPERATOR, RoleKind.SUPERVISOR)


def threshold_for(days_left: int) -> int | None:
    """The tightest threshold `days_left` has reached, ENDED from the last day on, or None when still far."""
    if days_left <= 0:
        return ENDED
    reached = [threshold for threshold in THRESHOLDS if days_left <= threshold]
    return min(reached) if reached else None


def severity_for(threshold: int, service: Service) -> str:
    if service.auto_renew:
        return Severity.INFO  # it renews by itself; the reminder is for recording its invoice
    if threshold <= 7:
        return Severity.CRITICAL
    return Severity.WARNING if threshold <= 30 else Severity.INFO


def message_body(service: Service, summary: str) -> str:
    lines = [summary, "", _("Organisation: %(name)s") % {"name": service.organisation.name}]
    if service.site is not None:
        lines.append(_("Site: %(name)s (%(url)s)") % {"name": service.site.name, "url": service.site.url})
    lines.append(_("Kind: %(kind)s") % {"kind": service.get_kind_display()})
    if service.provider is not None:
        lines.append(_("Provider: %(name)s") % {"name": service.provider.name})
    if service.identifier:
        lines.append(_("Identifier: %(value)s") % {"value": service.identifier})
    if service.cost is not None:
        lines.append(_("Cost per period: Rp %(cost)s") % {"cost": f"{service.cost:,.0f}".replace(",", ".")})
    if service.auto_renew:
        lines.append(_("It renews automatically: record the renewal with its invoice once it is paid."))
    else:
        lines.append(_("Renew it with the provider, then record the renewal with its invoice."))
    lines.append(settings.BASE_URL + service.get_absolute_url())
    return "\n".join(lines)


def remind(service: Service, today: date) -> Reminder | None:
    """Send the reminder this service is due today, once; None when none is due or it was already sent."""
    from jagaweb.notify.dispatch import notify

    days_left = service.days_left(today)
    threshold = threshold_for(days_left)
    if threshold is None:
        return None
    sent = Reminder.objects.filter(service=service, period_end=service.period_end)
    if sent.filter(threshold__lte=threshold).exists():
        return None  # this one, or a tighter one, already went out for this period
    verb = verbs.ENDED if threshold == ENDED else verbs.REMINDED
    data = {"service": str(service), "days_left": days_left, "period_end": f"{service.period_end:%Y-%m-%d}",
            "threshold": threshold, "organisation_name": service.organisation.name}
    severity = severity_for(threshold, service)
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(service=service, period_end=service.period_end, threshold=threshold,
                                               days_left=days_left)
            summary = describe(verb, data)
            notify(summary, message_body(service, summary), severity=severity, site=service.site,
                   organisation=service.organisation, audience=AUDIENCE)
            record(verb, actor=ACTOR, severity=severity, site=service.site, organisation=service.organisation,
                   target=service, **data)
    except IntegrityError:
        return None  # another run sent it a moment ago
    return reminder


def send_reminders(today: date | None = None) -> list[Reminder]:
    """Every reminder due today (local date) for the services in use."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=max(THRESHOLDS))
    services = (Service.objects.filter(is_active=True, period_end__lte=horizon)
                .select_related("organisation", "site", "provider").order_by("period_end", "pk"))
    sent = []
    for service in services.iterator(chunk_size=500):
        reminder = remind(service, today)
        if reminder is not None:
            sent.append(reminder)
    return sent
