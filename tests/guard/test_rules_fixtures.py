"""Every rule kind against its own fixture: the right verdict, at least the expected severity, the expected hit;
and clean look-alikes (hardening .htaccess, a sanitising plugin, an Indonesian page saying "slot waktu") stay clean."""

from __future__ import annotations

from pathlib import Path

import pytest

from jagaweb.guard.choices import Severity
from jagaweb.guard.files import ScanReport, scan_directory, scan_file
from jagaweb.guard.files.severity import rank
from jagaweb.guard.rules import RULES

from .files_tree import FIXTURES, Expected, build_tree, expectations


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> ScanReport:
    return scan_directory(build_tree(tmp_path_factory.mktemp("webroot")))


@pytest.mark.parametrize("row", expectations(), ids=lambda row: row.path)
def test_fixture_is_judged_as_expected(report: ScanReport, row: Expected) -> None:
    found = {finding.path: finding for finding in report.files}
    if row.verdict == "clean":
        assert row.path not in found, found.get(row.path)
        return
    finding = found.get(row.path)
    assert finding is not None, f"{row.path} was not flagged"
    assert finding.verdict == row.verdict, finding
    assert rank(finding.severity) >= rank(Severity(row.severity)), finding
    assert row.code in finding.rules, finding
    assert finding.reasons and all(isinstance(reason, str) and reason for reason in finding.reasons)


def test_every_rule_kind_has_a_fixture(report: ScanReport) -> None:
    seen = {code.split(".")[0] for finding in report.files for code in finding.rules}
    assert set(RULES) - seen <= {"symlink"}  # links cannot live in the fixture folder: see test_files_hostile


def test_scan_file_judges_bytes_without_a_tree() -> None:
    data = (FIXTURES / "webshell_post_system.php.txt").read_bytes()
    finding = scan_file("wp-content/uploads/x.php", data)
    assert finding is not None and finding.severity == Severity.CRITICAL
    assert scan_file("wp-content/uploads/index.php", b"<?php\n// Silence is golden.\n") is None
    assert scan_file("readme.txt", b"Selamat datang di portal Dinas Kominfo.") is None


def test_info_hints_are_listed_only_when_asked(tmp_path: Path) -> None:
    (tmp_path / ".user.ini").write_text("auto_prepend_file = '/var/www/html/wordfence-waf.php'\n")
    assert scan_directory(tmp_path).files == []
    (info,) = scan_directory(tmp_path, min_severity=Severity.INFO).files
    assert info.severity == Severity.INFO


def test_weak_hints_alone_do_not_flag_but_add_to_evidence() -> None:
    fetch_only = b"<?php\n$x = file_get_contents('https://api.example.invalid/v1');\n$y = json_decode($x);\n"
    assert scan_file("lib/client.php", fetch_only) is None
    in_assets = scan_file("assets/client.php", fetch_only + b"echo $_GET['a'];\nsystem($_GET['c']);\n")
    assert in_assets is not None and "location.asset-folder" in in_assets.rules
    assert scan_file("assets/plain.php", b"<?php echo date('Y');\n") is None
