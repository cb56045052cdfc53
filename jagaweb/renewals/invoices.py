"""Invoice uploads: what is accepted (PDF, PNG or JPEG whose content matches its name, at most
MAX_INVOICE_BYTES) and how a stored invoice is handed back (always as a download)."""

from __future__ import annotations

from pathlib import PurePath
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_INVOICE_BYTES = 10 * 1024 * 1024  # a scanned multi-page invoice fits; a video does not
PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"
CONTENT_TYPES = {".pdf": PDF, ".png": PNG, ".jpg": JPEG, ".jpeg": JPEG}
# The first bytes of each type: a file named .pdf must really be a PDF (an HTML page renamed to
# invoice.pdf would otherwise be stored and handed to the next reader).
SIGNATURES = {PDF: b"%PDF-", PNG: b"\x89PNG\r\n\x1a\n", JPEG: b"\xff\xd8\xff"}


def content_type_of(name: str) -> str:
    return CONTENT_TYPES.get(PurePath(name).suffix.lower(), "application/octet-stream")


def read_head(upload: Any, size: int = 16) -> bytes:
    handle: IO[bytes] = upload
    handle.seek(0)
    head = handle.read(size)
    handle.seek(0)
    return head


def check_invoice(upload: Any) -> Any:
    """Refuse an upload that is empty, too big, of another type, or whose content is not what its name says."""
    name = str(getattr(upload, "name", "") or "")
    content_type = CONTENT_TYPES.get(PurePath(name).suffix.lower())
    if content_type is None:
        raise ValidationError(_("An invoice is a PDF, PNG or JPEG file."), code="invoice_type")
    size = int(getattr(upload, "size", 0) or 0)
    if size == 0:
        raise ValidationError(_("The file is empty."), code="invoice_empty")
    if size > MAX_INVOICE_BYTES:
        raise ValidationError(
            _("The file is %(size)s; an invoice may be at most %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(MAX_INVOICE_BYTES)},
            code="invoice_size",
        )
    if not read_head(upload).startswith(SIGNATURES[content_type]):
        raise ValidationError(_("The file's content is not a %(type)s file, as its name says.")
                              % {"type": PurePath(name).suffix.lstrip(".").upper()}, code="invoice_content")
    return upload
