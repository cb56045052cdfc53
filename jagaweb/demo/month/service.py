"""A month of SOP work: the cases `sop.events` opens for monitoring incidents, guard attacks and serious
visitor-log incidents (one open case per site and origin), public complaints with their cases, and website
requests, each carried out by a run of the SOP its event starts (`sop_runs`); the case follows its run
(`sop.cases.follow_run`: step notes fill in the analysis, solution, ... and the run's end closes it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext as _

from jagaweb.demo.month.base import Fill
from jagaweb.demo.month.requests import Requests
from jagaweb.demo.month.sop_runs import Actor, Done, Plan, Walk, label_of, person_of
from jagaweb.demo.month.sop_texts import CASE_NOTES, COMPLAINTS
from jagaweb.guard.models import GuardRun
from jagaweb.inventory.models import Site
from jagaweb.logwatch.models import Incident as LogIncident
from jagaweb.monitor.models import Incident
from jagaweb.sop import verbs
from jagaweb.sop.cases import definition_for, field_table
from jagaweb.sop.choices import CaseOrigin, CaseState, EvidenceKind, TriggerEvent
from jagaweb.sop.complaints import FORM_ACTOR, sender_digest
from jagaweb.sop.definitions import Step
from jagaweb.sop.models import Case, Complaint, Evidence, Run, RunStep
from jagaweb.sop.runs import word

PICKUP = "sop.events"  # the job that opens cases for new incidents, once a minute
LOGWATCH_CASES_CLOSED = 0.15  # the share of visitor-log cases a person closes (no SOP carries them)
Arrival = tuple[datetime, Callable[[], None]]  # when something starts SOP work, and what it does then


@dataclass
class Cases:
    walk: Walk
    cases: list[Case] = field(default_factory=list)
    complaints: list[Complaint] = field(default_factory=list)
    runs: list[tuple[Case, Run]] = field(default_factory=list)  # each case's run, linked once both are saved
    busy: dict[tuple[int, str], datetime | None] = field(default_factory=dict)  # (site, origin) -> closed at

    def is_busy(self, site: Site, origin: str, at: datetime) -> bool:
        """Whether the site has a case of this origin still open at `at` (`sop.events` opens one at a time)."""
        if (site.pk, origin) not in self.busy:
            return False
        closed = self.busy[(site.pk, origin)]
        return closed is None or closed > at

    def log(self, verb: str, at: datetime, actor: Actor, case: Case, **data: object) -> None:
        events = self.walk.fill.events
        details = {"site": case.site, "organisation": case.organisation, "target": case, **data}
        if isinstance(actor, str):
            self.walk.later.append(lambda: events.system(verb, at, actor, **details))
        else:
            self.walk.later.append(lambda: events.person(verb, at, actor, **details))

    def open(self, *, site: Site, origin: str, title: str, at: datetime, opener: Actor,
             source: models.Model | None, description: str = "") -> Case:
        case = Case(site=site, organisation=site.organisation, title=title[:300], description=description or title,
                    origin=origin, opened_by=person_of(opener), opened_by_label=label_of(opener), opened_at=at,
                    source_type=ContentType.objects.get_for_model(source) if source is not None else None,
                    source_id=str(source.pk) if source is not None else "")
        self.cases.append(case)
        self.busy[(site.pk, origin)] = None
        self.log(verbs.CASE_OPENED, at, opener, case, kind=word(CaseOrigin(origin).label))
        return case

    def close(self, case: Case, at: datetime, actor: Actor) -> None:
        case.state, case.closed_at, case.closed_by_label = CaseState.CLOSED, at, label_of(actor)
        self.busy[(case.site.pk if case.site else 0, case.origin)] = at
        self.log(verbs.CASE_CLOSED, at, actor, case)

    def follow(self, case: Case) -> Callable[[RunStep, Done], None]:
        """`sop.cases.follow_run` for one case."""

        def followed(step: RunStep, done: Done) -> None:
            name = field_table(step.run).get(step.number)
            if name and done.note:
                current = getattr(case, name)
                setattr(case, name, f"{current}\n{done.note}".strip() if current else done.note)
                self.log(verbs.CASE_CHANGED, done.at, done.by, case, fields=name)
            if not step.run.is_open:
                self.close(case, done.at, done.by)

        return followed

    def carry_out(self, case: Case, event: str, at: datetime, starter: Actor, source: models.Model, *,
                  urgent: bool = False, external: Actor | None = None,
                  on_external: Callable[[RunStep, datetime], None] | None = None,
                  automation_ok: Callable[[Step, datetime], bool] | None = None) -> None:
        """Start the SOP the origin's event starts (as `open_case` does) and walk it."""
        definition = definition_for(event)
        if definition is None:
            return
        entry = definition.entry_step(event)
        plan = Plan(definition=definition, organisation=case.organisation, site=case.site, start=at, starter=starter,
                    title=f"{definition.header.nama} · {case.title}", event=event, source=source,
                    entry=entry.number if entry is not None else None, urgent=urgent, external=external,
                    notes=CASE_NOTES.get(definition.name, {}), on_done=self.follow(case))
        if on_external is not None:
            plan.on_external = on_external
        if automation_ok is not None:
            plan.automation_ok = automation_ok
        self.runs.append((case, self.walk.walk(plan)))


