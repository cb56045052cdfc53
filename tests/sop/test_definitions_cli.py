"""`jagaweb sop validate / list / show / copy`, and the round trip of an institution's copy of a built-in."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from jagaweb.sop.definitions import BUILTIN_NAMES, builtin_definitions, definitions, load_definition

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "sop"
GOOD = FIXTURES / "good.yaml"
MISSING_TARGET = FIXTURES / "bad" / "missing_target.yaml"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def english() -> object:
    with translation.override("en"):
        yield


@pytest.fixture
def institution(settings, tmp_path) -> Path:
    settings.SOP_DEFINITIONS_DIR = tmp_path / "sop"
    return tmp_path / "sop"


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("sop", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_validate_accepts_a_good_file():
    out, err = run("validate", str(GOOD))
    assert out.strip() == f"{GOOD}: valid (7 steps, 4 performers)"
    assert err == ""


def test_validate_refuses_a_bad_file_with_file_line_field_and_exit_code_1():
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("sop", "validate", str(GOOD), str(MISSING_TARGET), stdout=out, stderr=err)
    assert caught.value.returncode == 1
    assert "1 of 2" in str(caught.value)
    assert err.getvalue().splitlines() == [f"{MISSING_TARGET}:11: steps[2].no: there is no step 9"]
    assert "valid" in out.getvalue()


def test_the_jagaweb_command_exits_1_on_a_bad_file(tmp_path):
    environment = {**os.environ, "JAGAWEB_DATA_DIR": str(tmp_path), "JAGAWEB_LANGUAGE": "en"}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    finished = subprocess.run(
        [sys.executable, "-m", "jagaweb", "sop", "validate", str(MISSING_TARGET)],
        cwd=REPO, env=environment, capture_output=True, text=True, timeout=120, check=False)
    assert finished.returncode == 1, finished.stderr
    assert f"{MISSING_TARGET}:11: steps[2].no: there is no step 9" in finished.stderr


def test_list_shows_the_builtins_and_the_institutions_files(institution):
    institution.mkdir()
    (institution / "aduan.yaml").write_text(GOOD.read_text())
    (institution / "rusak.yaml").write_text(MISSING_TARGET.read_text())
    out, _err = run("list")
    for name in BUILTIN_NAMES:
        assert name in out
    assert "aduan" in out and "institution" in out
    assert "rusak.yaml: invalid, 1 problems" in out


def test_show_prints_a_readable_view_by_name_or_file():
    out, _err = run("show", "pemeliharaan_website_pn")
    assert "Pemeliharaan Website" in out
    assert "  9. [End] Admin Website: Masalah terselesaikan, Data di Back Up kembali" in out
    assert "Waktu: 1 jam - 3 hari" in out
    out, _err = run("show", str(GOOD))
    assert "Ya -> 4, Tidak -> 6" in out
    with pytest.raises(CommandError, match="no definition named"):
        run("show", "tidak_ada")


def test_copy_round_trip_gives_the_same_definition_based_on_the_builtin(institution):
    out, _err = run("copy", "penjagaan_website", "penjagaan_kominfo.yaml")
    copied_path = institution / "penjagaan_kominfo.yaml"
    assert str(copied_path) in out
    copied = load_definition(copied_path)
    original = builtin_definitions()["penjagaan_website"]
    assert copied.name == "penjagaan_kominfo" and copied.based_on == "penjagaan_website"
    assert (copied.header, copied.performers, copied.steps, copied.triggers) == (
        original.header, original.performers, original.steps, original.triggers)
    assert "# The Kasubbag, so assigned" in copied_path.read_text()  # the explanations come along
    assert definitions()["penjagaan_kominfo"] == copied


def test_an_institution_adapts_its_copy_without_code_and_can_replace_the_builtin(institution):
    run("copy", "penjagaan_website", "penjagaan_website.yaml")
    path = institution / "penjagaan_website.yaml"
    text = path.read_text().replace("label: Staf Sub Bagian Komunikasi", "label: Pranata Komputer")
    path.write_text(text.replace("waktu: {value: 30, unit: minutes}", "waktu: {value: 1, unit: hours}"))
    run("validate", str(path))
    in_use = definitions()["penjagaan_website"]
    assert not in_use.builtin and in_use.performers["staf"].label == "Pranata Komputer"
    assert str(in_use.step(3).waktu) == "1 hours"
    # A copy of the copy still names the built-in it came from.
    run("copy", "penjagaan_website", "penjagaan_lagi.yaml")
    assert load_definition(institution / "penjagaan_lagi.yaml").based_on == "penjagaan_website"


def test_copy_refuses_to_overwrite_unknown_names_and_other_suffixes(institution, tmp_path):
    run("copy", "pemeliharaan_website", str(tmp_path / "satu.yaml"))
    assert (tmp_path / "satu.yaml").exists()
    with pytest.raises(CommandError, match="--force"):
        run("copy", "pemeliharaan_website", str(tmp_path / "satu.yaml"))
    run("copy", "penjagaan_website", str(tmp_path / "satu.yaml"), "--force")
    assert load_definition(tmp_path / "satu.yaml").based_on == "penjagaan_website"
    with pytest.raises(CommandError, match="no definition named"):
        run("copy", "tidak_ada", "x.yaml")
    with pytest.raises(CommandError, match=r"\.yaml"):
        run("copy", "pemeliharaan_website", "x.yml")
