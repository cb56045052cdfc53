"""Exported archives, read back with the standard tools alone: tar + zstd, unzip, cat, sha256sum."""

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import blake3
import pytest

from jagaweb.backup.store import export as export_module
from jagaweb.backup.store.archiver import Archiver
from jagaweb.backup.store.export import ExportError, export_snapshot
from jagaweb.backup.store.media import parse_size
from jagaweb.backup.store.repository import Repository
from jagaweb.backup.targets.local import LocalTarget

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("tar", "zstd", "unzip", "sha256sum", "cat")),
    reason="needs tar, zstd, unzip and sha256sum (apt-get install -y zstd unzip)",
)
TOP = {"SHA256SUMS", "MANIFEST.json"}
MTIME_NS = 1_763_700_000_123_456_789


def make_tree(root: Path) -> Path:
    (root / "site/pages").mkdir(parents=True)
    (root / "site/empty").mkdir()
    (root / "dokumen/surat keputusan").mkdir(parents=True)
    (root / "site/index.php").write_text("<?php echo 'Selamat datang'; ?>\n")
    (root / "site/run.sh").write_text("#!/bin/sh\necho ok\n")
    (root / "site/run.sh").chmod(0o755)
    (root / "site/.env").write_text("SECRET=1\n")
    (root / "site/.env").chmod(0o600)
    (root / "site/zero").write_bytes(b"")
    (root / "site/big.bin").write_bytes(os.urandom(2_500_000))  # several chunks
    (root / "dokumen/surat keputusan/SK Bupati No. 5 (2026) \u2013 salinan.txt").write_text("Menimbang: ...\n")
    for n in range(30):
        (root / f"site/pages/p{n}.html").write_text(f"<p>halaman {n}</p>\n" * (n + 1))
    (root / "site/link").symlink_to("index.php")
    (root / "site/pages-link").symlink_to("pages")
    for path in sorted(root.rglob("*"), key=lambda p: -len(p.parts)):  # folders after what they hold
        if not path.is_symlink():
            os.utime(path, ns=(MTIME_NS, MTIME_NS))
    return root


def listing(root: Path, second_mtimes: bool) -> dict[str, tuple]:
    """Everything that must survive: kind, content, mode, target, mtime (to the second for zip)."""
    found = {}
    for dirpath, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            if rel in TOP:
                continue
            st = path.lstat()
            mtime = st.st_mtime_ns // 10**9 if second_mtimes else st.st_mtime_ns
            if path.is_symlink():
                found[rel] = ("link", os.readlink(path))
            elif path.is_file():
                found[rel] = ("file", path.read_bytes(), st.st_mode & 0o7777, mtime)
            else:
                found[rel] = ("dir", st.st_mode & 0o7777, mtime)
    return found


