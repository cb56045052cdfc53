"""The SOP engine: start a run, complete or decide its steps, wait for the requester, assign, cancel.

Every function takes the actor (a user, or `SystemJob` for the scheduler, an automation, the CLI) and an
optional `now`, so that tests and the overdue job can fix the time. Who may act is the caller's check
(`sop.assignment.can_act`); the engine checks that the step is open and the decision fits its symbol.

A step's due time is its Waktu counted from the moment it opened in the working calendar of the run's
organisation (`sop.calendar`); waiting for the requester moves it back by the working time waited.
Other parts of the app follow a run through `STEP_HOOKS` (called after each completed step, in the same
transaction): cases fill in their analysis, solution, ... and requests their agenda, decision, ...
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jagaweb.activity.log import Actor, SystemJob, actor_label, record
from jagaweb.inventory.models import Organisation, Site
from jagaweb.sop import verbs
from jagaweb.sop.calendar import add_working_time, due_at, postponed, working_time_between
from jagaweb.sop.choices import AutomationState, Decision, RunState, StartKind, StepState, Symbol, TriggerEvent
from jagaweb.sop.definitions import SopDefinition, Step, get_definition
from jagaweb.sop.models import Run, RunStep, StepPause, calendar_for

StepHook = Callable[[RunStep, Actor], None]
STEP_HOOKS: list[StepHook] = []


class RunError(Exception):
    """A transition the run cannot make (the step is closed, a decision is missing, ...); the message says why."""


def on_step_completed(hook: StepHook) -> StepHook:
    """Register `hook(step, actor)`, called after every completed step (the run may have finished)."""
    STEP_HOOKS.append(hook)
    return hook


def word(label: Any) -> str:
    """A choice's label as stored in the activity log: English, shown in the reader's language under the
    event's "kind" key (activity.verbs.TRANSLATED_KEYS)."""
    with translation.override(None):
        return str(label)


def is_person(actor: Actor) -> bool:
    return not isinstance(actor, SystemJob) and bool(getattr(actor, "is_authenticated", False))


def person(actor: Actor) -> Any:
    """The user behind `actor`, for a "by whom" foreign key (None for the system and the anonymous)."""
    return actor if is_person(actor) else None


def local_text(moment: datetime | None) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment is not None else "-"


def definition_of(run: Run) -> SopDefinition:
    try:
        return get_definition(run.definition_name)
    except KeyError:
        raise RunError(_("The SOP %(name)s is no longer defined.") % {"name": run.definition_name}) from None


def log(verb: str, run: Run, actor: Actor, target: models.Model | None = None, **data: Any) -> None:
    record(verb, actor=actor, site=run.site, organisation=run.organisation, target=target or run,
           sop=run.definition_name, **data)


def start_run(definition: SopDefinition | str, actor: Actor, *, site: Site | None = None,
              organisation: Organisation | None = None, via: str = StartKind.MANUAL, event: str = "",
              source: models.Model | None = None, title: str = "", at_step: int | None = None,
              now: datetime | None = None) -> Run:
    """Start a run of `definition` for a site (or an organisation) and open its first step: the start, the step
    the event's trigger names, or `at_step`."""
    now = now or timezone.now()
    if isinstance(definition, str):
        definition = get_definition(definition)
    organisation = organisation or (site.organisation if site is not None else None)
    if organisation is None:
        raise RunError(_("A run needs a site or an organisation."))
    entry = pick_entry(definition, event, at_step)
    with transaction.atomic():
        run = Run.objects.create(
            definition_name=definition.name, definition_digest=definition.digest, organisation=organisation,
            site=site, title=(title or run_title(definition, site, organisation))[:300], started_via=via,
            trigger_event=event, started_by=person(actor),
            started_by_label=actor_label(actor), started_at=now,
            source_type=ContentType.objects.get_for_model(source) if source is not None else None,
            source_id=str(source.pk) if source is not None else "",
            source_label=str(source)[:300] if source is not None else "",
        )
        log(verbs.RUN_STARTED, run, actor, kind=word(StartKind(via).label), step=entry.number)
        open_step(run, definition, entry, actor, now)
    return run


