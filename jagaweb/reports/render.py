"""A report as a document: the HTML every format starts from, and its PDF drawn by WeasyPrint.

The HTML is self-contained (charts are inline SVG, the style sheet is inline), so WeasyPrint is given a
fetcher that refuses every address: printing a report never touches the network or the disk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from jagaweb.people.choices import RoleKind
from jagaweb.people.models import Role
from jagaweb.reports.cells import cell_text, is_numeric
from jagaweb.reports.choices import ColumnKind, ReportState
from jagaweb.reports.models import Report
from jagaweb.reports.sections.base import Part, Scope, Table
from jagaweb.reports.summary import Summary, period_text

SIGNATURES = re.compile(r"<!--signatures-->.*<!--/signatures-->", re.DOTALL)


@dataclass(frozen=True)
class Signature:
    heading: str  # "Prepared by", "Acknowledged by" ...
    role: str
    name: str
    at: Any  # datetime | None: when it was done in the system
    done: str = ""  # "Issued in JagaWeb on", "Acknowledged in JagaWeb on"
    note: str = ""


@dataclass(frozen=True)
class Document:
    report: Report
    scope: Scope
    unit: str
    summary: Summary
    parts: list[Part]
    appendices: list[Part]


def unit_name(report: Report) -> str:
    if report.organisation is not None:
        return report.organisation.name
    return settings.JAGAWEB_REPORT_UNIT or _("all organisations")


def role_label(kind: RoleKind) -> str:
    """The installation's own name for the role (as its SOPs name it, e.g. "Kepala Sub Bagian")."""
    label = Role.objects.filter(kind=kind).order_by("rank", "pk").values_list("label", flat=True).first()
    return label or str(kind.label).split(" (")[0]


def signatures(report: Report) -> list[Signature]:
    acknowledged = {ack.state: ack for ack in report.acknowledgements.select_related("user")}
    rows = [Signature(pgettext("signature block", "Prepared by"), role_label(RoleKind.OPERATOR),
                      report.prepared_by_label,
                      report.issued_at, _("Issued in JagaWeb on"))]
    readers = ((ReportState.SUPERVISOR, pgettext("signature block", "Acknowledged by"), RoleKind.SUPERVISOR),
               (ReportState.EXECUTIVE, pgettext("signature block", "Approved by"), RoleKind.EXECUTIVE))
    for state, heading, role in readers:
        ack = acknowledged.get(state)
        name = (ack.user.get_full_name() or ack.user.get_username()) if ack else ""
        rows.append(Signature(heading, role_label(role), name,
                              ack.at if ack else None, _("Acknowledged in JagaWeb on"), ack.note if ack else ""))
    return rows


# Relative widths of printed columns by kind. Tables are laid out with fixed widths: WeasyPrint then need
# not measure every cell of a long table first (a 3,000-row table prints in 60% of the time).
WEIGHTS: dict[str, float] = {ColumnKind.TEXT: 3.0, ColumnKind.DATETIME: 2.0, ColumnKind.DATE: 1.6,
                              ColumnKind.DURATION: 1.4}
NUMBER_WEIGHT = 1.2


def column_widths(table: Table) -> list[float]:
    weights = [column.weight or WEIGHTS.get(column.kind, NUMBER_WEIGHT) for column in table.columns]
    total = sum(weights) or 1.0
    return [round(100 * weight / total, 2) for weight in weights]


def formatted_table(table: Table) -> dict[str, Any]:
    kinds = [column.kind for column in table.columns]
    numeric = [is_numeric(kind) for kind in kinds]
    printed = table.printed_rows()
    cut = ""
    if len(printed) < len(table.rows):
        cut = _("%(printed)s of %(total)s rows are printed%(order)s; the XLSX and CSV files hold them all.") % {
            "printed": len(printed), "total": len(table.rows), "order": order_text(table)}
    return {
        "table": table,
        "numeric": numeric,
        "header": list(zip([column.label for column in table.columns], numeric, column_widths(table), strict=True)),
        "rows": [[(cell_text(value, kind), right) for value, kind, right in zip(row, kinds, numeric, strict=True)]
                 for row in printed],
        "cut": cut,
    }


def order_text(table: Table) -> str:
    order = table.print_order
    if order is None:
        return ""
    column = table.columns[order.column].label
    if order.descending:
        return _(", the highest %(column)s first") % {"column": str(column).lower()}
    return _(", the lowest %(column)s first") % {"column": str(column).lower()}


def part_context(part: Part) -> dict[str, Any]:
    return {"part": part, "tables": [formatted_table(table) for table in part.tables]}


def signatures_html(report: Report) -> str:
    return render_to_string("reports/signatures.html", {"signatures": signatures(report), "report": report})


def render_html(document: Document) -> str:
    report = document.report
    return render_to_string("reports/document.html", {
        "report": report,
        "scope": document.scope,
        "unit": document.unit,
        "period": period_text(document.scope),
        "summary": document.summary,
        "parts": [part_context(part) for part in document.parts],
        "appendices": [part_context(part) for part in document.appendices],
        "signatures": signatures_html(report),
        "generated": timezone.localtime(timezone.now()),
    })


def with_signatures(html: str, report: Report) -> str:
    """The stored HTML with its signature block drawn again (after someone acknowledged the report)."""
    return SIGNATURES.sub(lambda _match: signatures_html(report), html, count=1)


def html_to_pdf(html: str) -> tuple[bytes, int]:
    """The PDF and its number of pages."""
    # Imported here: WeasyPrint loads Pango and fonts, which only report work needs.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    document = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=())).render()
    return document.write_pdf(), len(document.pages)