def run(command: str, cwd: Path) -> str:
    done = subprocess.run(command, shell=True, cwd=cwd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"{command}: {done.stdout}{done.stderr}"
    return done.stdout


@pytest.fixture
def snapshot(tmp_path):
    source = make_tree(tmp_path / "src")
    repo = Repository.init(LocalTarget(tmp_path / "repo"))
    with repo.locked():
        archiver = Archiver(repo)
        archiver.add_tree(source)
        info = archiver.finish("dinas-kominfo")
    return repo, info, source


def check_extracted(folder: Path, source: Path, second_mtimes: bool = False) -> None:
    out = run("sha256sum -c SHA256SUMS", folder)
    assert out.count(": OK") == sum(1 for p in source.rglob("*") if p.is_file() and not p.is_symlink())
    assert listing(folder, second_mtimes) == listing(source, second_mtimes)


@pytest.mark.parametrize("command", ["zstd -d < {archive} | tar -xpf -", "tar --zstd -xpf {archive}"])
def test_tar_zst_extracts_with_standard_tools_byte_identical(snapshot, tmp_path, command):
    repo, info, source = snapshot
    archive = tmp_path / "arsip.tar.zst"
    calls = []
    report = export_snapshot(repo, info.id, archive, progress=lambda done, total: calls.append((done, total)))
    assert report.outputs == [archive] and report.readme is None
    assert calls[-1] == (2 * report.bytes, 2 * report.bytes) and calls == sorted(calls)  # hashing, then writing
    assert run(f"zstd -d < {archive} | tar -tf - | head -2", tmp_path).split() == ["SHA256SUMS", "MANIFEST.json"]
    (tmp_path / "x").mkdir()
    run(command.format(archive=archive), tmp_path / "x")
    check_extracted(tmp_path / "x", source)


def test_zip_extracts_with_unzip_byte_identical(snapshot, tmp_path):
    repo, info, source = snapshot
    archive = tmp_path / "arsip.zip"
    export_snapshot(repo, info.id, archive, fmt="zip")
    assert run(f"unzip -Z1 {archive} | head -2", tmp_path).split() == ["SHA256SUMS", "MANIFEST.json"]
    (tmp_path / "x").mkdir()
    run(f"unzip -q {archive}", tmp_path / "x")
    check_extracted(tmp_path / "x", source, second_mtimes=True)  # zip keeps whole seconds


@pytest.mark.parametrize("fmt", ["tar.zst", "zip"])
def test_volumes_joined_with_cat_extract_identically(snapshot, tmp_path, fmt):
    repo, info, source = snapshot
    media = tmp_path / "media"
    media.mkdir()
    report = export_snapshot(repo, info.id, media / f"arsip.{fmt}", fmt=fmt, volume_size="512K")
    assert [p.name for p in report.outputs] == [f"arsip.{fmt}.{n:03d}" for n in range(1, len(report.outputs) + 1)]
    assert len(report.outputs) >= 4
    assert all(p.stat().st_size == 512 * 1024 for p in report.outputs[:-1])
    readme = report.readme.read_text()
    assert report.readme.name == "arsip.README.txt"
    assert f"cat arsip.{fmt}.0* > arsip.{fmt}" in readme and "Gabungkan" in readme and "Join" in readme
    run(f"grep -E '^[0-9a-f]{{64}}  ' {report.readme.name} | sha256sum -c", media)  # as the README says
    run(f"cat arsip.{fmt}.0* > arsip.{fmt}", media)
    (tmp_path / "x").mkdir()
    extract = f"zstd -d < {media}/arsip.tar.zst | tar -xpf -" if fmt == "tar.zst" else f"unzip -q {media}/arsip.zip"
    run(extract, tmp_path / "x")
    check_extracted(tmp_path / "x", source, second_mtimes=fmt == "zip")


def test_manifest_lists_every_entry_with_both_hashes(snapshot, tmp_path):
    repo, info, source = snapshot
    export_snapshot(repo, info.id, tmp_path / "a.tar.zst")
    (tmp_path / "x").mkdir()
    run(f"tar --zstd -xf {tmp_path}/a.tar.zst MANIFEST.json", tmp_path / "x")
    body = json.loads((tmp_path / "x/MANIFEST.json").read_text())
    assert body["snapshot"]["id"] == info.id and body["snapshot"]["source"] == "dinas-kominfo"
    rows = {row["path"]: row for row in body["files"]}
    big = (source / "site/big.bin").read_bytes()
    assert rows["site/big.bin"]["sha256"] == hashlib.sha256(big).hexdigest()
    assert rows["site/big.bin"]["blake3"] == blake3.blake3(big).hexdigest()
    assert rows["site/link"]["target"] == "index.php" and rows["site/empty"]["kind"] == "dir"
    assert set(rows) == {p.relative_to(source).as_posix() for p in source.rglob("*")}


def test_some_paths_only(snapshot, tmp_path):
    repo, info, _ = snapshot
    export_snapshot(repo, info.id, tmp_path / "a.zip", fmt="zip", paths=["dokumen"])
    names = run(f"unzip -Z1 {tmp_path}/a.zip", tmp_path).splitlines()
    assert names == ["SHA256SUMS", "MANIFEST.json", "dokumen/", "dokumen/surat keputusan/",
                     "dokumen/surat keputusan/SK Bupati No. 5 (2026) \u2013 salinan.txt"]


def test_refusals_leave_nothing_behind(snapshot, tmp_path):
    repo, info, _ = snapshot
    (tmp_path / "old.tar.zst.003").write_bytes(b"a stale volume that cat would join")
    with pytest.raises(ExportError, match=r"old\.tar\.zst\.003 exists already"):
        export_snapshot(repo, info.id, tmp_path / "old.tar.zst", volume_size="1M")
    with pytest.raises(ExportError, match="another format"):
        export_snapshot(repo, info.id, tmp_path / "a.zip")
    with repo.locked():  # a path that would leave the folder it is extracted in
        archiver = Archiver(repo)
        archiver.add_stream("../etc/cron.d/evil", io.BytesIO(b"x"))
        evil = archiver.finish("site")
    with pytest.raises(ExportError, match="unsafe path"):
        export_snapshot(repo, evil.id, tmp_path / "evil.tar.zst")
    # damaged data: an error naming the file, and no archive
    _, manifest = repo.load_snapshot(info.id)
    location = repo.load_index().get(bytes.fromhex(manifest.get("site/big.bin").chunks[-1]))
    pack = tmp_path / f"repo/data/{location.pack[:2]}/{location.pack}"
    content = bytearray(pack.read_bytes())
    content[location.offset + 10] ^= 0xFF
    pack.write_bytes(bytes(content))
    with pytest.raises(ExportError, match=r"site/big\.bin"):
        export_snapshot(repo, info.id, tmp_path / "damaged.tar.zst", volume_size="1M")
    leftovers = {p.name for p in tmp_path.iterdir()} - {"src", "repo", "old.tar.zst.003"}
    assert leftovers == set()


@pytest.mark.parametrize("fmt", ["tar.zst", "zip"])
def test_content_that_differs_from_the_first_pass_is_refused(snapshot, tmp_path, monkeypatch, fmt):
    repo, info, _ = snapshot
    first_pass = export_module.hash_files

    def wrong_sums(*args):
        sums = first_pass(*args)
        sums["site/big.bin"] = export_module.Sums("0" * 64, sums["site/big.bin"].blake3)
        return sums

    monkeypatch.setattr(export_module, "hash_files", wrong_sums)
    with pytest.raises(ExportError, match="changed between the two passes"):
        export_snapshot(repo, info.id, tmp_path / f"a.{fmt}", fmt=fmt, volume_size="1M")
    assert {p.name for p in tmp_path.iterdir()} == {"src", "repo"}


def test_parse_size():
    assert parse_size("650M") == 650 * 1024**2
    assert parse_size("4480M") == 4480 * 1024**2
    assert parse_size("1g") == parse_size("1GiB") == 1024**3
    assert parse_size("100K") == 102400 and parse_size(4096) == 4096
    for wrong in ("", "12X", "1.5G", "-1M", "10"):
        with pytest.raises(ValueError):
            parse_size(wrong)
    assert re.fullmatch(r"\d+", str(parse_size(" 2 M ")))
