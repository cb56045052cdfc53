"""Hostile web roots: huge files, bad encodings, binary .php files, link loops, links out of the root, FIFOs,
unreadable and very deep entries. The scan never crashes, never blocks, and never reads outside the root."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from jagaweb.guard.files import scan as scan_module
from jagaweb.guard.files import scan_directory, scan_file
from jagaweb.guard.files.reading import HEAD_BYTES, TAIL_BYTES

SHELL = b"<?php if (isset($_POST['c'])) { system($_POST['c']); } ?>\n"


def paths(report: object) -> set[str]:
    return {finding.path for finding in report.files}  # type: ignore[attr-defined]


def test_huge_file_is_read_at_both_ends_only(tmp_path: Path) -> None:
    big = tmp_path / "huge.php"
    with big.open("wb") as out:
        out.write(b"<?php\n")
        out.truncate(64 * 1024 * 1024)  # sparse: 64 MiB of zeros costs no disk
    with big.open("ab") as out:
        out.write(SHELL)  # appended at the very end, as injected code often is
    report = scan_directory(tmp_path)
    assert "huge.php" in paths(report)
    assert report.bytes_read <= HEAD_BYTES + TAIL_BYTES + 16


def test_huge_content_given_to_scan_file_is_bounded() -> None:
    data = b"<?php\n" + b"$a = 1;\n" * 2_000_000 + SHELL
    finding = scan_file("big.php", data)
    assert finding is not None and "webshell.input-to-exec" in finding.rules


def test_invalid_encodings_do_not_crash(tmp_path: Path) -> None:
    (tmp_path / "latin1.html").write_bytes(
        "<title>Situs Slot Gacor \u2013 daftar slot</title>".encode("cp1252") + b"\xff\xfe\x80"
    )
    (tmp_path / "utf16.html").write_bytes("<p>slot gacor maxwin</p>".encode("utf-16"))
    (tmp_path / "broken.php").write_bytes(b"<?php \xc3\x28 \xa0\xa1 $x = '\xf0\x28\x8c\x28'; system($_GET['c']);")
    report = scan_directory(tmp_path)
    assert "broken.php" in paths(report)
    assert report.scanned == 3 and not report.skipped


def test_binary_files_with_a_php_name(tmp_path: Path) -> None:
    (tmp_path / "random.php").write_bytes(bytes(range(256)) * 64)
    (tmp_path / "image.php").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    (tmp_path / "empty.php").write_bytes(b"")
    found = {f.path: f for f in scan_directory(tmp_path).files}
    assert "binary-php.binary" in found["random.php"].rules
    assert "binary-php.image" in found["image.php"].rules
    assert "empty.php" not in found


def test_symlink_loops_and_links_out_of_the_root_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "shell.php").write_bytes(SHELL)
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "loop").symlink_to(root, target_is_directory=True)  # a loop back to the top
    (root / "self").symlink_to("self")  # a link to itself
    (root / "out").symlink_to(outside, target_is_directory=True)  # a directory outside the root
    (root / "out.php").symlink_to(outside / "shell.php")  # a file outside the root
    (root / "dangling").symlink_to(tmp_path / "missing")
    report = scan_directory(root)
    assert paths(report) == set()  # the shell outside was never read
    assert report.bytes_read == 0
    assert report.scanned == 5  # the five links, looked at as links


def test_links_exposing_the_server_are_flagged(tmp_path: Path) -> None:
    (tmp_path / "root.txt").symlink_to("/")
    (tmp_path / "site2.txt").symlink_to("/home/other/public_html/wp-config.php")
    (tmp_path / "wp-config.php").symlink_to("/etc/wordpress/wp-config.php")  # Debian's own layout
    found = {f.path: f for f in scan_directory(tmp_path).files}
    assert set(found) == {"root.txt", "site2.txt"}
    assert all("symlink.sensitive" in f.rules for f in found.values())


def test_only_never_passes_through_a_link(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "shell.php").write_bytes(SHELL)
    root = tmp_path / "root"
    root.mkdir()
    (root / "linked").symlink_to(outside, target_is_directory=True)
    report = scan_directory(root, only={"linked/shell.php", "../outside/shell.php", "/etc/passwd"})
    assert report.files == [] and report.bytes_read == 0
    assert {s.path for s in report.skipped} >= {"linked/shell.php", "../outside/shell.php"}


def test_fifo_is_not_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.php")
    (tmp_path / "ok.php").write_bytes(SHELL)
    report = scan_directory(tmp_path)  # opening the FIFO would block forever
    assert paths(report) == {"ok.php"} and report.scanned == 1


def test_unreadable_file_is_skipped_not_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "locked.php").write_bytes(SHELL)
    (tmp_path / "open.php").write_bytes(SHELL)
    real = scan_module.open_regular

    def refuse(name: str, dir_fd: int) -> tuple[int, os.stat_result]:
        if name == "locked.php":
            raise PermissionError(13, "Permission denied")
        return real(name, dir_fd)

    monkeypatch.setattr(scan_module, "open_regular", refuse)
    report = scan_directory(tmp_path)
    assert paths(report) == {"open.php"}
    assert [(s.path, s.reason) for s in report.skipped] == [("locked.php", "Permission denied")]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to run the scan as nobody")
def test_unreadable_entries_as_an_unprivileged_user(tmp_path_factory: pytest.TempPathFactory) -> None:
    base = Path(os.path.realpath("/tmp")) / f"jagaweb-guard-{os.getpid()}"
    root = base / "root"
    (root / "closed").mkdir(parents=True)
    try:
        (root / "closed" / "x.php").write_bytes(SHELL)
        (root / "secret.php").write_bytes(SHELL)
        (root / "open.php").write_bytes(SHELL)
        os.chmod(root / "secret.php", 0o000)
        os.chmod(root / "closed", 0o000)
        os.chmod(base, 0o755)
        os.chmod(root, 0o755)
        os.chmod(root / "open.php", 0o644)
        # Everything is loaded (and the vocabulary read) as root; then the process becomes nobody and scans.
        program = (
            "import json, os, sys, django; from django.conf import settings; settings.configure(USE_I18N=False);"
            "django.setup(); from pathlib import Path; from jagaweb.guard.files import scan_directory, scan_file;"
            "scan_file('warm.html', b'slot gacor hacked by'); os.setgid(65534); os.setuid(65534);"
            "print(json.dumps(scan_directory(Path(sys.argv[1])).as_dict()))"
        )
        done = subprocess.run([sys.executable, "-c", program, str(root)], capture_output=True, text=True,
                              cwd=Path(__file__).resolve().parents[2], check=True, timeout=60)  # fmt: skip
        import json

        result = json.loads(done.stdout)
        assert [f["path"] for f in result["files"]] == ["open.php"]
        assert {s["path"] for s in result["skipped"]} == {"closed", "secret.php"}
    finally:
        os.chmod(root / "closed", 0o755)
        import shutil

        shutil.rmtree(base)


def test_very_deep_trees_are_cut(tmp_path: Path) -> None:
    deep = tmp_path
    for _ in range(scan_module.MAX_DEPTH + 5):
        deep = deep / "d"
    deep.mkdir(parents=True)
    (deep / "x.php").write_bytes(SHELL)
    report = scan_directory(tmp_path)
    assert report.files == []
    assert len(report.skipped) == 1 and report.skipped[0].reason == "too deep"


def test_a_missing_root_is_reported(tmp_path: Path) -> None:
    report = scan_directory(tmp_path / "nope")
    assert report.scanned == 0 and report.skipped[0].path == "."


def test_hostile_php_stays_fast() -> None:
    """Thousands of unbalanced quotes, escapes and comment starts: every pass stays linear."""
    import time

    nasty = b"<?php " + b"'\\'" * 100_000 + b'"\\x41' * 50_000 + b"/*" * 50_000 + b"chr(1)." * 20_000
    started = time.perf_counter()
    scan_file("nasty.php", nasty)
    assert time.perf_counter() - started < 20
