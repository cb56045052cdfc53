"""SOP definitions: the five built-ins as the seed documents have them, the format, and every rule's
mistake reported at its line and field (the bad fixtures mark each expected problem with `# <- FIELD`)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

from jagaweb.people.choices import RoleKind
from jagaweb.sop.choices import AutomationKind, Symbol, TimeUnit, TriggerEvent
from jagaweb.sop.definitions import (
    BUILTIN_NAMES,
    DefinitionError,
    Problem,
    builtin_definitions,
    builtin_text,
    load_definition,
    validate_text,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "sop"
BAD = sorted((FIXTURES / "bad").glob("*.yaml"))
MARKER = re.compile(r"#\s*<-\s*(.*)$")

M, H, D = TimeUnit.MINUTES, TimeUnit.HOURS, TimeUnit.DAYS
# Per built-in: the Pelaksana columns in order, then each step as (performer, symbol, waktu or None).
EXPECTED = {
    "pemeliharaan_website": (
        ["Admin Website", "Kasub Perencanaan, TI dan Laporan", "Sekretaris", "Pihak ke-3"],
        [("admin_website", "start", (1, D)), ("admin_website", "process", (1, D)),
         ("admin_website", "process", (1, D)), ("admin_website", "process", (3, H)),
         ("admin_website", "process", (1, D)), ("sekretaris", "process", (2, H)),
         ("admin_website", "end", (3, D))],
    ),
    "penjagaan_website": (
        ["Kepala Bagian Kominfo dan Humas", "Kepala Sub Bagian Komunikasi", "Staf Sub Bagian Komunikasi"],
        [("kabag", "start", (5, M)), ("kasubbag", "process", (5, M)), ("staf", "process", (30, M)),
         ("kasubbag", "process", (15, M)), ("kasubbag", "end", (5, M))],
    ),
    "pemeliharaan_website_pn": (
        ["Admin Website", "Kasubbag Perencanaan, IT dan Pelaporan", "Sekretaris", "Pihak ke 3"],
        [("admin_website", "start", (1, D)), ("admin_website", "process", (1, D)),
         ("admin_website", "process", (1, D)), ("admin_website", "process", (3, H)),
         ("admin_website", "process", (1, D)), ("kasubbag", "process", (5, M)),
         ("sekretaris", "process", (2, H)), ("admin_website", "process", (3, D)),
         ("admin_website", "end", (1, H))],
    ),
    "pemeliharaan_portal_keluhan": (
        ["Pengguna (Pegawai/Non Pegawai DJKI)", "Direktur TI-KI", "Kasubdit Perencanaan", "Kasi Portal Web", "JFU"],
        [("pengguna", "start", (3, M)), ("direktur", "process", None), ("kasubdit", "process", (3, M)),
         ("kasi_portal", "process", (10, M)), ("kasi_portal", "process", (10, M)),
         ("kasi_portal", "process", (5, M)), ("jfu", "process", (20, M)), ("kasi_portal", "process", (3, M)),
         ("kasi_portal", "end", (5, M))],
    ),
    "permohonan_website_opd": (
        ["OPD", "Bagian Umum", "Kepala DKISP", "Bidang Aplikasi"],
        [("opd", "start", (2, M)), ("bagian_umum", "process", (3, M)), ("kepala_dkisp", "process", (2, M)),
         ("bidang_aplikasi", "process", (25, M)), ("bidang_aplikasi", "decision", (30, M)),
         ("bidang_aplikasi", "process", (15, M)), ("bidang_aplikasi", "process", (3, D)),
         ("bidang_aplikasi", "process", (7, D)), ("bidang_aplikasi", "process", (90, M)),
         ("bidang_aplikasi", "process", (2, M)), ("kepala_dkisp", "end", (2, M))],
    ),
}


@pytest.fixture(autouse=True)
def english() -> object:
    with translation.override("en"):
        yield


@pytest.mark.parametrize("name", BUILTIN_NAMES)
def test_each_builtin_loads_with_the_performers_steps_and_times_of_its_seed_document(name):
    definition = builtin_definitions()[name]
    assert validate_text(builtin_text(name), f"{name}.yaml") == []
    columns, steps = EXPECTED[name]
    assert [performer.label for performer in definition.performers.values()] == columns
    assert [step.number for step in definition.steps] == list(range(1, len(steps) + 1))
    found = [(step.performer, step.symbol,
              (int(step.waktu.value), step.waktu.unit) if step.waktu else None) for step in definition.steps]
    assert found == steps
    assert definition.builtin and definition.start.symbol == Symbol.START


def test_builtins_keep_the_documents_wording_outputs_and_flow():
    builtins = builtin_definitions()
    pn = builtins["pemeliharaan_website_pn"]
    assert len(pn.steps) == 9
    assert pn.step(6).activity == "Meneruskan Laporan kepada Sekretaris."
    assert str(pn.step(8).waktu) == "1 jam - 3 hari"
    assert pn.step(8).involves == ("pihak_ketiga",)
    assert pn.header.keterangan.startswith("Pihak ketiga yang dimaksud terdiri dari:")
    guard = builtins["penjagaan_website"]
    assert guard.header.nomor == "SOP-21.04.1.3.1.1-4"
    assert guard.header.tanggal_pembuatan == date(2017, 9, 1)
    assert guard.header.disahkan_oleh is not None
    assert guard.header.disahkan_oleh.jabatan == "Kepala Bagian Kominfo dan Humas"
    assert [step.output for step in guard.steps] == [
        "Disposisi", "Surat masuk", "Data backup website, Laporan keadaan website dan kerusakan website",
        "Website normal", "Laporan Kegiatan"]
    complaint = builtins["pemeliharaan_portal_keluhan"]
    assert complaint.step(2).kelengkapan == complaint.step(2).output == ""
    assert complaint.entry_step(TriggerEvent.COMPLAINT) == complaint.start
    request = builtins["permohonan_website_opd"]
    decision = request.step(5)
    assert (decision.symbol, decision.yes, decision.no, decision.next) == (Symbol.DECISION, 6, 11, None)
    assert request.step(2).output == "Dokumen elektronik, Surat dengan Lembar disposisi"
    assert request.performers["opd"].external and request.step(7).waits_for_requester
    assert builtins["pemeliharaan_website"].step(2).automations[0].kind == AutomationKind.BACKUP_RUN
    assert builtins["pemeliharaan_website"].entry_step(TriggerEvent.INCIDENT).number == 5


def test_the_good_fixture_uses_every_part_of_the_format():
    definition = load_definition(FIXTURES / "good.yaml")
    assert definition.name == "good" and len(definition.digest) == 64
    header = definition.header
    assert (header.tanggal_pembuatan, header.tanggal_revisi, header.tanggal_efektif) == (
        date(2024, 1, 2), date(2024, 2, 15), date(2024, 3, 1))
    assert header.disahkan_oleh is not None and header.disahkan_oleh.nip == "197001011990031001"
    assert definition.performers["kasi"].label == "Kepala Seksi Aplikasi"
    assert definition.performers["kasi"].role is None
    assert definition.performers["vendor"].role == RoleKind.THIRD_PARTY
    # Fall-through to the following step, explicit next, decision targets, end.
    assert [step.targets for step in definition.steps] == [(2,), (3,), (4, 6), (5,), (7,), (7,), ()]
    assert definition.step(2).waktu is not None and definition.step(2).waktu.value == Decimal("1.5")
    assert definition.step(2).escalation == "kasi" and definition.step(2).waits_for_requester
    assert str(definition.step(3).waktu) == "1 working days"
    assert [a.kind for a in definition.step(4).automations] == [AutomationKind.BACKUP_RUN, AutomationKind.GUARD_CHECK]
    assert definition.entry_step("complaint") == definition.start
    assert definition.entry_step("incident") == definition.step(3)
    assert definition.entry_step("guard_alert") is None
    assert [step.number for step in definition.steps_of("kasi")] == [3, 6, 7]
    assert definition.ends == (definition.step(7),)


def expected_problems(path: Path) -> set[tuple[int, str]]:
    expected = set()
    for number, line in enumerate(path.read_text().splitlines(), 1):
        match = MARKER.search(line)
        if match:
            fields = [field.strip() for field in match.group(1).split(",")]
            expected |= {(number, field) for field in fields}
    return expected


@pytest.mark.parametrize("path", BAD, ids=[path.stem for path in BAD])
def test_each_mistake_is_reported_at_its_line_and_field(path):
    expected = expected_problems(path)
    assert expected, f"{path.name} marks no expected problem"
    with pytest.raises(DefinitionError) as caught:
        load_definition(path)
    assert {(problem.line, problem.field) for problem in caught.value.errors} == expected
    assert all(problem.file == str(path) for problem in caught.value.errors)


def test_a_yaml_syntax_error_names_its_line():
    problems = validate_text("header: {nama: Contoh}\nsteps:\n  - [1, 2\n  - {number: 2}\n", "rusak.yaml")
    assert len(problems) == 1
    assert problems[0].line == 4 and problems[0].message.startswith("not valid YAML")
    assert str(problems[0]).startswith("rusak.yaml:4: not valid YAML")


def test_an_unknown_key_suggests_the_key_it_probably_means():
    problems = validate_text((FIXTURES / "bad" / "unknown_keys.yaml").read_text(), "x.yaml")
    messages = {problem.field: problem.message for problem in problems}
    assert messages["steps[1].kelengkapn"] == 'unknown key (did you mean "kelengkapan"?)'
    assert messages["owner"] == "unknown key"


def test_problems_print_as_file_line_field_message():
    assert str(Problem("a.yaml", 12, "steps[3].next", "there is no step 9")) == (
        "a.yaml:12: steps[3].next: there is no step 9")
    assert str(Problem("a.yaml", None, "", "the file is empty")) == "a.yaml: the file is empty"


@pytest.mark.parametrize("text", ["", "# a comment\n", "~\n", "- a\n- b\n", "just text\n", "---\na: 1\n---\nb: 2\n"])
def test_text_that_is_not_one_mapping_is_refused(text):
    with pytest.raises(DefinitionError) as caught:
        load_definition(text, source_name="x.yaml")
    assert caught.value.errors


def test_an_unreadable_file_is_a_definition_error(tmp_path):
    with pytest.raises(DefinitionError) as caught:
        load_definition(tmp_path / "missing.yaml")
    assert caught.value.errors[0].line is None
    (tmp_path / "latin1.yaml").write_bytes("header: {nama: Caf\xe9}\n".encode("latin-1"))
    with pytest.raises(DefinitionError):
        load_definition(tmp_path / "latin1.yaml")


def test_a_valid_text_has_no_problems_and_its_name_comes_from_the_source_name():
    text = (FIXTURES / "good.yaml").read_text()
    assert validate_text(text, "good.yaml") == []
    assert load_definition(text, source_name="/somewhere/layanan_aduan.yaml").name == "layanan_aduan"