def picked_up(fill: Fill, at: datetime) -> datetime:
    return at + timedelta(seconds=fill.rng.uniform(5, 60))


def monitor_cases(fill: Fill, cases: Cases, incidents: list[Incident]) -> list[Arrival]:
    def pick_up(incident: Incident, at: datetime) -> None:
        if at >= (incident.resolved_at or fill.month.end) or cases.is_busy(incident.site, CaseOrigin.MONITOR, at):
            return
        title = _("%(site)s: %(cause)s") % {"site": incident.site.name, "cause": incident.cause}
        case = cases.open(site=incident.site, origin=CaseOrigin.MONITOR, title=title, at=at, opener=PICKUP,
                          source=incident)
        cases.carry_out(case, TriggerEvent.INCIDENT, at, PICKUP, incident)

    arrivals: list[Arrival] = []
    for incident in sorted(incidents, key=lambda item: (item.opened_at, item.pk)):
        if not incident.silenced:  # `sop.events` leaves incidents of a maintenance window alone
            at = picked_up(fill, incident.opened_at)
            arrivals.append((at, partial(pick_up, incident, at)))
    return arrivals


def guard_cases(fill: Fill, cases: Cases, attacks: list[tuple[GuardRun, datetime]]) -> list[Arrival]:
    def pick_up(run: GuardRun, clean_at: datetime, at: datetime) -> None:
        if cases.is_busy(run.site, CaseOrigin.GUARD, at):
            return
        title = _("%(site)s: attack found (%(verdict)s)") % {"site": run.site.name,
                                                              "verdict": run.get_verdict_display()}
        case = cases.open(site=run.site, origin=CaseOrigin.GUARD, title=title, at=at, opener=PICKUP, source=run)
        cases.carry_out(case, TriggerEvent.GUARD_ALERT, at, PICKUP, run, urgent=True,
                        automation_ok=lambda step, moment: moment >= clean_at)

    arrivals: list[Arrival] = []
    for run, clean_at in attacks:
        assert run.finished_at is not None
        at = picked_up(fill, run.finished_at)
        if fill.month.contains(at):
            arrivals.append((at, partial(pick_up, run, clean_at, at)))
    return arrivals


