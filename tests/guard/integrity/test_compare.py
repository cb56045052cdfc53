"""A web root against its snapshot: every kind of change, nothing read that the metadata vouch for."""

from __future__ import annotations

import os
import stat

import pytest

from jagaweb.guard.integrity import ChangeKind, PathKind, compare_with_snapshot
from tests.guard.integrity.helpers import changes, make_site, take_snapshot


@pytest.fixture(params=[None, "kata sandi rahasia"], ids=["plain", "encrypted"])
def site(request, tmp_path):
    root = make_site(tmp_path / "www")
    snapshot, manifest = take_snapshot(root, tmp_path / "repo", request.param)
    return root, snapshot, manifest


def test_unchanged_tree_is_clean_and_reads_nothing(site):
    root, snapshot, manifest = site
    report = compare_with_snapshot(root, manifest, snapshot_id=snapshot)
    assert report.clean and report.changes == []
    assert report.files_hashed == 0 and report.bytes_hashed == 0
    assert report.files_seen == 7  # the cached page is excluded, as the backup excluded it
    assert report.paths_seen == 7 + 8 + 1  # files, folders, the symlink
    assert report.snapshot_id == snapshot and report.skipped == [] and report.links_outside == []


def test_cached_manifest_form_gives_the_same_answer(tmp_path):
    """The manifest as the local cache holds it (compact JSON rows) rather than as entries."""
    root = make_site(tmp_path / "www")
    _, manifest = take_snapshot(root, tmp_path / "repo", cache=tmp_path / "cache")
    assert compare_with_snapshot(root, manifest).clean
    (root / "index.php").write_text("<?php echo 'diretas'; ?>\n")
    assert changes(compare_with_snapshot(root, manifest)) == {("index.php", "modified")}


