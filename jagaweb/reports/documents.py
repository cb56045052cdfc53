"""The stored files of an issued report: reading them back, and drawing the PDF again after acknowledgements."""

from __future__ import annotations

from django.core.files.base import ContentFile

from jagaweb.reports.models import Report
from jagaweb.reports.render import html_to_pdf, with_signatures

FORMATS = {  # name in the address -> (file attribute, MIME type, extension)
    "pdf": ("pdf", "application/pdf", "pdf"),
    "html": ("html", "text/html; charset=utf-8", "html"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "csv": ("csv", "application/zip", "zip"),
}


def read_html(report: Report) -> str:
    with report.html.open("rb") as stored:
        return stored.read().decode()


def redraw(report: Report) -> int:
    """Draw the HTML and the PDF again with the current signature block; returns the number of pages."""
    html = with_signatures(read_html(report), report)
    pdf, pages = html_to_pdf(html)
    old_html, old_pdf = str(report.html.name), str(report.pdf.name)
    report.html.save(old_html.rsplit("/", 1)[-1], ContentFile(html.encode()), save=False)
    report.pdf.save(old_pdf.rsplit("/", 1)[-1], ContentFile(pdf), save=False)
    report.pages = pages
    report.save(update_fields=["html", "pdf", "pages"])
    storage = report.pdf.storage
    for old in (old_html, old_pdf):
        if old not in (report.html.name, report.pdf.name):
            storage.delete(old)
    return pages


def download_name(report: Report, fmt: str) -> str:
    extension = FORMATS[fmt][2]
    return f"{report.number.replace('/', '-') or report.pk}.{extension}"