def logwatch_cases(fill: Fill, cases: Cases, serious: list[tuple[LogIncident, datetime]]) -> list[Arrival]:
    """No built-in SOP starts on a visitor-log alert: the case waits for a person, who closes some of them."""
    rng = fill.rng

    def pick_up(incident: LogIncident, at: datetime) -> None:
        if cases.is_busy(incident.site, CaseOrigin.LOGWATCH, at):
            return
        title = _("%(site)s: suspicious visitor %(ip)s") % {"site": incident.site.name, "ip": incident.ip}
        case = cases.open(site=incident.site, origin=CaseOrigin.LOGWATCH, title=title, at=at, opener=PICKUP,
                          source=incident)
        closed = at + timedelta(days=rng.uniform(1, 5))
        if rng.random() < LOGWATCH_CASES_CLOSED and fill.month.contains(closed):
            cases.close(case, closed, fill.people.pick(rng))

    arrivals: list[Arrival] = []
    for incident, read in sorted(serious, key=lambda pair: pair[1]):
        at = picked_up(fill, read)
        if fill.month.contains(at):
            arrivals.append((at, partial(pick_up, incident, at)))
    return arrivals


def complaint(fill: Fill, cases: Cases, number: int) -> Arrival:
    """`sop.complaints.submit_complaint`: the case, its run, the complaint, and the form standing for step 1."""
    rng, month, form = fill.rng, fill.month, FORM_ACTOR.name
    site = rng.choice(fill.sites)
    at = month.at(rng.choice(month.days[:-1]), rng.uniform(6, 23))
    text, page = rng.choice(COMPLAINTS)
    reference = fill.stable_text("complaint", site.pk, number, alphabet="23456789ABCDEFGHJKMNPQRSTUVWXYZ")
    address = f"{rng.choice(['36.72', '114.124', '182.253'])}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    name, contact = rng.choice(["Budi", "Sri", "", "Andi"]), rng.choice(["", "0812-3456-7788", "warga@example.id"])

    def stand_for(step: RunStep, moment: datetime) -> None:
        label = _("Complaint %(reference)s") % {"reference": reference}
        cases.walk.evidence.append(Evidence(step=step, kind=EvidenceKind.SYSTEM, label=label,
                                            data={"text": text[:2000]}, added_by_label=label_of(form),
                                            added_at=moment))
        cases.walk.log(verbs.EVIDENCE_ADDED, moment, form, step.run, step, step=step.number, label=label)

    def received() -> None:
        title = _("Complaint about %(site)s") % {"site": site.name}
        case = cases.open(site=site, origin=CaseOrigin.COMPLAINT, title=f"{title} ({reference})", at=at,
                          opener=form, source=None, description=text)
        cases.complaints.append(Complaint(case=case, site=site, reference=reference, name=name, contact=contact,
                                          page=site.url + page, text=text, sender_digest=sender_digest(address),
                                          received_at=at))
        cases.log(verbs.COMPLAINT_RECEIVED, at, form, case, reference=reference, site_name=site.name)
        cases.carry_out(case, TriggerEvent.COMPLAINT, at, form, case, external=form, on_external=stand_for,
                        urgent=True)

    return at, received


def save(fill: Fill, cases: Cases, requests: Requests) -> None:
    """The runs get their keys first, so that cases and requests point at them when written; the runs, written
    next, name those as their sources (foreign keys are checked when the transaction commits)."""
    for case, run in cases.runs:
        fill.keys.key(run)
        case.run = run
    fill.save(Case, cases.cases)
    requests.save()
    cases.walk.save()
    fill.save(Complaint, cases.complaints)
    fill.counts.cases += len(cases.cases)
    fill.counts.complaints += len(cases.complaints)


def fill_service(fill: Fill, incidents: list[Incident], attacks: list[tuple[GuardRun, datetime]],
                 serious: list[tuple[LogIncident, datetime]]) -> None:
    """Everything that starts SOP work, carried out in the order it happened (people's time goes to what came
    first)."""
    cases = Cases(Walk(fill))
    requests = Requests(fill, cases.walk)
    arrivals = [*monitor_cases(fill, cases, incidents), *guard_cases(fill, cases, attacks),
                *logwatch_cases(fill, cases, serious),
                *(complaint(fill, cases, number) for number in range(max(1, len(fill.sites) // 40))),
                *requests.arrivals()]
    for _at, start in sorted(arrivals, key=lambda arrival: arrival[0]):
        start()
    save(fill, cases, requests)