def test_touched_but_unchanged_files_are_unchanged(site):
    """In an encrypted repository too: the snapshot's content hash is plain BLAKE3, as ours."""
    root, _, manifest = site
    for name in ("index.php", "video.bin", "kosong.txt"):
        os.utime(root / name, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    report = compare_with_snapshot(root, manifest)
    assert report.clean
    assert report.files_hashed == 3
    assert report.bytes_hashed == (root / "index.php").stat().st_size + (root / "video.bin").stat().st_size


def test_each_kind_of_change(site):
    root, _, manifest = site
    old_hash = manifest.get("webroot/index.php").hash
    (root / "index.php").write_text("<?php /* disusupi */ eval($_POST['x']); ?>\n")
    (root / "shell.php").write_text("<?php system($_GET['c']); ?>\n")
    (root / "wp-content/uploads/2026/01/foto.jpg").unlink()
    os.chmod(root / "wp-config.php", 0o666)
    os.chown(root / ".htaccess", 4321, 4321)
    (root / "tautan").unlink()
    (root / "tautan").symlink_to("wp-config.php")
    (root / "kosong.txt").unlink()
    (root / "kosong.txt").symlink_to("index.php")  # a file replaced by a symlink
    (root / "kosong").rmdir()
    (root / "kosong").write_text("sekarang berkas\n")  # a folder replaced by a file
    report = compare_with_snapshot(root, manifest)
    assert changes(report) == {
        ("index.php", "modified"), ("shell.php", "added"), ("wp-content/uploads/2026/01/foto.jpg", "deleted"),
        ("wp-config.php", "permissions"), (".htaccess", "permissions"), ("tautan", "target"),
        ("kosong.txt", "type"), ("kosong", "type"),
    }
    modified = report.modified[0]
    assert modified.old.hash == old_hash and modified.new.hash != old_hash and len(modified.new.hash) == 64
    assert modified.new.size == (root / "index.php").stat().st_size and modified.old.size == 39
    added = report.added[0]
    assert added.old is None and added.new.kind == PathKind.FILE and added.new.hash
    deleted = report.deleted[0]
    assert deleted.new is None and deleted.old.size == 256 * 40
    mode = report.of_kind(ChangeKind.PERMISSIONS)
    assert {(c.path, c.old.mode, c.new.mode, c.old.uid, c.new.uid) for c in mode} == {
        ("wp-config.php", 0o640, 0o666, 0, 0), (".htaccess", 0o644 & ~current_umask(), 0o644 & ~current_umask(),
                                                 os.getuid(), 4321)}
    assert report.target_changes[0].old.target == "index.php" and report.target_changes[0].new.target == "wp-config.php"
    kinds = {c.path: (c.old.kind, c.new.kind) for c in report.type_changes}
    assert kinds == {"kosong.txt": ("file", "symlink"), "kosong": ("dir", "file")}
    flat = report.modified[0].as_dict()
    assert flat["old_hash"] == old_hash and flat["new_size"] == modified.new.size and flat["kind"] == "modified"
    # index.php and shell.php (content), wp-config.php and .htaccess (ctime moved), the file "kosong"
    assert report.files_hashed == 5


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_deleted_folder_lists_its_files_and_a_new_folder_its_own(site):
    root, _, manifest = site
    for path in sorted((root / "wp-content/themes").rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    (root / "wp-content/themes").rmdir()
    (root / "slot-gacor/aset").mkdir(parents=True)
    (root / "slot-gacor/aset/index.html").write_text("<h1>slot gacor</h1>\n")
    report = compare_with_snapshot(root, manifest)
    assert changes(report) == {
        ("wp-content/themes", "deleted"), ("wp-content/themes/tema", "deleted"),
        ("wp-content/themes/tema/style.css", "deleted"),
        ("slot-gacor", "added"), ("slot-gacor/aset", "added"), ("slot-gacor/aset/index.html", "added"),
    }
    assert report.added[0].new.kind == PathKind.DIR


def test_symlinks_are_never_followed(site, tmp_path):
    root, _, manifest = site
    outside = tmp_path / "luar"
    outside.mkdir()
    (outside / "rahasia.txt").write_text("jangan dibaca\n" * 1000)
    (root / "keluar").symlink_to(outside)  # a folder outside: never walked
    (root / "passwd").symlink_to("/etc/passwd")
    (root / "naik").symlink_to("../luar/rahasia.txt")
    (root / "lewat").symlink_to("kosong/../../luar")  # through a real folder, then out
    (root / "putar").symlink_to("putar")  # a loop of one
    (root / "a").symlink_to("b")
    (root / "b").symlink_to("a")
    (root / "dalam").symlink_to("wp-content/../index.php")
    report = compare_with_snapshot(root, manifest)
    assert changes(report) == {(name, "added") for name in ("keluar", "passwd", "naik", "lewat", "putar", "a", "b",
                                                            "dalam")}
    assert all(change.new.kind == PathKind.SYMLINK for change in report.changes)
    assert report.files_hashed == 0 and report.bytes_hashed == 0
    assert dict(report.links_outside) == {"keluar": str(outside), "passwd": "/etc/passwd",
                                          "naik": "../luar/rahasia.txt", "lewat": "kosong/../../luar"}


def test_a_folder_symlink_inside_then_out_is_found_outside(site):
    root, _, manifest = site
    (root / "wp-content/tangga").symlink_to("..")  # the root: inside
    (root / "pintu").symlink_to("wp-content/tangga/..")  # the root's parent, through the link
    report = compare_with_snapshot(root, manifest)
    assert dict(report.links_outside) == {"pintu": "wp-content/tangga/.."}


def test_special_files_are_reported_and_never_opened(site):
    root, _, manifest = site
    os.mkfifo(root / "pipa")  # opening it to read would block without a writer
    report = compare_with_snapshot(root, manifest)
    assert changes(report) == {("pipa", "added")}
    assert report.added[0].new.kind == PathKind.SPECIAL


def test_only_the_web_root_part_of_the_snapshot_counts(tmp_path):
    root = make_site(tmp_path / "www")
    _, manifest = take_snapshot(root, tmp_path / "repo", extra_stream=True)
    assert manifest.get("database/mysql-portal.sql") is not None
    assert compare_with_snapshot(root, manifest).clean  # the dump is not "deleted"
    report = compare_with_snapshot(root, manifest, prefix="database")
    assert {(c.path, str(c.kind)) for c in report.changes} >= {("mysql-portal.sql", "deleted"), ("index.php", "added")}


def test_excludes_apply_to_both_sides(tmp_path):
    root = make_site(tmp_path / "www")
    (root / "unggah/tmp").mkdir(parents=True)
    (root / "unggah/tmp/a.part").write_text("sementara\n")
    _, manifest = take_snapshot(root, tmp_path / "repo", excludes=["unggah/tmp/*"])
    (root / "wp-content/cache/lain.html").write_text("cache\n")  # default exclude
    (root / "unggah/tmp/b.part").write_text("sementara\n")
    (root / "catatan.swp").write_text("swap\n")  # default exclude by name
    assert compare_with_snapshot(root, manifest, excludes=["wp-content/cache/*", "*.swp", "unggah/tmp/*"]).clean
    report = compare_with_snapshot(root, manifest, excludes=[])
    assert changes(report) == {("wp-content/cache/halaman.html", "added"), ("wp-content/cache/lain.html", "added"),
                               ("unggah/tmp/a.part", "added"), ("unggah/tmp/b.part", "added"),
                               ("catatan.swp", "added")}
    # the plan dropped an exclude: what it kept out of the snapshot is new; what the snapshot has stays
    (root / "unggah/tmp/a.part").unlink()
    assert changes(compare_with_snapshot(root, manifest, excludes=["*.swp", "wp-content/cache/*"])) == {
        ("unggah/tmp/b.part", "added")}


def test_a_tree_deeper_than_the_limit_is_skipped_not_deleted(tmp_path):
    root = make_site(tmp_path / "www")
    deep = root.joinpath(*["d"] * 70)
    deep.mkdir(parents=True)
    (deep / "akhir.txt").write_text("dalam\n")
    _, manifest = take_snapshot(root, tmp_path / "repo")
    report = compare_with_snapshot(root, manifest)
    assert report.clean
    assert [s.path.count("/") for s in report.skipped] == [64] and "deeper" in report.skipped[0].reason


def test_progress_reports_the_bytes_hashed(site):
    root, _, manifest = site
    os.utime(root / "video.bin", ns=(1, 1))
    seen: list[tuple[int, int]] = []
    report = compare_with_snapshot(root, manifest, progress=lambda done, total: seen.append((done, total)))
    assert report.clean and seen[-1] == ((root / "video.bin").stat().st_size,) * 2


def test_a_missing_root_raises(tmp_path):
    _, manifest = take_snapshot(make_site(tmp_path / "www"), tmp_path / "repo")
    with pytest.raises(FileNotFoundError):
        compare_with_snapshot(tmp_path / "tidak-ada", manifest)


def test_root_may_be_a_symlink_as_for_the_backup(site, tmp_path):
    root, _, manifest = site
    (tmp_path / "current").symlink_to(root)
    assert compare_with_snapshot(tmp_path / "current", manifest).clean
    assert stat.S_ISLNK(os.lstat(tmp_path / "current").st_mode)
