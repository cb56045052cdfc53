"""A month of website requests (SOP 004, `sop.requests`): an organisation's letter asking for a new website or
an update, recorded with the letter and carried out by the request SOP, whose steps record the agenda number,
the disposition, the assessment and the decision on the request. Building a website takes weeks, so the
approved requests of a month are still being built when it ends; the rejected ones are completed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from jagaweb.demo.month.base import Fill
from jagaweb.demo.month.renewals import PDF
from jagaweb.demo.month.sop_runs import Done, Plan, Walk
from jagaweb.demo.month.sop_texts import REQUESTS
from jagaweb.people.choices import RoleKind
from jagaweb.sop import verbs
from jagaweb.sop.cases import definition_for
from jagaweb.sop.choices import Decision, EvidenceKind, RequestKind, RequestState, TriggerEvent
from jagaweb.sop.models import Evidence, Run, RunStep, WebsiteRequest
from jagaweb.sop.models_cases import request_file_path
from jagaweb.sop.requests import REQUEST_STEPS
from jagaweb.sop.runs import word

BUILD_STEP = 8
DECISION_STEP = 5


@dataclass
class Submitted:
    request: WebsiteRequest
    run: Run | None = None


class Requests:
    def __init__(self, fill: Fill, walk: Walk) -> None:
        self.fill, self.walk = fill, walk
        self.submitted: list[Submitted] = []

    def arrivals(self) -> list[tuple[datetime, Callable[[], None]]]:
        """When each request comes in, and its submission then."""
        definition = definition_for(TriggerEvent.WEBSITE_REQUEST)
        return [self.planned(definition) for _number in range(max(1, len(self.fill.sites) // 100))]

    def values(self, request: WebsiteRequest, step: int, decision: str) -> dict[str, Any]:
        rng, year = self.fill.rng, self.fill.month.year
        if step == 2:
            return {"agenda_number": f"{rng.randint(100, 999)}/DKISP/{year}"}
        if step == 3:
            return {"disposition": "Diteruskan kepada Kepala Bidang Aplikasi untuk ditindaklanjuti."}
        if step == 4:
            return {"assessment": "Kebutuhan jelas; kapasitas server dan subdomain tersedia."}
        if step == DECISION_STEP and decision == Decision.NO:
            return {"rejection_reason": "Fungsi yang diminta sudah tersedia pada portal induk."}
        return {}

    def recorded(self, request: WebsiteRequest) -> Any:
        def record_step(step: RunStep, done: Done) -> None:
            """`sop.requests.record_step` and, at the run's end, `complete_request`."""
            if step.number not in REQUEST_STEPS or step.number == 1:
                return
            record = REQUEST_STEPS[step.number]
            values = self.values(request, step.number, done.decision)
            for name, value in values.items():
                setattr(request, name, value)
            changed = list(values)
            if step.number == DECISION_STEP:
                request.approved = done.decision == Decision.YES
                request.state = RequestState.APPROVED if request.approved else RequestState.REJECTED
                changed.append("approved")
            elif record.state is not None and record.state != RequestState.COMPLETED:
                request.state = record.state
            self.log(verbs.REQUEST_RECORDED, done, request, kind=word(RequestState(request.state).label),
                     fields=", ".join(changed))
            if not step.run.is_open:
                request.completed_at = done.at
                request.state = RequestState.COMPLETED if request.approved else RequestState.REJECTED

        return record_step

    def log(self, verb: str, done: Done, request: WebsiteRequest, **data: object) -> None:
        events, at, actor = self.fill.events, done.at, done.by
        details = {"site": request.site, "organisation": request.organisation, "target": request, **data}
        if isinstance(actor, str):
            self.walk.later.append(lambda: events.system(verb, at, actor, **details))
        else:
            self.walk.later.append(lambda: events.person(verb, at, actor, **details))

    def planned(self, definition: Any) -> tuple[datetime, Callable[[], None]]:
        rng, month = self.fill.rng, self.fill.month
        at = month.at(rng.choice([day for day in month.days[:-2] if day.weekday() < 5] or month.days[:1]),
                      rng.uniform(8, 15))
        return at, partial(self.submit, at, definition)

    def submit(self, at: datetime, definition: Any) -> None:
        fill, rng, month = self.fill, self.fill.rng, self.fill.month
        site = rng.choice(fill.sites)
        name, purpose = rng.choice(REQUESTS)
        update = rng.random() < 0.5
        person = fill.people.pick(rng, RoleKind.ORG_MEMBER)
        letter = f"{rng.randint(100, 999)}/{site.organisation.code.upper()}/{month.year}"
        request = WebsiteRequest(organisation=site.organisation, site=site if update else None,
                                 kind=RequestKind.UPDATE if update else RequestKind.CREATE,
                                 site_name=site.name if update else name, purpose=purpose,
                                 letter_name=f"Surat-{letter.replace('/', '-')}.pdf", letter_number=letter,
                                 letter_date=month.day_of(at) - timedelta(days=rng.randint(1, 6)),
                                 submitted_by=person, submitted_at=at, state=RequestState.SUBMITTED)
        storage = WebsiteRequest._meta.get_field("letter").storage
        request.letter.name = storage.save(request_file_path(request, request.letter_name), ContentFile(PDF))
        submitted = Submitted(request)
        self.submitted.append(submitted)
        self.log(verbs.REQUEST_SUBMITTED, Done(at, person), request, organisation_name=site.organisation.name)
        if definition is None:
            return

        def letter_evidence(step: RunStep, moment: datetime) -> None:
            label = _("Request letter %(number)s") % {"number": letter}
            self.walk.evidence.append(Evidence(step=step, kind=EvidenceKind.SYSTEM, label=label, added_by=person,
                                               added_by_label=person.get_username(), added_at=moment))
            self.walk.log(verbs.EVIDENCE_ADDED, moment, person, step.run, step, step=step.number, label=label)

        plan = Plan(definition=definition, organisation=site.organisation, site=request.site, start=at,
                    starter=person, title=f"{definition.header.nama} · {request.site_name}",
                    event=TriggerEvent.WEBSITE_REQUEST, source=request, external=person, notes={1: purpose},
                    decide=lambda step: Decision.YES if rng.random() < 0.8 else Decision.NO, slow={BUILD_STEP},
                    urgent=True,
                    on_done=self.recorded(request), on_external=letter_evidence)
        submitted.run = self.walk.walk(plan)

    def save(self) -> None:
        """The requests, pointing at their runs (which get their keys now and are written after)."""
        for item in self.submitted:
            if item.run is not None:
                self.fill.keys.key(item.run)
                item.request.run = item.run
        self.fill.save(WebsiteRequest, [item.request for item in self.submitted])
        self.fill.counts.website_requests += len(self.submitted)
