"""Writing finished runs: results, the checks' new state, incidents and alerts, in one transaction a batch.

The state a run changes (streaks, sent notices, the open incident) is read inside the batch's
transaction, locked on PostgreSQL, so the engine, `run_now` from the web and heartbeat pings can
finish runs of the same check at the same time without losing a count.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, transaction

from jagaweb.monitor import alerts
from jagaweb.monitor.bulk import insert_rows, update_rows
from jagaweb.monitor.checks import kind_of
from jagaweb.monitor.checks.base import CheckSpec, Notice, Outcome
from jagaweb.monitor.choices import IncidentState, Status
from jagaweb.monitor.models import Check, Incident, Result
from jagaweb.monitor.transitions import Change, Streak, Thresholds, advance, notices_to_send
from jagaweb.monitor.windows import Windows

logger = logging.getLogger(__name__)

STATE_FIELDS = ["status", "message", "response_ms", "last_checked_at", "consecutive_failures",
                "consecutive_successes", "facts"]
RESULT_FIELDS = ["check_ref", "at", "status", "response_ms", "message"]


@dataclass(frozen=True)
class Finished:
    spec: CheckSpec
    outcome: Outcome
    at: datetime  # when the run finished: the result's time


@dataclass
class State:
    """A check's state inside the batch's transaction, changed run by run."""

    site_id: int
    streak: Streak
    thresholds: Thresholds
    notices_sent: dict[str, str]
    incident_id: int | None
    incident_silenced: bool
    fields: list[Any] = field(default_factory=list)  # STATE_FIELDS values after the last run
    baseline: dict[str, Any] | None = None  # set when a run recorded a new baseline
    notices_changed: bool = False

    @property
    def open_incident(self) -> int:
        assert self.incident_id is not None, "an incident event without an open incident"
        return self.incident_id


@dataclass
class Event:
    """Something to record and maybe alert, in the order the runs finished."""

    what: str  # "open", "resolve", "unsilence", "notice", "message"
    check_id: int
    at: datetime
    outcome: Outcome
    notice: Notice | None = None


@dataclass
class Written:
    results: int = 0
    opened: int = 0
    resolved: int = 0
    notices: int = 0


def load_states(ids: list[int]) -> dict[int, State]:
    checks = Check.objects.filter(pk__in=ids).order_by("pk")
    if connection.features.has_select_for_update:
        checks = checks.select_for_update(of=("self",))
    rows = checks.values_list(
        "id", "site_id", "consecutive_failures", "consecutive_successes", "notices_sent",
        "site__monitor_profile__failures_to_open", "site__monitor_profile__successes_to_resolve",
    )
    incidents = {
        check_id: (pk, silenced)
        for check_id, pk, silenced in Incident.objects.filter(check_ref_id__in=ids, state=IncidentState.OPEN)
        .values_list("check_ref_id", "pk", "silenced")
    }
    states = {}
    for pk, site_id, failures, successes, sent, to_open, to_resolve in rows:
        incident_id, silenced = incidents.get(pk, (None, False))
        states[pk] = State(
            site_id=site_id, streak=Streak(failures, successes, incident_id is not None),
            thresholds=Thresholds.of(to_open, to_resolve), notices_sent=sent or {},
            incident_id=incident_id, incident_silenced=silenced,
        )
    return states


def kind_notices(spec: CheckSpec, outcome: Outcome) -> list[Notice]:
    try:
        return list(kind_of(spec.kind).notices(spec, outcome))
    except Exception:
        # A kind's bug must cost its notices, not the batch (and with it every other check's results).
        logger.exception("check %s: notices of kind %s failed", spec.id, spec.kind)
        return []


def apply_run(state: State, done: Finished, events: list[Event]) -> None:
    outcome, check_id = done.outcome, done.spec.id
    streak, change = advance(state.streak, outcome.status, state.thresholds)
    state.streak = streak
    state.fields = [outcome.status, outcome.message[:500], outcome.response_ms, done.at, streak.failures,
                    streak.successes, outcome.facts]
    if outcome.new_baseline is not None:
        state.baseline = outcome.new_baseline
    if change is Change.OPEN:
        events.append(Event("open", check_id, done.at, outcome))
    elif change is Change.RESOLVE:
        events.append(Event("resolve", check_id, done.at, outcome))
    elif streak.incident_open and outcome.status == Status.DOWN:
        events.append(Event("unsilence" if state.incident_silenced else "message", check_id, done.at, outcome))
    notices = kind_notices(done.spec, outcome)
    if notices or state.notices_sent:
        sent, fresh = notices_to_send(state.notices_sent, notices, outcome.status, done.at)
        if sent != state.notices_sent:
            state.notices_sent, state.notices_changed = sent, True
        events.extend(Event("notice", check_id, done.at, outcome, notice) for notice in fresh)


class Alerter:
    """Loads what alerts need (checks with their sites, maintenance windows) only when a batch has any."""

    def __init__(self, events: list[Event], states: dict[int, State]) -> None:
        self.states = states
        ids = {event.check_id for event in events if event.what != "message"}
        self.checks = Check.objects.select_related("site__organisation").in_bulk(ids) if ids else {}
        times = [event.at for event in events]
        self.windows = Windows.between(min(times), max(times)) if ids else Windows([])
        self.written = Written()

    def handle(self, event: Event) -> None:
        state = self.states[event.check_id]
        message = event.outcome.message[:500]
        if event.what == "message":
            Incident.objects.filter(pk=state.open_incident).update(last_message=message)
            return
        check = self.checks[event.check_id]
        window = self.windows.covering(check.site, event.at)
        if event.what == "open":
            incident = Incident.objects.create(
                site_id=state.site_id, check_ref=check, opened_at=event.at, last_message=message,
                cause=message or str(Status(event.outcome.status).label), silenced=window is not None,
            )
            state.incident_id, state.incident_silenced = incident.pk, incident.silenced
            alerts.incident_opened(incident, check, window)
            self.written.opened += 1
        elif event.what == "resolve":
            incident = Incident.objects.get(pk=state.open_incident)
            incident.state, incident.resolved_at, incident.last_message = IncidentState.RESOLVED, event.at, message
            incident.save(update_fields=["state", "resolved_at", "last_message"])
            state.incident_id = None
            alerts.incident_resolved(incident, check, window)
            self.written.resolved += 1
        elif event.what == "unsilence":
            Incident.objects.filter(pk=state.open_incident).update(last_message=message)
            if window is None and state.incident_silenced:
                incident = Incident.objects.get(pk=state.open_incident)
                incident.silenced = state.incident_silenced = False
                incident.save(update_fields=["silenced"])
                alerts.incident_unsilenced(incident, check)
        elif event.notice is not None:
            alerts.notice_raised(event.notice, check, window)
            self.written.notices += 1


def write_batch(batch: Sequence[Finished]) -> Written:
    """Store a batch of finished runs; runs of checks deleted meanwhile are dropped."""
    if not batch:
        return Written()
    ordered = sorted(batch, key=lambda done: done.at)
    with transaction.atomic():
        states = load_states(sorted({done.spec.id for done in ordered}))
        events: list[Event] = []
        results = []
        for done in ordered:
            state = states.get(done.spec.id)
            if state is None:
                continue
            outcome = done.outcome
            results.append((done.spec.id, done.at, outcome.status, outcome.response_ms, outcome.message[:300]))
            apply_run(state, done, events)
        insert_rows(Result, RESULT_FIELDS, results)
        written = Written()
        if events:
            alerter = Alerter(events, states)
            for event in events:
                try:
                    with transaction.atomic():  # a savepoint: a failing alert costs only itself
                        alerter.handle(event)
                except Exception:
                    logger.exception("check %s: could not record the %s event", event.check_id, event.what)
            written = alerter.written
        ran = [pk for pk, state in states.items() if state.fields]
        update_rows(Check, STATE_FIELDS, [(pk, *states[pk].fields) for pk in ran])
        update_rows(Check, ["baseline"], [(pk, states[pk].baseline) for pk in ran if states[pk].baseline is not None])
        update_rows(Check, ["notices_sent"], [(pk, states[pk].notices_sent) for pk in ran
                                              if states[pk].notices_changed])
    written.results = len(results)
    return written
