"""Cases: a problem followed from its report (by staff, a public complaint, or automatically from monitoring,
the guard or the visitor logs) through analysis, solution, repair and verification to closure, carried out
by an SOP run.

The run's steps fill in the case: each completed step's note goes into the case field its step stands for
(`CASE_FIELDS`, by definition and step number; an institution's copy uses its original's table), and the
case closes when the run reaches its end.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from jagaweb.activity.log import Actor, actor_label, record
from jagaweb.inventory.models import Organisation, Site
from jagaweb.sop import verbs
from jagaweb.sop.choices import CaseOrigin, CaseState, StartKind, TriggerEvent
from jagaweb.sop.definitions import BUILTIN_NAMES, SopDefinition, definitions, definitions_started_by
from jagaweb.sop.models import Case, Run, RunStep
from jagaweb.sop.runs import RunError, on_step_completed, person, start_run, word

# The event each origin starts its SOP with; a complaint made by staff follows the complaint SOP too.
ORIGIN_EVENTS = {
    CaseOrigin.STAFF: TriggerEvent.COMPLAINT,
    CaseOrigin.COMPLAINT: TriggerEvent.COMPLAINT,
    CaseOrigin.MONITOR: TriggerEvent.INCIDENT,
    CaseOrigin.GUARD: TriggerEvent.GUARD_ALERT,
    CaseOrigin.LOGWATCH: TriggerEvent.LOGWATCH_ALERT,
}
CASE_FIELD_NAMES = ("analysis", "solution", "repair", "verification", "closure")
# Which case field each step's note fills, per built-in SOP (step numbers of the seed documents).
CASE_FIELDS: dict[str, dict[int, str]] = {
    "pemeliharaan_portal_keluhan": {4: "analysis", 5: "solution", 7: "repair", 8: "verification", 9: "closure"},
    "pemeliharaan_website": {5: "analysis", 6: "solution", 7: "repair"},
    "pemeliharaan_website_pn": {5: "analysis", 7: "solution", 8: "repair", 9: "verification"},
    "penjagaan_website": {3: "analysis", 4: "verification", 5: "closure"},
}


def definition_for(event: str) -> SopDefinition | None:
    """The SOP an event starts: the first built-in (or the institution's copy under its name) that declares
    the event, else the first of the institution's own definitions that does, by name."""
    started = {definition.name: definition for definition in definitions_started_by(event)}
    for name in (*BUILTIN_NAMES, *sorted(started)):
        if name in started:
            return started[name]
    return None


def field_table(run: Run) -> dict[int, str]:
    table = CASE_FIELDS.get(run.definition_name)
    if table is None:
        definition = definitions().get(run.definition_name)
        table = CASE_FIELDS.get(definition.based_on, {}) if definition is not None else {}
    return table


def open_case(*, title: str, origin: str, actor: Actor, site: Site | None = None,
              organisation: Organisation | None = None, description: str = "", source: models.Model | None = None,
              start: bool = True, now: datetime | None = None) -> Case:
    """Open a case and (unless `start` is False, or no SOP declares the origin's event) the run that carries
    it out, starting where the SOP's trigger for that event says."""
    now = now or timezone.now()
    organisation = organisation or (site.organisation if site is not None else None)
    if organisation is None:
        raise RunError("A case needs a site or an organisation.")
    with transaction.atomic():
        case = Case.objects.create(
            site=site, organisation=organisation, title=title[:300], description=description, origin=origin,
            source_type=ContentType.objects.get_for_model(source) if source is not None else None,
            source_id=str(source.pk) if source is not None else "", opened_by=person(actor),
            opened_by_label=actor_label(actor), opened_at=now,
        )
        record(verbs.CASE_OPENED, actor=actor, site=site, organisation=organisation, target=case,
               kind=word(CaseOrigin(origin).label))
        event = ORIGIN_EVENTS[CaseOrigin(origin)]
        definition = definition_for(event) if start else None
        if definition is not None:
            case.run = start_run(definition, actor, site=site, organisation=organisation, via=StartKind.EVENT,
                                 event=event, source=source or case, title=f"{definition.header.nama} · {title}",
                                 now=now)
            case.save(update_fields=["run"])
    return case


def update_case(case: Case, actor: Actor, changes: dict[str, Any]) -> list[str]:
    """Change a case's text fields; returns the names that changed (recorded by name, not by value)."""
    changed = [name for name, value in changes.items() if getattr(case, name) != value]
    if changed:
        for name in changed:
            setattr(case, name, changes[name])
        case.save(update_fields=changed)
        record(verbs.CASE_CHANGED, actor=actor, site=case.site, organisation=case.organisation, target=case,
               fields=", ".join(changed))
    return changed


def close_case(case: Case, actor: Actor, now: datetime | None = None) -> Case:
    if case.state == CaseState.CLOSED:
        return case
    case.state, case.closed_at, case.closed_by_label = CaseState.CLOSED, now or timezone.now(), actor_label(actor)
    case.save(update_fields=["state", "closed_at", "closed_by_label"])
    record(verbs.CASE_CLOSED, actor=actor, site=case.site, organisation=case.organisation, target=case)
    return case


@on_step_completed
def follow_run(step: RunStep, actor: Actor) -> None:
    """A completed step writes its note into the case field it stands for; the run's end closes its cases."""
    run = step.run
    cases = list(Case.objects.filter(run=run))
    if not cases:
        return
    name = field_table(run).get(step.number)
    for case in cases:
        if name and step.note:
            current = getattr(case, name)
            update_case(case, actor, {name: f"{current}\n{step.note}".strip() if current else step.note})
        if not run.is_open:
            close_case(case, actor, step.completed_at)
