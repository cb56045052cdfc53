"""A step's evidence and third parties: uploaded files (type and size checked), records JagaWeb links
(a backup run, a guard check, a check result, ...), and the third parties called in with their answers."""

from __future__ import annotations

from datetime import datetime
from pathlib import PurePath
from typing import IO, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from jagaweb.activity.log import Actor, actor_label
from jagaweb.inventory.models import ThirdParty
from jagaweb.sop import verbs
from jagaweb.sop.choices import EvidenceKind
from jagaweb.sop.models import Evidence, Involvement, RunStep
from jagaweb.sop.runs import log, person

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # a scanned letter or a screenshot series fits; a site archive does not
ZIP = b"PK\x03\x04"
# Accepted types by extension, with the first bytes their content must start with (None: text, checked apart).
SIGNATURES: dict[str, tuple[str, bytes | None]] = {
    ".pdf": ("application/pdf", b"%PDF-"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ZIP),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP),
    ".odt": ("application/vnd.oasis.opendocument.text", ZIP),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", ZIP),
    ".txt": ("text/plain", None),
    ".csv": ("text/csv", None),
}
ACCEPTED = ", ".join(sorted(SIGNATURES))


def content_type_of(name: str) -> str:
    found = SIGNATURES.get(PurePath(name).suffix.lower())
    return found[0] if found else "application/octet-stream"


def read_head(upload: Any, size: int) -> bytes:
    handle: IO[bytes] = upload
    handle.seek(0)
    head = handle.read(size)
    handle.seek(0)
    return head


def check_upload(upload: Any, max_bytes: int = MAX_UPLOAD_BYTES) -> Any:
    """Refuse an empty or too big file, a type not accepted, or content that is not what the name says."""
    name = str(getattr(upload, "name", "") or "")
    accepted = SIGNATURES.get(PurePath(name).suffix.lower())
    if accepted is None:
        raise ValidationError(_("Accepted files: %(types)s.") % {"types": ACCEPTED}, code="upload_type")
    size = int(getattr(upload, "size", 0) or 0)
    if size == 0:
        raise ValidationError(_("The file is empty."), code="upload_empty")
    if size > max_bytes:
        raise ValidationError(_("The file is %(size)s; at most %(limit)s is accepted.") % {
            "size": filesizeformat(size), "limit": filesizeformat(max_bytes)}, code="upload_size")
    signature = accepted[1]
    if signature is None:
        head = read_head(upload, 64 * 1024)
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # A multi-byte character cut at the end of the sample is still text.
            if exc.start < len(head) - 4:
                raise ValidationError(_("A text file must be UTF-8 text."), code="upload_content") from None
        if b"\x00" in head:
            raise ValidationError(_("A text file must be UTF-8 text."), code="upload_content")
    elif not read_head(upload, len(signature)).startswith(signature):
        raise ValidationError(_("The file's content is not a %(type)s file, as its name says.") % {
            "type": PurePath(name).suffix.lstrip(".").upper()}, code="upload_content")
    return upload


def add_file(step: RunStep, upload: Any, actor: Actor, label: str = "", now: datetime | None = None) -> Evidence:
    """Keep an uploaded file as the step's evidence (checked here too: the API and the CLI call this)."""
    check_upload(upload)
    name = PurePath(str(upload.name)).name[:255]
    evidence = Evidence(step=step, kind=EvidenceKind.FILE, label=(label or name)[:300], file_name=name,
                        size=int(upload.size), added_by=person(actor),
                        added_by_label=actor_label(actor), added_at=now or timezone.now())
    evidence.file.save(name, upload, save=False)
    evidence.save()
    log(verbs.EVIDENCE_ADDED, step.run, actor, target=step, step=step.number, label=evidence.label)
    return evidence


def link(step: RunStep, label: str, actor: Actor, *, target: models.Model | None = None,
         data: dict[str, Any] | None = None, ok: bool = True, now: datetime | None = None) -> Evidence:
    """Link a record JagaWeb made (or plain data, such as a renewals review) as the step's evidence."""
    evidence = Evidence.objects.create(
        step=step, kind=EvidenceKind.SYSTEM, label=label[:300], data=data or {}, ok=ok,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "", added_by=person(actor),
        added_by_label=actor_label(actor), added_at=now or timezone.now(),
    )
    log(verbs.EVIDENCE_ADDED, step.run, actor, target=step, step=step.number, label=evidence.label)
    return evidence


def download(evidence: Evidence) -> FileResponse:
    """An uploaded file, always as a download: it is somebody's upload and must not run as a page here."""
    if not evidence.file:
        raise Http404
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=evidence.file_name or "evidence",
                            content_type=content_type_of(evidence.file_name))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def involve(step: RunStep, third_party: ThirdParty, actor: Actor, request: str = "",
            now: datetime | None = None) -> Involvement:
    """Record that a third party (ISP, registrar, hosting provider, ...) was contacted on this step."""
    involvement = Involvement.objects.create(step=step, third_party=third_party, contacted_at=now or timezone.now(),
                                             request=request, recorded_by_label=actor_label(actor))
    log(verbs.THIRD_PARTY_CONTACTED, step.run, actor, target=step, step=step.number, third_party=third_party.name)
    return involvement


def record_answer(involvement: Involvement, answer: str, actor: Actor, now: datetime | None = None) -> Involvement:
    involvement.answer, involvement.answered_at = answer, now or timezone.now()
    involvement.save(update_fields=["answer", "answered_at"])
    step = involvement.step
    log(verbs.THIRD_PARTY_ANSWERED, step.run, actor, target=step, step=step.number,
        third_party=involvement.third_party.name)
    return involvement
