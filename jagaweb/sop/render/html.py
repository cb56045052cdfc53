"""The SOP AP document as one self-contained HTML file (inline CSS and SVG, nothing fetched), laid out
for A4 landscape: the identity page, then the activity pages exactly as `layout_document` paginated
them, each an explicit sheet with its own heading rows, so that Chromium prints one sheet per page.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from jagaweb.sop.definitions import SopDefinition
from jagaweb.sop.render import dimensions as dim
from jagaweb.sop.render.content import date_text, keterangan_text, waktu_text
from jagaweb.sop.render.layout import DocumentLayout, Page, layout_document
from jagaweb.sop.render.svg import lane_cells

TEMPLATE = "sop/document.html"


def render_html(definition: SopDefinition) -> str:
    """The document's HTML."""
    return render_layout(layout_document(definition))


def render_layout(layout: DocumentLayout) -> str:
    return render_to_string(TEMPLATE, document_context(layout))


def mm(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") + "mm"


def document_context(layout: DocumentLayout) -> dict[str, Any]:
    definition = layout.definition
    header = definition.header
    columns = layout.columns
    total = 1 + len(layout.pages)
    return {
        "header": header,
        "dates": {
            "pembuatan": date_text(header.tanggal_pembuatan),
            "revisi": date_text(header.tanggal_revisi),
            "efektif": date_text(header.tanggal_efektif),
        },
        "total_pages": total,
        "performers": [{"label": performer.label, "size": f"{size}pt"}
                       for performer, size in zip(definition.performers.values(), layout.label_sizes, strict=True)],
        "widths": {
            "number": mm(columns.number), "activity": mm(columns.activity), "lane": mm(columns.lane),
            "kelengkapan": mm(columns.kelengkapan), "waktu": mm(columns.waktu), "output": mm(columns.output),
            "keterangan": mm(columns.keterangan),
        },
        "lane_count": columns.lane_count,
        "head_top": mm(dim.HEAD_TOP_ROW),
        "head_labels": mm(layout.head_labels_height),
        "note_height": mm(layout.note_height),
        "css": css_measures(),
        "pages": [page_context(layout, page, total) for page in layout.pages],
    }


def css_measures() -> dict[str, str]:
    return {
        "page_margin": mm(dim.PAGE_MARGIN), "page_width": mm(dim.PAGE_WIDTH), "page_height": mm(dim.PAGE_HEIGHT),
        "table_width": mm(dim.TABLE_WIDTH), "table_inset": mm(dim.BORDER / 2),
        "title_height": mm(dim.TITLE_HEIGHT), "border": mm(dim.BORDER), "pad_x": mm(dim.PAD_X),
        "pad_y": mm(dim.PAD_Y), "font": f"{dim.FONT_PT}pt", "head_font": f"{dim.HEAD_FONT_PT}pt",
        "line_height": str(dim.LINE_HEIGHT),
    }


def page_context(layout: DocumentLayout, page: Page, total: int) -> dict[str, Any]:
    svgs = lane_cells(page, layout.columns)
    rows = []
    for row_index, row in enumerate(page.rows):
        step = row.step
        rows.append({
            "kind": row.kind.value,
            "height": mm(row.height),
            "step": step,
            "waktu": waktu_text(step.waktu) if step else "",
            "keterangan": keterangan_text(layout.definition, step) if step else "",
            "lanes": [mark_safe(svgs[(row_index, lane)])  # noqa: S308 - built by svg.py, text escaped there
                      for lane in range(layout.columns.lane_count)],
        })
    return {
        "index": page.index,
        "number": page.index + 1,
        "total": total,
        "rows": rows,
        "last": page.index == len(layout.pages),
    }
