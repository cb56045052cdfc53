"""The SOP document's HTML: every step's activity, performer, Waktu and Output of each built-in, the
identity table, one sheet per laid-out page, nothing fetched from anywhere; and `jagaweb sop render`."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.html import escape

from jagaweb.sop.definitions import builtin_definitions, load_definition
from jagaweb.sop.render import layout_document, render_html
from jagaweb.sop.render.content import waktu_text
from jagaweb.sop.render.kinds import NodeKind

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "sop"
LONG = FIXTURES / "render" / "panjang.yaml"
BUILTINS = builtin_definitions()
# Waktu as each seed document writes it (lower-cased: the document prints units in lower case).
SEED_WAKTU = {
    "pemeliharaan_website": ["1 hari", "1 hari", "1 hari", "3 jam", "1 hari", "2 jam", "3 hari"],
    "penjagaan_website": ["5 menit", "5 menit", "30 menit", "15 menit", "5 menit"],
    "pemeliharaan_website_pn": ["1 hari", "1 hari", "1 hari", "3 jam", "1 hari", "5 menit", "2 jam",
                                "1 jam - 3 hari", "1 jam"],
    "pemeliharaan_portal_keluhan": ["3 menit", "", "3 menit", "10 menit", "10 menit", "5 menit", "20 menit",
                                    "3 menit", "5 menit"],
    "permohonan_website_opd": ["2 menit", "3 menit", "2 menit", "25 menit", "30 menit", "15 menit", "3 hari",
                               "7 hari", "90 menit", "2 menit", "2 menit"],
}


@pytest.fixture(scope="module")
def documents() -> dict[str, str]:
    return {name: render_html(definition) for name, definition in BUILTINS.items()}


def step_rows(html: str) -> dict[int, str]:
    """Each step's table row, by number."""
    return {int(number): row for number, row in re.findall(r'<tr class="step" data-step="(\d+)">(.*?)</tr>', html)}


def cell(row: str, name: str) -> str:
    found = re.search(rf'<td class="{name}"><div class="cell" style="[^"]*">(.*?)</div></td>', row, re.S)
    assert found, name
    return found.group(1)


@pytest.mark.parametrize("name", list(BUILTINS))
def test_every_step_shows_its_activity_times_and_output_in_its_own_row(documents, name):
    rows = step_rows(documents[name])
    definition = BUILTINS[name]
    assert sorted(rows) == [step.number for step in definition.steps]
    for step, waktu in zip(definition.steps, SEED_WAKTU[name], strict=True):
        row = rows[step.number]
        assert cell(row, "number") == f"{step.number}."
        assert cell(row, "kegiatan") == escape(step.activity)
        assert cell(row, "kelengkapan") == escape(step.kelengkapan)
        assert cell(row, "waktu") == waktu == waktu_text(step.waktu)
        assert cell(row, "output") == escape(step.output)


@pytest.mark.parametrize("name", list(BUILTINS))
def test_every_activity_sheet_heads_its_columns_with_the_performers_in_order(documents, name):
    html = documents[name]
    sheets = html.split('<section class="sheet activity-sheet"')[1:]
    assert len(sheets) == len(layout_document(BUILTINS[name]).pages)
    labels = [escape(performer.label) for performer in BUILTINS[name].performers.values()]
    for sheet in sheets:
        found = re.findall(r'<th class="performer"><div class="cell" style="[^"]*">(.*?)</div></th>', sheet)
        assert found == labels
        for heading in ("No", "Kegiatan", "Pelaksana", "Mutu Baku", "Kelengkapan", "Waktu", "Output", "Keterangan"):
            assert f">{heading}</div></th>" in sheet


@pytest.mark.parametrize("name", list(BUILTINS))
def test_each_step_row_draws_its_symbol_in_its_performers_column(documents, name):
    definition = BUILTINS[name]
    order = list(definition.performers)
    shapes = {"start": "terminator", "end": "terminator", "process": "process", "decision": "decision"}
    for number, row in step_rows(documents[name]).items():
        step = definition.step(number)
        lanes = re.findall(r'<td class="lane-cell">(.*?)</td>', row)
        assert len(lanes) == len(order)
        assert f'class="{shapes[step.symbol]}"' in lanes[order.index(step.performer)]


