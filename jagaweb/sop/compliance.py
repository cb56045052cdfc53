"""Compliance with the SOPs' time standards, per SOP and period: how many runs started, the share of steps done
within their Waktu, the average working time each step took against the time it was allowed, and the steps
open past their due time now.

Durations are working time (the organisation's calendar), without the time a step waited for the requester;
"allowed" is the working time from a step's start to its due time, so a Waktu in calendar days is compared
on the same footing. A step counts in the period it was completed in; a run in the period it started in.
The pages, the API and the reports all call `compliance()` / `compliance_all()`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from jagaweb.inventory.models import Organisation
from jagaweb.sop.calendar import WorkingCalendar, working_time_between
from jagaweb.sop.choices import RunState, StepState
from jagaweb.sop.definitions import definitions
from jagaweb.sop.models import Run, RunStep, calendar_for


@dataclass
class StepFigures:
    number: int
    activity: str
    performer: str
    waktu: str
    done: int = 0
    timed: int = 0  # done steps that had a due time
    within: int = 0
    total_taken: timedelta = timedelta(0)
    total_allowed: timedelta = timedelta(0)

    @property
    def share_within(self) -> float | None:
        return self.within / self.timed if self.timed else None

    @property
    def average_taken(self) -> timedelta | None:
        return self.total_taken / self.done if self.done else None

    @property
    def average_allowed(self) -> timedelta | None:
        return self.total_allowed / self.timed if self.timed else None


@dataclass
class Compliance:
    definition: str
    title: str
    start: datetime
    end: datetime
    runs: int = 0
    finished: int = 0
    steps: list[StepFigures] = field(default_factory=list)
    overdue: list[RunStep] = field(default_factory=list)

    @property
    def steps_done(self) -> int:
        return sum(figures.done for figures in self.steps)

    @property
    def timed(self) -> int:
        return sum(figures.timed for figures in self.steps)

    @property
    def within(self) -> int:
        return sum(figures.within for figures in self.steps)

    @property
    def share_within(self) -> float | None:
        return self.within / self.timed if self.timed else None


class Calendars:
    """One working calendar per organisation for the whole computation."""

    def __init__(self) -> None:
        self.cached: dict[int, WorkingCalendar] = {}

    def of(self, organisation_id: int) -> WorkingCalendar:
        if organisation_id not in self.cached:
            self.cached[organisation_id] = calendar_for(Organisation.objects.filter(pk=organisation_id).first())
        return self.cached[organisation_id]


@dataclass(frozen=True)
class DoneStep:
    """What the figures need of a completed step (read as plain values: reports cover many thousands)."""

    number: int
    activity: str
    performer_label: str
    waktu_text: str
    started_at: datetime
    due_at: datetime | None
    completed_at: datetime
    paused_for: timedelta
    organisation_id: int

    @property
    def within_time(self) -> bool:
        return self.due_at is not None and self.completed_at <= self.due_at


DONE_FIELDS = ("number", "activity", "performer_label", "waktu_text", "started_at", "due_at", "completed_at",
               "paused_for", "run__organisation_id")


def taken_and_allowed(step: DoneStep, calendar: WorkingCalendar) -> tuple[timedelta, timedelta | None]:
    taken = working_time_between(step.started_at, step.completed_at, calendar) - step.paused_for
    allowed = None
    if step.due_at is not None:
        allowed = working_time_between(step.started_at, step.due_at, calendar) - step.paused_for
    return max(taken, timedelta(0)), max(allowed, timedelta(0)) if allowed is not None else None


def compliance(definition_name: str, start: datetime, end: datetime, *, runs: QuerySet[Run] | None = None,
               now: datetime | None = None, calendars: Calendars | None = None) -> Compliance:
    """The figures of one SOP for steps completed (and runs started) in [start, end); `runs` narrows the runs
    counted (a user's visible runs, one site's)."""
    now = now or timezone.now()
    calendars = calendars or Calendars()
    base = (runs if runs is not None else Run.objects.all()).filter(definition_name=definition_name)
    definition = definitions().get(definition_name)
    report = Compliance(definition_name, definition.header.nama if definition else definition_name, start, end)
    started = base.filter(started_at__gte=start, started_at__lt=end)
    report.runs = started.count()
    report.finished = started.filter(state=RunState.DONE).count()
    by_number: dict[int, StepFigures] = {}
    if definition is not None:
        for defined in definition.steps:
            performer = definition.performer_of(defined).label
            by_number[defined.number] = StepFigures(defined.number, defined.activity, performer,
                                                    str(defined.waktu) if defined.waktu else "")
    done = RunStep.objects.filter(run__in=base, state=StepState.DONE, completed_at__gte=start,
                                  completed_at__lt=end).order_by("pk").values_list(*DONE_FIELDS)
    extra: dict[int, StepFigures] = defaultdict(lambda: StepFigures(0, "", "", ""))
    for row in done.iterator(chunk_size=5000):
        step = DoneStep(*row)
        figures = by_number.get(step.number)
        if figures is None:  # a step of an older version of the definition
            figures = extra[step.number]
            figures.number, figures.activity, figures.performer = step.number, step.activity, step.performer_label
            figures.waktu = step.waktu_text
        taken, allowed = taken_and_allowed(step, calendars.of(step.organisation_id))
        figures.done += 1
        figures.total_taken += taken
        if allowed is not None:
            figures.timed += 1
            figures.total_allowed += allowed
            figures.within += step.within_time
    report.steps = sorted([*by_number.values(), *extra.values()], key=lambda figures: figures.number)
    report.overdue = list(RunStep.objects.filter(run__in=base, run__state=RunState.OPEN, state=StepState.OPEN,
                                                 due_at__lt=now).select_related("run", "run__site")
                          .order_by("due_at", "pk"))
    return report


def compliance_all(start: datetime, end: datetime, *, runs: QuerySet[Run] | None = None,
                   now: datetime | None = None) -> list[Compliance]:
    """Every SOP in use, and every SOP that still has runs in `runs`, by name."""
    base = runs if runs is not None else Run.objects.all()
    names = set(definitions()) | set(base.values_list("definition_name", flat=True).distinct())
    calendars = Calendars()
    return [compliance(name, start, end, runs=base, now=now, calendars=calendars) for name in sorted(names)]
