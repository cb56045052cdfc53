"""Website requests (SOP 004): an organisation asks, with its letter, for a website to be created or updated;
the request SOP's steps record the agenda number, the disposition, the assessment, the approval or the
rejection with its reason, the needs analysis (KAK document), the build, the installation on a server
(public IP, subdomain, network configuration), the report and the completion.

`REQUEST_STEPS` says what each step of the built-in SOP records on the request (an institution's copy of it
uses the same table). On completion of an approved request, the installation lands in the inventory: the
server (created when new) gets the public IP and the network configuration, the site is created (or the
updated site moved) with its address on the subdomain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from jagaweb.activity.log import Actor, actor_label, record
from jagaweb.inventory.changes import record_changed, record_created
from jagaweb.inventory.models import Organisation, Server, Site
from jagaweb.inventory.rules import RESERVED_SLUGS
from jagaweb.sop import verbs
from jagaweb.sop.cases import definition_for
from jagaweb.sop.choices import Decision, RequestKind, RequestState, StartKind, TriggerEvent
from jagaweb.sop.definitions import definitions
from jagaweb.sop.evidence import add_file, check_upload, link
from jagaweb.sop.models import Run, RunStep, WebsiteRequest
from jagaweb.sop.runs import RunError, complete_step, on_step_completed, person, start_run, word

REQUEST_SOP = "permohonan_website_opd"


@dataclass(frozen=True)
class StepRecord:
    """What one step of the request SOP records: the request's fields it fills, and the state it leads to."""

    fields: tuple[str, ...]
    state: RequestState | None
    files: tuple[str, ...] = ()


REQUEST_STEPS: dict[int, StepRecord] = {
    2: StepRecord(("agenda_number",), RequestState.REGISTERED),
    3: StepRecord(("disposition",), RequestState.DISPOSED),
    4: StepRecord(("assessment",), RequestState.ASSESSED),
    5: StepRecord(("rejection_reason",), None),  # approved or rejected: the decision says which
    6: StepRecord((), None),
    7: StepRecord(("kak",), RequestState.ANALYSED, files=("kak",)),
    8: StepRecord(("build_notes",), RequestState.BUILT),
    9: StepRecord(("server", "server_hostname", "public_ip", "subdomain", "network_config"), RequestState.INSTALLED),
    10: StepRecord(("report",), RequestState.REPORTED),
    11: StepRecord((), RequestState.COMPLETED),
}


def follows_request_sop(run: Run) -> bool:
    if run.definition_name == REQUEST_SOP:
        return True
    definition = definitions().get(run.definition_name)
    return definition is not None and definition.based_on == REQUEST_SOP


def step_record(request: WebsiteRequest, step: RunStep) -> StepRecord | None:
    """What this step records on the request (None for a definition that is not the request SOP)."""
    if request.run is None or not follows_request_sop(request.run):
        return None
    return REQUEST_STEPS.get(step.number)


@dataclass(frozen=True)
class RequestInput:
    organisation: Organisation
    site_name: str
    purpose: str
    letter: Any
    kind: str = RequestKind.CREATE
    site: Site | None = None
    letter_number: str = ""
    letter_date: Any = None


def submit_request(data: RequestInput, actor: Actor, now: datetime | None = None) -> WebsiteRequest:
    """Record the request with its letter and start the request SOP; the letter is step 1 itself, done by the
    one who submitted it."""
    now = now or timezone.now()
    check_upload(data.letter)
    with transaction.atomic():
        request = WebsiteRequest(
            organisation=data.organisation, kind=data.kind, site=data.site, site_name=data.site_name,
            purpose=data.purpose, letter_name=str(data.letter.name)[:255], letter_number=data.letter_number,
            letter_date=data.letter_date, submitted_by=person(actor),
            submitted_at=now)
        request.letter.save(str(data.letter.name), data.letter, save=False)
        request.save()
        record(verbs.REQUEST_SUBMITTED, actor=actor, site=data.site, organisation=data.organisation, target=request,
               organisation_name=data.organisation.name)
        definition = definition_for(TriggerEvent.WEBSITE_REQUEST)
        if definition is not None:
            request.run = start_run(definition, actor, site=data.site, organisation=data.organisation,
                                    via=StartKind.EVENT, event=TriggerEvent.WEBSITE_REQUEST, source=request,
                                    title=f"{definition.header.nama} · {data.site_name}", now=now)
            request.save(update_fields=["run"])
            first = request.run.current_step()
            if first is not None and first.number == definition.start.number:
                link(first, _("Request letter %(number)s") % {"number": data.letter_number or data.letter.name},
                     actor, target=request, now=now)
                complete_step(first, actor, note=data.purpose[:2000], now=now)
    return request


