"""Overdue steps: the people who should do one are reminded once; if it is still open a working hour after
its due time, it escalates to the step's escalation role or, by default, the next role up (operator ->
supervisor -> executive, by the roles' ranks). Both go out through `notify` and into the activity log.

A step waiting for the requester is never overdue: its clock stands still.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jagaweb.activity.choices import Severity
from jagaweb.activity.log import SystemJob
from jagaweb.notify.dispatch import notify
from jagaweb.notify.models import Message
from jagaweb.people.choices import RoleKind
from jagaweb.sop import verbs
from jagaweb.sop.assignment import assignees, next_role_up
from jagaweb.sop.calendar import WorkingCalendar, add_working_time
from jagaweb.sop.choices import RunState, StepState
from jagaweb.sop.models import RunStep, calendar_for
from jagaweb.sop.runs import local_text, log, word

ACTOR = SystemJob("sop.overdue")
# Time to act on the reminder before the step goes up a level, counted in working time after the due time.
ESCALATE_AFTER = timedelta(hours=1)


@dataclass
class Pass:
    reminded: int = 0
    escalated: int = 0

    def __str__(self) -> str:
        return f"{self.reminded} reminded, {self.escalated} escalated"


def names(step: RunStep) -> str:
    people = assignees(step)
    return ", ".join(person.get_full_name() or person.get_username() for person in people) or _("nobody holds the role")


def step_text(step: RunStep) -> str:
    run = step.run
    where = run.site.name if run.site is not None else run.organisation.name
    return (f"{run.title}\n{_('Step')} {step.number}: {step.activity}\n{_('Performer')}: {step.performer_label}\n"
            f"{_('Due')}: {local_text(step.due_at)} ({step.waktu_text})\n{where}")


def remind(step: RunStep, now: datetime) -> Message:
    """Tell the step's people it is overdue (once)."""
    audience = names(step)
    message = notify(
        _("SOP step overdue: %(sop)s step %(step)s") % {"sop": step.run.definition_name, "step": step.number},
        "\n".join([step_text(step), _("Assigned to: %(people)s") % {"people": audience}]),
        severity=Severity.WARNING, site=step.run.site,
        organisation=step.run.organisation, audience=[step.role_kind] if step.role_kind else None,
    )
    step.reminded_at = now
    step.save(update_fields=["reminded_at"])
    log(verbs.STEP_REMINDED, step.run, ACTOR, target=step, step=step.number, due=local_text(step.due_at),
        audience=audience)
    return message


def escalation_target(step: RunStep) -> str:
    """The role kind the step escalates to; at the top of the ladder, the executives are told again."""
    if step.escalation_kind:
        return step.escalation_kind
    return next_role_up(step.role_kind) or str(RoleKind.EXECUTIVE)


def escalate(step: RunStep, now: datetime) -> Message:
    """Hand the overdue step to the next role up: its holders may now do it too, and are told so."""
    target = escalation_target(step)
    message = notify(
        _("SOP step escalated: %(sop)s step %(step)s") % {"sop": step.run.definition_name, "step": step.number},
        "\n".join([step_text(step), _("Reminded: %(when)s; still open: %(people)s") % {
            "when": local_text(step.reminded_at), "people": names(step)}]),
        severity=Severity.WARNING, site=step.run.site, organisation=step.run.organisation, audience=[target],
    )
    step.escalated_at, step.escalated_to = now, target
    step.save(update_fields=["escalated_at", "escalated_to"])
    log(verbs.STEP_ESCALATED, step.run, ACTOR, target=step, step=step.number, due=local_text(step.due_at),
        kind=word(RoleKind(target).label))
    return message


def overdue_pass(now: datetime | None = None) -> Pass:
    """One pass over the overdue steps: remind the ones not reminded, escalate the reminded ones whose grace has
    passed. One action per step per pass, so a reminder always comes before the escalation."""
    now = now or timezone.now()
    done = Pass()
    overdue = RunStep.objects.filter(state=StepState.OPEN, run__state=RunState.OPEN, due_at__lt=now,
                                     escalated_at__isnull=True).select_related("run", "run__site", "run__organisation")
    calendars: dict[int, WorkingCalendar] = {}
    for step in overdue.order_by("due_at", "pk"):
        assert step.due_at is not None
        organisation = step.run.organisation
        if organisation.pk not in calendars:
            calendars[organisation.pk] = calendar_for(organisation)
        with transaction.atomic():
            if step.reminded_at is None:
                remind(step, now)
                done.reminded += 1
            elif now >= add_working_time(step.due_at, ESCALATE_AFTER, calendars[organisation.pk]):
                escalate(step, now)
                done.escalated += 1
    return done
