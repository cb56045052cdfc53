"""Official SOP AP documents (Permenpan RB 35/2012) from definitions: HTML and PDF, A4 landscape.

Page 1 is the identity table (issuer left; Nomor SOP, Tanggal Pembuatan/Revisi/Efektif, Disahkan
Oleh, Nama SOP right; then Dasar Hukum | Kualifikasi Pelaksana, Keterkaitan | Peralatan/Perlengkapan,
Peringatan | Pencatatan dan Pendataan). The activity table follows: No | Kegiatan | one swimlane
column per performer, in the definition's order, holding the flowchart (capsule for start and end,
rectangle for a process, diamond for a decision with Ya/Tidak arrows, a dashed box for a performer a
step involves) | Mutu Baku (Kelengkapan, Waktu, Output) | Keterangan.

Chromium would choose its own page breaks, so the pagination is done here (`layout`): every row has
a fixed height estimated from its text (`text`), whole rows go on each page under the repeated
heading rows, and an arrow crossing a break becomes a pair of pentagon off-page connectors holding
the target step's number, at the bottom of the page it leaves and the top of the page it reaches.

Modules: `text` (text measure), `dimensions` (the page's measures and column widths), `layout`
(rows, pages, symbols; pure Python), `routes` (arrow routes), `svg` (the drawing), `html` (the
template `sop/document.html`), `pdf` (Chromium).

API: `layout_document(definition) -> DocumentLayout`, `render_html(definition) -> str`,
`render_pdf(definition, out: Path) -> Path`, `render_pdf_bytes(definition) -> bytes` (raises
`PdfUnavailable` when Chromium is missing or fails). CLI: `jagaweb sop render NAME_OR_FILE --pdf OUT
--html OUT`.
"""

from jagaweb.sop.render.html import render_html
from jagaweb.sop.render.layout import DocumentLayout, Page, layout_document
from jagaweb.sop.render.pdf import PdfUnavailable, render_pdf, render_pdf_bytes

__all__ = [
    "DocumentLayout",
    "Page",
    "PdfUnavailable",
    "layout_document",
    "render_html",
    "render_pdf",
    "render_pdf_bytes",
]