def pick_entry(definition: SopDefinition, event: str, at_step: int | None) -> Step:
    if at_step is not None:
        try:
            return definition.step(at_step)
        except KeyError:
            raise RunError(_("%(sop)s has no step %(step)s.") % {"sop": definition.name, "step": at_step}) from None
    if event and event != TriggerEvent.SCHEDULE:
        return definition.entry_step(event) or definition.start
    return definition.start


def run_title(definition: SopDefinition, site: Site | None, organisation: Organisation) -> str:
    return f"{definition.header.nama} · {site.name if site is not None else organisation.name}"


def due_for(step: RunStep) -> datetime | None:
    """The step's due time from its start, its Waktu and the working time it has waited (None: no Waktu).
    Also for an administrator who corrects a step's start, or after the calendar changed."""
    if step.waktu_value is None or not step.waktu_unit:
        return None
    calendar = calendar_for(step.run.organisation)
    due = due_at(step.started_at, float(step.waktu_value), step.waktu_unit, calendar)
    return add_working_time(due, step.paused_for, calendar) if step.paused_for else due


def new_step(run: Run, definition: SopDefinition, step: Step, started_at: datetime) -> RunStep:
    """The unsaved run step for the definition's `step`, started at `started_at` (its due time not yet set)."""
    performer = definition.performer_of(step)
    escalation = definition.performers[step.escalation].role if step.escalation else None
    waktu = step.waktu
    return RunStep(
        run=run, number=step.number, activity=step.activity, symbol=step.symbol, performer=performer.id,
        performer_label=performer.label, role_kind=performer.role or "", escalation_kind=escalation or "",
        output=step.output, waktu_value=waktu.value if waktu else None, waktu_unit=waktu.unit if waktu else "",
        waktu_text=str(waktu) if waktu else "", waits_for_requester=step.waits_for_requester, started_at=started_at,
        automations=[str(automation.kind) for automation in step.automations],
        automation_state=AutomationState.PENDING if step.automations else AutomationState.NONE,
    )


def open_step(run: Run, definition: SopDefinition, step: Step, actor: Actor, now: datetime) -> RunStep:
    performer = definition.performer_of(step)
    opened = new_step(run, definition, step, now)
    opened.due_at = due_for(opened)
    opened.save()
    log(verbs.STEP_OPENED, run, actor, target=opened, step=step.number, performer=performer.label,
        due=local_text(opened.due_at))
    return opened


def locked(step: RunStep) -> RunStep:
    """The step read again under a row lock, so that two people completing it at once cannot both succeed."""
    # Only the step's own row: PostgreSQL cannot lock the nullable side of a join (a run without a site).
    return RunStep.objects.select_for_update().get(pk=step.pk)


def complete_step(step: RunStep, actor: Actor, *, note: str = "", decision: str = "",
                  now: datetime | None = None) -> RunStep | None:
    """Complete `step` (a decision step needs `decision` yes or no) and open the one that follows; returns the
    new open step, or None when the run has reached its end."""
    now = now or timezone.now()
    with transaction.atomic():
        step = locked(step)
        run = step.run
        if not step.is_open or not run.is_open:
            raise RunError(_("Step %(step)s is not open any more.") % {"step": step.number})
        definition = definition_of(run)
        try:
            defined = definition.step(step.number)
        except KeyError:
            raise RunError(_("%(sop)s has no step %(step)s any more.") % {
                "sop": definition.name, "step": step.number}) from None
        target = following(defined, decision)
        if step.state == StepState.WAITING:
            end_pause(step, now)
        step.state, step.completed_at, step.note, step.decision = StepState.DONE, now, note, decision
        step.completed_by = person(actor)
        step.completed_by_label = actor_label(actor)
        step.save()
        if decision:
            log(verbs.STEP_DECIDED, run, actor, target=step, step=step.number, kind=word(Decision(decision).label))
        else:
            log(verbs.STEP_COMPLETED, run, actor, target=step, step=step.number, activity=step.activity[:200])
        following_step = None
        if target is None:
            finish(run, step, actor, now)
        else:
            following_step = open_step(run, definition, definition.step(target), actor, now)
        for hook in STEP_HOOKS:
            hook(step, actor)
    return following_step


