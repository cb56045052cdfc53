"""Scheduled reports: which slot of a schedule is due, issuing it once, and sending it to the schedule's channels.

A slot is the local day a schedule fires on (every day, every Monday or every 1st, at its hour). The
monthly report of a slot covers the month before it, the daily log the day before it, and a situation
report the state at that moment. A unique (schedule, slot) row makes a slot issue once, whichever worker
gets there first; a slot from before the schedule existed is never issued.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from jagaweb.activity.log import SystemJob, record
from jagaweb.monitor.history import local_midnight
from jagaweb.notify.choices import MessageKind
from jagaweb.notify.dispatch import notify
from jagaweb.notify.transports.base import Attachment
from jagaweb.reports import verbs
from jagaweb.reports.choices import Cadence, ReportKind
from jagaweb.reports.models import Report, ReportSchedule

JOB = SystemJob("reports.issue_scheduled")


def latest_slot(schedule: ReportSchedule, now: datetime) -> date:
    local = timezone.localtime(now)
    day = local.date() if local.hour >= schedule.hour else local.date() - timedelta(days=1)
    if schedule.cadence == Cadence.WEEKLY:
        day -= timedelta(days=day.weekday())
    elif schedule.cadence == Cadence.MONTHLY:
        day = day.replace(day=1)
    return day


def slot_time(schedule: ReportSchedule, slot: date) -> datetime:
    return local_midnight(slot) + timedelta(hours=schedule.hour)


def due_slot(schedule: ReportSchedule, now: datetime) -> date | None:
    """The slot to issue now, or None when it was issued already or came before the schedule was made."""
    slot = latest_slot(schedule, now)
    if slot_time(schedule, slot) < schedule.created_at:
        return None
    if Report.objects.filter(schedule=schedule, slot=slot).exists():
        return None
    return slot


def period_of(kind: str, slot: date) -> dict[str, Any]:
    if kind == ReportKind.MONTHLY:
        last_month = slot.replace(day=1) - timedelta(days=1)
        return {"month": last_month.replace(day=1)}
    if kind == ReportKind.DAILY_LOG:
        return {"day": slot - timedelta(days=1)}
    return {}


def issue_slot(schedule: ReportSchedule, slot: date, now: datetime) -> Report | None:
    from jagaweb.reports.issue import issue_report

    try:
        return issue_report(schedule.kind, actor=JOB, organisation=schedule.organisation,
                            language=schedule.language, now=now, schedule=schedule, slot=slot,
                            **period_of(schedule.kind, slot))
    except IntegrityError:
        return None  # another worker issued this slot a moment ago


def send(report: Report, schedule: ReportSchedule) -> None:
    channels = list(schedule.channels.filter(enabled=True))
    if not channels or not report.pdf:
        return
    with report.pdf.open("rb") as stored:
        content = stored.read()
    name = f"{report.number.replace('/', '-')}.pdf"
    notify(report.title, _("%(title)s, %(pages)s pages, is attached.") % {"title": report.title,
                                                                          "pages": report.pages},
           organisation=report.organisation, kind=MessageKind.REPORT, channels=channels,
           attachment=Attachment(name, content, "application/pdf"))
    record(verbs.SENT, actor=JOB, organisation=report.organisation, target=report, report=report.title,
           channels=", ".join(channel.name for channel in channels))


def issue_due(now: datetime | None = None) -> list[Report]:
    now = now or timezone.now()
    issued = []
    for schedule in ReportSchedule.objects.filter(enabled=True).select_related("organisation"):
        slot = due_slot(schedule, now)
        if slot is None:
            continue
        report = issue_slot(schedule, slot, now)
        if report is None:
            continue
        if report.is_ready:
            send(report, schedule)
        issued.append(report)
    return issued
