"""scan_directory's contract: paths relative to the root, the JSON shape the CLI prints, counts, order, `only`."""

from __future__ import annotations

import json
from pathlib import Path

from jagaweb.guard.choices import Severity, Verdict
from jagaweb.guard.files import scan_directory

SHELL = b"<?php system($_GET['c']);\n"


def tree(root: Path) -> Path:
    (root / "wp-content" / "uploads" / "2024").mkdir(parents=True)
    (root / "wp-content" / "uploads" / "2024" / "x.php").write_bytes(SHELL)
    (root / "index.php").write_bytes(b"<?php require __DIR__ . '/wp-blog-header.php';\n")
    (root / "landing.html").write_text("<title>Slot Gacor Maxwin</title><p>daftar slot, rtp live, bonus new member</p>")
    (root / "style.css").write_text("body { color: #333 }")
    return root


def test_report_lists_flagged_files_relative_to_the_root(tmp_path: Path) -> None:
    report = scan_directory(tree(tmp_path))
    assert report.scanned == 4
    assert [f.path for f in report.files] == ["wp-content/uploads/2024/x.php", "landing.html"]  # worst first
    shell, landing = report.files
    assert shell.verdict == Verdict.SUSPICIOUS and shell.severity == Severity.CRITICAL
    assert landing.verdict == Verdict.JUDOL


def test_as_dict_is_the_cli_json(tmp_path: Path) -> None:
    document = json.loads(json.dumps(scan_directory(tree(tmp_path)).as_dict()))
    assert document["scanned"] == 4 and document["skipped"] == []
    first = document["files"][0]
    assert set(first) == {"path", "verdict", "severity", "score", "reasons", "rules"}
    assert first["verdict"] == "suspicious" and first["severity"] == "critical"
    assert all(isinstance(reason, str) for reason in first["reasons"])


def test_only_rescans_the_listed_paths(tmp_path: Path) -> None:
    root = tree(tmp_path)
    report = scan_directory(root, only={"index.php", "wp-content/uploads", "gone.php"})
    assert report.scanned == 2  # index.php and the one file under the listed folder; gone.php is gone
    assert [f.path for f in report.files] == ["wp-content/uploads/2024/x.php"]
    assert report.skipped == []
    assert scan_directory(root, only=set()).scanned == 0
    twice = scan_directory(root, only={"wp-content", "wp-content/uploads/2024/x.php", "./wp-content/uploads"})
    assert twice.scanned == 1 and len(twice.files) == 1


def test_min_severity_filters(tmp_path: Path) -> None:
    root = tree(tmp_path)
    assert [f.path for f in scan_directory(root, min_severity=Severity.CRITICAL).files] == [
        "wp-content/uploads/2024/x.php",
        "landing.html",
    ]
    (root / "google0123456789abcdef.html").write_text("google-site-verification: google0123456789abcdef.html")
    assert "google0123456789abcdef.html" not in {f.path for f in scan_directory(root, min_severity=Severity.HIGH).files}


def test_scan_accepts_a_site(tmp_path: Path) -> None:
    assert scan_directory(tree(tmp_path), site=None).scanned == 4
