"""The SOP documents printed by headless Chromium, then read back: the page count the layout planned,
each step's number, activity, times and output on its page (pdftotext), and the page images
(pdftoppm): each symbol drawn in its performer's column, nothing in the columns left empty. In the
browser itself: no text overflows its fixed-height cell and every sheet fits its A4 page."""

from __future__ import annotations

import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image

from jagaweb.sop.definitions import builtin_definitions, load_definition
from jagaweb.sop.render import dimensions as dim
from jagaweb.sop.render import layout_document, render_html, render_pdf
from jagaweb.sop.render.content import keterangan_text, waktu_text
from jagaweb.sop.render.svg import lane_cells
from tests.services import require_chromium, unavailable

pytestmark = pytest.mark.browser

LONG = Path(__file__).resolve().parent.parent / "fixtures" / "sop" / "render" / "panjang.yaml"
DPI = 100
DARK = 128  # a pixel darker than this is ink


def definitions():
    return {**builtin_definitions(), "panjang": load_definition(LONG)}


def require_poppler() -> None:
    if not (shutil.which("pdftoppm") and shutil.which("pdftotext") and shutil.which("pdfinfo")):
        unavailable("poppler-utils",
                    "pdftoppm, pdftotext and pdfinfo are not installed (apt-get install poppler-utils)")


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> dict[str, Path]:
    require_chromium()
    require_poppler()
    folder = tmp_path_factory.mktemp("sop-pdf")
    return {name: render_pdf(definition, folder / f"{name}.pdf") for name, definition in definitions().items()}


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def page_text(pdf: Path, number: int) -> str:
    """The page's text in the order it was printed (the table's cells row by row), without whitespace:
    the browser may break a line after a hyphen where the definition has none."""
    text = subprocess.run(["pdftotext", "-raw", "-f", str(number), "-l", str(number), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    return bare(text)


def page_images(pdf: Path, folder: Path) -> list[Image.Image]:
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", str(pdf), str(folder / "page")], check=True)
    return [Image.open(path).convert("L") for path in sorted(folder.glob("page-*.png"), key=lambda p: int(p.stem[5:]))]


def bare(text: str) -> str:
    return "".join(text.split())


NAMES = list(definitions())


@pytest.mark.parametrize("name", NAMES)
def test_the_pdf_has_the_identity_page_and_the_planned_activity_pages(printed, name):
    layout = layout_document(definitions()[name])
    assert page_count(printed[name]) == 1 + len(layout.pages)
    identity = page_text(printed[name], 1)
    assert "NomorSOP" in identity and "DasarHukum" in identity and bare(layout.definition.header.nama) in identity


@pytest.mark.parametrize("name", NAMES)
def test_each_step_is_printed_on_its_page_with_its_performer_columns_times_and_output(printed, name):
    definition = definitions()[name]
    layout = layout_document(definition)
    for page in layout.pages:
        text = page_text(printed[name], page.index + 1)
        assert bare(f"Halaman {page.index + 1} dari {len(layout.pages) + 1}") in text
        for performer in definition.performers.values():
            assert bare(performer.label) in text
        for step in page.steps:
            assert f"{step.number}.{bare(step.activity)}" in text, step.number
            quality = [bare(part) for part in (step.kelengkapan, waktu_text(step.waktu), step.output,
                                                keterangan_text(definition, step)) if part]
            assert "".join(quality) in text, step.number


def mm_to_px(value: float) -> int:
    return round(value * DPI / 25.4)


def ink(image: Image.Image, box_mm: tuple[float, float, float, float]) -> int:
    box = tuple(mm_to_px(value) for value in box_mm)
    return sum(image.crop(box).histogram()[:DARK])


@pytest.mark.parametrize("name", ["pemeliharaan_website_pn", "permohonan_website_opd", "panjang"])
def test_the_page_images_show_each_symbol_in_its_column_and_leave_empty_cells_blank(printed, name, tmp_path):
    layout = layout_document(definitions()[name])
    images = page_images(printed[name], tmp_path)
    assert len(images) == 1 + len(layout.pages)
    columns = layout.columns
    # The page's origin of the swimlanes: the margin, the title line, the heading rows, the table's rule.
    left = dim.PAGE_MARGIN + dim.BORDER / 2 + columns.number + columns.activity
    top = dim.PAGE_MARGIN + dim.TITLE_HEIGHT + layout.head_height
    for page, image in zip(layout.pages, images[1:], strict=True):
        for node in page.nodes:
            x0, y0, x1, y1 = node.box
            assert ink(image, (left + x0 - 0.5, top + y0 - 0.5, left + x1 + 0.5, top + y1 + 0.5)) > 40, node
        cells = lane_cells(page, columns)
        for (row_index, lane), svg in cells.items():
            if 'aria-hidden="true"></svg>' not in svg:
                continue
            row = page.rows[row_index]
            x0 = left + columns.lane_left(lane)
            blank = (x0 + 1, top + row.top + 1, x0 + columns.lane - 1, top + row.bottom - 1)
            assert ink(image, blank) == 0, (page.index, row_index, lane)


@pytest.fixture
def browser_page():
    """Per test: Playwright's sync API keeps an event loop open while it runs, and render_pdf (the
    command's test) must start its own."""
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.emulate_media(media="print")
        yield page
        browser.close()


OVERFLOWING = """() => Array.from(document.querySelectorAll('.cell, .note'))
    .filter(cell => cell.scrollHeight > cell.clientHeight + 1 || cell.scrollWidth > cell.clientWidth + 1)
    .map(cell => cell.textContent)"""
SHEET_HEIGHTS = """() => Array.from(document.querySelectorAll('.activity-sheet'))
    .map(sheet => sheet.getBoundingClientRect().height)"""


@pytest.mark.parametrize("name", NAMES)
def test_no_text_overflows_its_cell_and_every_sheet_fits_its_page(browser_page, name):
    browser_page.set_content(render_html(definitions()[name]))
    assert browser_page.evaluate(OVERFLOWING) == []
    page_height_px = dim.PAGE_HEIGHT * 96 / 25.4
    heights = browser_page.evaluate(SHEET_HEIGHTS)
    assert heights and all(height <= page_height_px for height in heights), heights


def test_the_command_prints_a_pdf(tmp_path):
    require_chromium()
    out = tmp_path / "penjagaan.pdf"
    written = StringIO()
    call_command("sop", "render", "penjagaan_website", "--pdf", str(out), "--html", str(tmp_path / "p.html"),
                 stdout=written)
    assert out.read_bytes().startswith(b"%PDF-") and str(out) in written.getvalue()
    assert (tmp_path / "p.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