def record_step(request: WebsiteRequest, step: RunStep, actor: Actor, values: dict[str, Any], *, note: str = "",
                decision: str = "", now: datetime | None = None) -> RunStep | None:
    """Fill in what `step` records on the request (files are kept as the step's evidence too), then complete
    the step; returns the next open step."""
    now = now or timezone.now()
    recorded = step_record(request, step)
    with transaction.atomic():
        if recorded is not None:
            changed = apply_values(request, recorded, step, values, actor, now)
            if step.number == 5:
                if decision == Decision.NO and not (values.get("rejection_reason") or note):
                    raise RunError(_("A rejection needs its reason."))
                request.approved = decision == Decision.YES
                request.state = RequestState.APPROVED if request.approved else RequestState.REJECTED
                changed.append("approved")
            elif recorded.state is not None and recorded.state != RequestState.COMPLETED:
                request.state = recorded.state
            request.save()
            record(verbs.REQUEST_RECORDED, actor=actor, site=request.site, organisation=request.organisation,
                   target=request, kind=word(RequestState(request.state).label), fields=", ".join(changed))
        return complete_step(step, actor, note=note, decision=decision, now=now)


def apply_values(request: WebsiteRequest, recorded: StepRecord, step: RunStep, values: dict[str, Any],
                 actor: Actor, now: datetime) -> list[str]:
    changed = []
    for name in recorded.fields:
        if name not in values or values[name] in (None, ""):
            continue
        if name in recorded.files:
            upload = values[name]
            label = str(getattr(WebsiteRequest._meta.get_field(name), "verbose_name", name))
            evidence = add_file(step, upload, actor, label=label, now=now)
            setattr(request, name, evidence.file.name)
            setattr(request, f"{name}_name", evidence.file_name)
        else:
            setattr(request, name, values[name])
        changed.append(name)
    return changed


@on_step_completed
def complete_request(step: RunStep, actor: Actor) -> None:
    """When the request's run ends, the request is completed; an approved one is written into the inventory."""
    run = step.run
    if run.is_open:
        return
    for request in WebsiteRequest.objects.filter(run=run, completed_at__isnull=True):
        request.completed_at = step.completed_at
        request.state = RequestState.COMPLETED if request.approved else RequestState.REJECTED
        if request.approved:
            write_inventory(request, actor)
        request.save()


def unique_slug(subdomain: str) -> str:
    base = slugify(subdomain.split(".")[0])[:90] or "situs"
    slug, number = base, 1
    while slug in RESERVED_SLUGS or Site.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def note_block(request: WebsiteRequest, text: str) -> str:
    return f"[{_('Website request')} #{request.pk} {request.agenda_number}]\n{text}".strip()


def write_server(request: WebsiteRequest, actor: Actor) -> Server | None:
    server = request.server
    if server is None and request.server_hostname:
        server, created = Server.objects.get_or_create(hostname=request.server_hostname)
        if created:
            record_created(server, actor)
    if server is None:
        return None
    changed = []
    if request.public_ip and server.public_ip != request.public_ip:
        server.public_ip = request.public_ip
        changed.append("public_ip")
    if request.network_config:
        block = note_block(request, request.network_config)
        server.notes = f"{server.notes}\n\n{block}".strip() if server.notes else block
        changed.append("notes")
    if changed:
        server.save()
        record_changed(server, actor, changed)
    request.server = server
    return server


def write_inventory(request: WebsiteRequest, actor: Actor) -> Site | None:
    """Put the installation into the inventory: the server and the site (new, or the updated one moved)."""
    server = write_server(request, actor)
    url = f"https://{request.subdomain.strip().strip('/')}/" if request.subdomain else ""
    site = request.site
    summary = note_block(request, "\n".join(filter(None, [
        _("Subdomain: %(name)s") % {"name": request.subdomain} if request.subdomain else "",
        _("Public IP: %(address)s") % {"address": request.public_ip} if request.public_ip else "",
        request.network_config])))
    if site is None:
        if not url:
            return None
        site = Site(slug=unique_slug(request.subdomain), name=request.site_name, url=url,
                    organisation=request.organisation, server=server, notes=summary)
        site.full_clean()
        site.save()
        record_created(site, actor)
    else:
        changed = []
        if url and site.url != url:
            site.url = url
            changed.append("url")
        if server is not None and site.server_id != server.pk:
            site.server = server
            changed.append("server")
        site.notes = f"{site.notes}\n\n{summary}".strip() if site.notes else summary
        changed.append("notes")
        site.save()
        record_changed(site, actor, changed)
    request.site = site
    record(verbs.REQUEST_INSTALLED, actor=actor, site=site, organisation=request.organisation, target=request,
           site_name=site.name, server=server.hostname if server is not None else "-", by=actor_label(actor))
    return site