def following(step: Step, decision: str) -> int | None:
    """The number of the step after `step` for this decision (None: the run ends)."""
    if step.symbol == Symbol.DECISION:
        if decision not in Decision.values:
            raise RunError(_("Step %(step)s is a decision: answer yes or no.") % {"step": step.number})
        return step.yes if decision == Decision.YES else step.no
    if decision:
        raise RunError(_("Step %(step)s is not a decision.") % {"step": step.number})
    return None if step.symbol == Symbol.END else step.next


def finish(run: Run, last: RunStep, actor: Actor, now: datetime) -> None:
    run.state, run.finished_at = RunState.DONE, now
    run.save(update_fields=["state", "finished_at"])
    log(verbs.RUN_FINISHED, run, actor, step=last.number)


def cancel_run(run: Run, actor: Actor, reason: str, now: datetime | None = None) -> Run:
    now = now or timezone.now()
    with transaction.atomic():
        run = Run.objects.select_for_update().get(pk=run.pk)
        if not run.is_open:
            raise RunError(_("The run is not in progress."))
        for step in run.steps.filter(state__in=(StepState.OPEN, StepState.WAITING)):
            if step.state == StepState.WAITING:
                end_pause(step, now)
            step.state = StepState.CANCELLED
            step.save(update_fields=["state"])
        run.state, run.finished_at = RunState.CANCELLED, now
        run.save(update_fields=["state", "finished_at"])
        log(verbs.RUN_CANCELLED, run, actor, reason=reason[:300])
    return run


def pause_step(step: RunStep, actor: Actor, reason: str = "", now: datetime | None = None) -> StepPause:
    """Stop the step's clock while it waits for the requester (only a step the SOP says waits for one)."""
    now = now or timezone.now()
    with transaction.atomic():
        step = locked(step)
        if step.state != StepState.OPEN:
            raise RunError(_("Only an open step can wait for the requester."))
        if not step.waits_for_requester:
            raise RunError(_("The SOP does not let step %(step)s wait for the requester.") % {"step": step.number})
        pause = StepPause.objects.create(step=step, started_at=now, reason=reason[:300],
                                         started_by_label=actor_label(actor))
        step.state = StepState.WAITING
        step.save(update_fields=["state"])
        log(verbs.STEP_PAUSED, step.run, actor, target=step, step=step.number, reason=reason[:300] or "-")
    return pause


def resume_step(step: RunStep, actor: Actor, now: datetime | None = None) -> RunStep:
    """The requester answered: the clock runs again, and the due time moves back by the working time waited."""
    now = now or timezone.now()
    with transaction.atomic():
        step = locked(step)
        if step.state != StepState.WAITING:
            raise RunError(_("Step %(step)s is not waiting for the requester.") % {"step": step.number})
        end_pause(step, now)
        step.state = StepState.OPEN
        step.save()
        log(verbs.STEP_RESUMED, step.run, actor, target=step, step=step.number, due=local_text(step.due_at))
    return step


def end_pause(step: RunStep, now: datetime) -> None:
    """Close the step's open pause and move its due time (the caller saves the step)."""
    pause = step.pauses.filter(ended_at__isnull=True).order_by("-pk").first()
    if pause is None:
        return
    pause.ended_at = now
    pause.save(update_fields=["ended_at"])
    calendar = calendar_for(step.run.organisation)
    step.paused_for += working_time_between(pause.started_at, now, calendar)
    if step.due_at is not None:
        step.due_at = postponed(step.due_at, pause.started_at, now, calendar)


def assign_step(step: RunStep, assignee: Any, actor: Actor, now: datetime | None = None) -> RunStep:
    """Give the step to one person (None: back to everyone holding its role)."""
    with transaction.atomic():
        step = locked(step)
        if not step.is_open:
            raise RunError(_("Step %(step)s is not open any more.") % {"step": step.number})
        step.assignee = assignee
        step.save(update_fields=["assignee"])
        label = assignee.get_username() if assignee is not None else step.performer_label
        log(verbs.STEP_ASSIGNED, step.run, actor, target=step, step=step.number, assignee=label)
    return step