def test_the_identity_table_shows_the_header_fields():
    html = render_html(BUILTINS["penjagaan_website"])
    for text in ("SOP-21.04.1.3.1.1-4", "01-09-2017", "02-09-2017", "Kepala Bagian Kominfo dan Humas",
                 "Penjagaan Website dari Perubahan Tidak Ditinginkan", "PEMERINTAH KABUPATEN", "SEKRETARIAT DAERAH",
                 "Peraturan Menteri komunikasi dan Informatika RI no 14 Tahun 2016",
                 "Staf Sub Bagian Komunikasi : Minimal DIII Teknik Informatika", "Jaringan Internet"):
        assert escape(text) in html, text
    for label in ("Nomor SOP", "Tanggal Pembuatan", "Tanggal Revisi", "Tanggal Efektif", "Disahkan Oleh", "Nama SOP",
                  "Dasar Hukum", "Kualifikasi Pelaksana", "Keterkaitan", "Peralatan / Perlengkapan", "Peringatan",
                  "Pencatatan dan Pendataan"):
        assert f"<th>{label}</th>" in html
    assert "Halaman 1 dari 2" in html


def test_the_approvers_name_and_nip_and_the_note_under_the_table_are_printed():
    html = render_html(load_definition(LONG))
    assert "Siti Rahmawati" in html and "NIP. 197512312000032001" in html
    assert 'Keterangan:</span>Langkah-langkah yang berulang dicatat setiap kali dilakukan.' in html
    pn = render_html(BUILTINS["pemeliharaan_website_pn"])
    assert escape("ISP layanan hosting seperti Ull Net, Jagoan hosting dll") in pn


def test_a_long_definitions_sheets_carry_their_connectors():
    definition = load_definition(LONG)
    html = render_html(definition)
    layout = layout_document(definition)
    sheets = html.split('<section class="sheet activity-sheet"')[1:]
    assert len(sheets) == len(layout.pages) >= 3
    for sheet, page in zip(sheets, layout.pages, strict=True):
        out = {node.target for node in page.connectors(NodeKind.OFF_PAGE_OUT)}
        into = {node.target for node in page.connectors(NodeKind.OFF_PAGE_IN)}
        assert {int(t) for t in re.findall(r'class="off-page-out" data-target="(\d+)"', sheet)} == out
        assert {int(t) for t in re.findall(r'class="off-page-in" data-target="(\d+)"', sheet)} == into
        assert f"Halaman {page.index + 1} dari {len(layout.pages) + 1}" in sheet
        assert [int(n) for n in re.findall(r'data-step="(\d+)"', sheet)] == [step.number for step in page.steps]


def test_the_document_fetches_nothing(documents):
    for html in [*documents.values(), render_html(load_definition(LONG))]:
        assert re.findall(r"https?://[^\"' ]+", html) == ["http://www.w3.org/2000/svg"] * html.count("<svg ")
        for fetching in ("<script", "<link", "<img", " src=", "url(", "@import"):
            assert fetching not in html


def test_text_from_the_definition_is_escaped():
    text = LONG.read_text().replace("activity: Menerima pemberitahuan penyelesaian",
                                    'activity: "<b>Menerima</b> & selesai"')
    html = render_html(load_definition(text, source_name="escaped.yaml"))
    assert "&lt;b&gt;Menerima&lt;/b&gt; &amp; selesai" in html and "<b>Menerima" not in html


def run(*args: str) -> str:
    out = StringIO()
    call_command("sop", "render", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_command_writes_the_html_of_a_builtin_or_of_a_file(tmp_path):
    builtin = tmp_path / "penjagaan.html"
    assert str(builtin) in run("penjagaan_website", "--html", str(builtin))
    assert builtin.read_text(encoding="utf-8") == render_html(BUILTINS["penjagaan_website"])
    from_file = tmp_path / "panjang.html"
    run(str(LONG), "--html", str(from_file))
    assert "Penanganan Gangguan Website Secara Lengkap" in from_file.read_text(encoding="utf-8")


def test_the_command_needs_an_output_and_a_known_definition(tmp_path):
    with pytest.raises(CommandError, match="--pdf OUT"):
        run("penjagaan_website")
    with pytest.raises(CommandError, match="tidak_ada"):
        run("tidak_ada", "--html", str(tmp_path / "x.html"))
    with pytest.raises(CommandError, match=r"x\.html"):
        run("penjagaan_website", "--html", str(tmp_path / "missing" / "x.html"))
