"""SOP runs as the engine (`sop.runs`) leaves them: the steps of the real definitions one after another, each
due by its Waktu in the organisation's working calendar (`sop.calendar.due_at`), done by a person holding its
role (most within their time, some late, reminded and escalated by `sop.overdue`), by the system for a step
whose SOP names an automation, or by the requester for an external first step; a run still open when the
month ends stays open at its current step.

A `Walk` keeps the rows it made and the activity entries to write once the rows have their keys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext as _

from jagaweb.demo.month.base import Fill
from jagaweb.inventory.models import Organisation, Site
from jagaweb.monitor.choices import Status
from jagaweb.people.choices import STAFF_KINDS, RoleKind
from jagaweb.sop import verbs
from jagaweb.sop.calendar import WorkingCalendar, add_working_time, due_at, next_working_day, working_time_between
from jagaweb.sop.choices import (
    AutomationKind,
    AutomationState,
    Decision,
    EvidenceKind,
    RunState,
    StartKind,
    StepState,
    Symbol,
)
from jagaweb.sop.definitions import SopDefinition, Step, get_definition
from jagaweb.sop.models import Evidence, Run, RunStep, calendar_for
from jagaweb.sop.overdue import ESCALATE_AFTER
from jagaweb.sop.runs import local_text, new_step, word

Actor = User | str  # a person, or the name of a system job
AUTOMATION = "sop.automation"
# How many SOP steps one person completes on a working day at most: a large inventory opens more cases than a
# handful of people close, and the rest wait (overdue, escalated) as they would.
STEPS_PER_PERSON_A_DAY = 3
OVERDUE = "sop.overdue"
NEXT_UP = {RoleKind.OPERATOR: RoleKind.SUPERVISOR, RoleKind.SUPERVISOR: RoleKind.EXECUTIVE}


def label_of(actor: Actor) -> str:
    return f"sistem:{actor}" if isinstance(actor, str) else actor.get_username()


def person_of(actor: Actor) -> User | None:
    return None if isinstance(actor, str) else actor


@dataclass
class Done:
    """How a step ends: when, by whom, with which note and decision."""

    at: datetime
    by: Actor
    note: str = ""
    decision: str = ""


@dataclass
class Plan:
    """One run to walk: what starts it, and how its steps go (hooks see each completed step)."""

    definition: SopDefinition
    organisation: Organisation
    site: Site | None
    start: datetime
    starter: Actor
    title: str
    via: str = StartKind.EVENT
    event: str = ""
    source: models.Model | None = None
    entry: int | None = None
    external: Actor | None = None  # who does a step of an external performer (the complainant's form)
    notes: dict[int, str] = field(default_factory=dict)  # step number -> the note its performer writes
    decide: Callable[[Step], str] = lambda step: Decision.YES
    automation_ok: Callable[[Step, datetime], bool] = lambda step, at: True
    slow: set[int] = field(default_factory=set)  # steps that take far longer than their Waktu
    urgent: bool = False  # people make time for it whatever else waits (a complaint, an attack, a letter)
    on_done: Callable[[RunStep, Done], None] = lambda step, done: None
    on_external: Callable[[RunStep, datetime], None] = lambda step, at: None


class Walk:
    def __init__(self, fill: Fill) -> None:
        self.fill = fill
        self.runs: list[Run] = []
        self.steps: list[RunStep] = []
        self.evidence: list[Evidence] = []
        self.later: list[Callable[[], None]] = []  # activity entries, written once every row has its key
        self.sources: list[tuple[Run, models.Model]] = []  # named once the source has its key
        self.calendars: dict[int, WorkingCalendar] = {}
        self.room: dict[date, int] = {}  # SOP steps people can still complete on each day

    def calendar(self, organisation: Organisation) -> WorkingCalendar:
        if organisation.pk not in self.calendars:
            self.calendars[organisation.pk] = calendar_for(organisation)
        return self.calendars[organisation.pk]

    def log(self, verb: str, at: datetime, actor: Actor, run: Run, target: models.Model | None = None,
            **data: Any) -> None:
        """An entry as `sop.runs.log` writes it (about the run's site and organisation)."""
        events = self.fill.events
        details = {"site": run.site, "organisation": run.organisation, "target": target or run,
                   "sop": run.definition_name, **data}
        if isinstance(actor, str):
            self.later.append(lambda: events.system(verb, at, actor, **details))
        else:
            self.later.append(lambda: events.person(verb, at, actor, **details))

    def walk(self, plan: Plan) -> Run:
        definition, fill = plan.definition, self.fill
        run = Run(definition_name=definition.name, definition_digest=definition.digest, title=plan.title[:300],
                  organisation=plan.organisation, site=plan.site, state=RunState.OPEN, started_via=plan.via,
                  trigger_event=plan.event, started_by=person_of(plan.starter), started_by_label=label_of(plan.starter),
                  started_at=plan.start)
        self.runs.append(run)
        if plan.source is not None:
            self.sources.append((run, plan.source))
        step = definition.step(plan.entry) if plan.entry else definition.start
        self.log(verbs.RUN_STARTED, plan.start, plan.starter, run, kind=word(StartKind(plan.via).label),
                 step=step.number)
        opener, moment = plan.starter, plan.start
        while True:
            opened = self.open_step(run, step, moment, opener)
            done = self.finish_step(plan, step, opened)
            self.overdue(run, opened, done.at if done else fill.month.end)
            if done is None:
                return run
            self.complete(run, opened, done, plan)
            target = self.following(step, done.decision)
            if target is None:
                run.state, run.finished_at = RunState.DONE, done.at
                self.log(verbs.RUN_FINISHED, done.at, done.by, run, step=opened.number)
                plan.on_done(opened, done)
                return run
            plan.on_done(opened, done)
            step, opener, moment = definition.step(target), done.by, done.at

    def name_sources(self) -> None:
        """What started each run, once those records are saved."""
        for run, source in self.sources:
            run.source_type = ContentType.objects.get_for_model(source)
            run.source_id, run.source_label = str(source.pk), str(source)[:300]

    def save(self) -> None:
        """The runs, their steps and evidence, then the activity entries (the runs' sources are saved already)."""
        self.name_sources()
        self.fill.save(Run, self.runs)
        self.fill.save(RunStep, self.steps)
        self.fill.save(Evidence, self.evidence)
        for entry in self.later:
            entry()
        self.fill.counts.sop_runs += len(self.runs)
        self.fill.counts.sop_steps += len(self.steps)

    @staticmethod
    def following(step: Step, decision: str) -> int | None:
        """`sop.runs.following`: the step after this one for the decision (None: the run ends)."""
        if step.symbol == Symbol.DECISION:
            return step.yes if decision == Decision.YES else step.no
        return None if step.symbol == Symbol.END else step.next

    def open_step(self, run: Run, step: Step, at: datetime, opener: Actor) -> RunStep:
        definition = self.definition_of(run)
        performer = definition.performer_of(step)
        waktu = step.waktu
        opened = new_step(run, definition, step, at)
        if waktu is not None:
            opened.due_at = due_at(at, float(waktu.value), waktu.unit, self.calendar(run.organisation))
        self.steps.append(opened)
        self.log(verbs.STEP_OPENED, at, opener, run, opened, step=step.number, performer=performer.label,
                 due=local_text(opened.due_at))
        return opened

    @staticmethod
    def definition_of(run: Run) -> SopDefinition:
        return get_definition(run.definition_name)

    def finish_step(self, plan: Plan, step: Step, opened: RunStep) -> Done | None:
        """When and by whom the step is done; None when it is still to do at the month's end."""
        fill, rng = self.fill, self.fill.rng
        if self.definition_of(opened.run).performer_of(step).external and plan.external is not None:
            plan.on_external(opened, opened.started_at)
            return Done(opened.started_at, plan.external, plan.notes.get(step.number, ""))
        if step.automations:
            ran = opened.started_at + timedelta(seconds=rng.uniform(20, 70))
            if not fill.month.contains(ran):
                return None
            ok = self.automate(opened, step, ran, plan.automation_ok(step, ran))
            if ok:
                return Done(ran, AUTOMATION, "\n".join(item.label for item in self.evidence_of(opened)))
        calendar = self.calendar(plan.organisation)
        allowed = (working_time_between(opened.started_at, opened.due_at, calendar) if opened.due_at is not None
                   else timedelta(hours=rng.uniform(0.3, 3)))
        allowed = max(allowed, timedelta(minutes=1))
        punctual = 0.85 if allowed >= timedelta(hours=1) else 0.45
        factor = rng.uniform(0.15, 0.95) if rng.random() < punctual else rng.uniform(1.2, 4.0)
        if step.number in plan.slow:
            factor = rng.uniform(8, 12)
        wanted = add_working_time(opened.started_at, allowed * factor, calendar)
        done_at = self.taken(wanted) if plan.urgent else self.when_free(wanted, calendar)
        if done_at is None:
            return None
        kind = opened.role_kind if opened.role_kind in STAFF_KINDS else RoleKind.OPERATOR
        decision = plan.decide(step) if step.symbol == Symbol.DECISION else ""
        return Done(done_at, fill.people.pick(rng, kind), plan.notes.get(step.number, ""), decision)

    def taken(self, at: datetime) -> datetime | None:
        """An urgent step done at `at` (inside the month), using up some of that day's time."""
        if not self.fill.month.contains(at):
            return None
        day = self.fill.month.day_of(at)
        self.room[day] = self.room.get(day, STEPS_PER_PERSON_A_DAY * len(self.fill.people.users)) - 1
        return at

    def when_free(self, wanted: datetime, calendar: WorkingCalendar) -> datetime | None:
        """The moment someone gets to a step meant to be done at `wanted`: then, or early on the next working day
        when that day's steps are used up; None when that one is full too (the step waits, overdue, as a backlog
        of a busy month does) or the month has ended."""
        month = self.fill.month
        day = month.day_of(wanted)
        for _try in range(2):
            if not month.contains(wanted):
                return None
            if day not in self.room:
                self.room[day] = STEPS_PER_PERSON_A_DAY * len(self.fill.people.users)
            if self.room[day] > 0:
                self.room[day] -= 1
                return wanted
            day = next_working_day(day, calendar)
            wanted = add_working_time(datetime.combine(day, time.min, tzinfo=month.zone),
                                      timedelta(minutes=self.fill.rng.uniform(5, 120)), calendar)
        return None

    def evidence_of(self, opened: RunStep) -> list[Evidence]:
        return [item for item in self.evidence if item.step is opened]

    def automate(self, opened: RunStep, step: Step, at: datetime, ok: bool) -> bool:
        """`sop.automations.run_automations`: evidence and an entry per automation; the step goes on by itself
        when every result is good."""
        run = opened.run
        results = []
        for automation in step.automations:
            good = ok or automation.kind == AutomationKind.BACKUP_RUN
            results.append(good)
            label = automation_label(str(automation.kind), run, good, self.fill)
            self.evidence.append(Evidence(step=opened, kind=EvidenceKind.SYSTEM, label=label[:300], ok=good,
                                          data={"status": Status.UP if good else Status.DOWN},
                                          added_by_label=label_of(AUTOMATION), added_at=at))
            self.log(verbs.EVIDENCE_ADDED, at, AUTOMATION, run, opened, step=opened.number, label=label[:300])
            self.log(verbs.AUTOMATION_RAN, at, AUTOMATION, run, opened, step=opened.number,
                     kind=word(AutomationKind(automation.kind).label), result=label)
        success = all(results)
        opened.automation_state = AutomationState.SUCCEEDED if success else AutomationState.FAILED
        return success

    def complete(self, run: Run, opened: RunStep, done: Done, plan: Plan) -> None:
        opened.state, opened.completed_at = StepState.DONE, done.at
        opened.note, opened.decision = done.note, done.decision
        opened.completed_by, opened.completed_by_label = person_of(done.by), label_of(done.by)
        if done.decision:
            self.log(verbs.STEP_DECIDED, done.at, done.by, run, opened, step=opened.number,
                     kind=word(Decision(done.decision).label))
        else:
            self.log(verbs.STEP_COMPLETED, done.at, done.by, run, opened, step=opened.number,
                     activity=opened.activity[:200])

    def overdue(self, run: Run, opened: RunStep, until: datetime) -> None:
        """`sop.overdue` (every five minutes): a reminder once the step is late, an escalation a working hour on."""
        if opened.due_at is None or until <= opened.due_at:
            return
        reminded = opened.due_at + timedelta(minutes=self.fill.rng.uniform(0.5, 5))
        if reminded >= until or not self.fill.month.contains(reminded):
            return
        opened.reminded_at = reminded
        self.log(verbs.STEP_REMINDED, reminded, OVERDUE, run, opened, step=opened.number,
                 due=local_text(opened.due_at), audience=self.fill.people.names(opened.role_kind))
        grace = add_working_time(opened.due_at, ESCALATE_AFTER, self.calendar(run.organisation))
        escalated = max(grace, reminded) + timedelta(minutes=self.fill.rng.uniform(0.5, 5))
        if escalated >= until or not self.fill.month.contains(escalated):
            return
        target = escalation_target(opened)
        opened.escalated_at, opened.escalated_to = escalated, target
        self.log(verbs.STEP_ESCALATED, escalated, OVERDUE, run, opened, step=opened.number,
                 due=local_text(opened.due_at), kind=word(RoleKind(target).label))


def escalation_target(step: RunStep) -> str:
    """`sop.overdue.escalation_target` with the built-in ranks: the next staff role up, the executives at the top,
    the operators for a role outside the staff ladder."""
    if step.escalation_kind:
        return step.escalation_kind
    if step.role_kind not in STAFF_KINDS:
        return RoleKind.OPERATOR
    return NEXT_UP.get(RoleKind(step.role_kind), RoleKind.EXECUTIVE)


def automation_label(kind: str, run: Run, ok: bool, fill: Fill) -> str:
    if kind == AutomationKind.MONITOR_CHECK_NOW:
        status = Status.UP if ok else Status.DOWN
        message = _("HTTP %(status)s in %(ms)s ms") % {"status": 200 if ok else 503,
                                                       "ms": f"{fill.rng.uniform(80, 600):.0f}"}
        return _("%(check)s: %(status)s %(message)s") % {"check": "Beranda", "status": status.label,
                                                         "message": message}
    if kind == AutomationKind.BACKUP_RUN:
        files, size = fill.rng.randint(2000, 40000), fill.rng.uniform(0.2, 6)
        return _("Backup: %(summary)s") % {"summary": f"{files} files, {size:.1f} GB, "
                                                      f"{fill.rng.uniform(2, 90):.1f} MB new"}
    if kind == AutomationKind.GUARD_CHECK:
        return _("Guard check: %(summary)s") % {"summary": "clean" if ok else "2 judol"}
    return str(AutomationKind(kind).label)
