"""A backup against its parent's compact form (unchanged paths kept as their rows) must store exactly
the manifest a backup without a parent would, and see every kind of change."""

import json
import os
from pathlib import Path

import pytest

from jagaweb.backup.sources.webroot import WebRootSource
from jagaweb.backup.store.archiver import Archiver
from jagaweb.backup.store.manifest import Compact, Entry, Manifest
from jagaweb.backup.store.repository import Repository
from jagaweb.backup.store.restorer import Restorer
from jagaweb.backup.targets.local import LocalTarget
from tests.backup.test_store import make_tree, same_tree


def backup(repo: Repository, source: Path, parent: bool = True) -> str:
    with repo.locked():
        snapshots = repo.snapshots() if parent else []
        found = repo.load_snapshot(snapshots[-1].id) if snapshots else None
        archiver = Archiver(repo, parent=found[1] if found else None)
        WebRootSource(source).add_to(archiver)
        return archiver.finish("site", parent_id=found[0].id if found else None).id


def stored_rows(repo_path: Path, snapshot: str) -> list[list[object]]:
    return Repository.open(LocalTarget(repo_path), cache=False).load_snapshot(snapshot)[1].rows()


def test_compact_json_is_byte_identical_to_the_manifest_json():
    entries = [
        Entry("webroot/berita/2026/ibu-kota \"baru\".html", "file", 0o644, 12, 1, 33, 33, "ab" * 32, ["cd" * 32]),
        Entry("webroot/gambar/été\\ünicode ✓.jpg", "file", 0o600, 0, -5, 0, 0, "ef" * 32, []),
        Entry("webroot/tautan", "symlink", 0o777, target="../ke/sana"),
        Entry("webroot", "dir", 0o755, mtime_ns=2**62, inode=2**63 + 5, ctime_ns=7),
    ]
    manifest = Manifest(entries)
    compact = manifest.compact()
    assert compact.json() == json.dumps(manifest.rows(), separators=(",", ":")).encode()
    assert Manifest(compact=Compact(compact.paths, compact.keys, compact.texts)).rows() == manifest.rows()
    assert compact.paths == sorted(e.path for e in entries)
    # the form the cache keeps: the JSON and where each row ends in it
    stored = Compact(compact.paths, compact.keys, encoded=compact.json(), ends=list(compact.ends()))
    assert stored.valid() and stored.texts == compact.texts and stored.text(2) == compact.texts[2]
    ends = list(compact.ends())
    for broken in ([*ends[:1], ends[1] + 1, *ends[2:]], ends[:-1], [0, *ends[1:]], [ends[1], ends[0], *ends[2:]]):
        assert not Compact(compact.paths, compact.keys, encoded=compact.json(), ends=broken).valid()
    assert not Compact(compact.paths, compact.keys, encoded=compact.json()[:-1], ends=ends).valid()
    assert Compact([], [], []).json() == b"[]" and Compact([], [], encoded=b"[]", ends=[]).valid()


@pytest.mark.parametrize(("cached", "inserting"), [(True, 256), (False, 256), (True, 0)])
def test_each_kind_of_change_is_seen_and_the_manifest_equals_a_full_backup(tmp_path, monkeypatch, cached, inserting):
    """`inserting`: changed entries merged one by one into the kept rows, or all sorted again."""
    monkeypatch.setattr("jagaweb.backup.store.archiver.MERGE_BY_INSERTING", inserting)
    source = make_tree(tmp_path / "src")
    (source / "dua.txt").write_text("tetap\n")
    cache = tmp_path / "cache" if cached else False
    repo_path = tmp_path / "repo"
    Repository.init(LocalTarget(repo_path), cache=cache)
    first = backup(Repository.open(LocalTarget(repo_path), cache=cache), source)

    (source / "index.php").write_text("<?php echo 'berubah'; ?>\n")  # content
    os.chmod(source / "wp-content", 0o700)  # a folder's mode
    (source / "link").unlink()
    (source / "link").symlink_to(".htaccess")  # a symlink's target
    (source / "zero").unlink()  # gone
    (source / "baru.txt").write_text("baru\n")  # new
    os.utime(source / "dua.txt", ns=(1, 1))  # only times
    second = backup(Repository.open(LocalTarget(repo_path), cache=cache), source)

    repo = Repository.open(LocalTarget(repo_path), cache=cache)
    summary = repo.load_info(second)[0].summary
    assert summary["unchanged_files"] == summary["files"] - 3  # index.php, baru.txt, dua.txt
    full = backup(Repository.open(LocalTarget(repo_path), cache=False), source, parent=False)
    assert stored_rows(repo_path, second) == stored_rows(repo_path, full)
    assert repo.load_info(second)[1] == repo.load_info(full)[1]  # the very same manifest chunks
    manifest = dict((row[0], row) for row in stored_rows(repo_path, second))
    assert "webroot/zero" not in manifest and "webroot/baru.txt" in manifest
    assert manifest["webroot/link"][9] == ".htaccess"
    assert manifest["webroot/wp-content"][2] == 0o700
    assert stored_rows(repo_path, first) != stored_rows(repo_path, second)

    _, loaded = repo.load_snapshot(second)
    out = Restorer(repo, loaded.subtree("webroot")).restore(tmp_path / "out")
    assert out.failed == {}
    assert same_tree(source, tmp_path / "out")


def test_an_unchanged_tree_keeps_every_row_and_reuses_the_stored_manifest(tmp_path, monkeypatch):
    source = make_tree(tmp_path / "src")
    repo_path = tmp_path / "repo"
    Repository.init(LocalTarget(repo_path), cache=tmp_path / "cache")
    first = backup(Repository.open(LocalTarget(repo_path), cache=tmp_path / "cache"), source)
    monkeypatch.setattr(Repository, "store_bytes", lambda *_: pytest.fail("a manifest was stored"))
    repo = Repository.open(LocalTarget(repo_path), cache=tmp_path / "cache")
    with repo.locked():
        info, parent = repo.load_snapshot(first)
        archiver = Archiver(repo, parent=parent)
        WebRootSource(source).add_to(archiver)
        assert archiver.entries == [] and sorted(archiver.kept) == list(range(len(parent)))
        second = archiver.finish("site", parent_id=info.id)
    assert parent._entries is None  # the parent's entries were never made: rows were compared
    assert repo.load_info(second.id)[1] == repo.load_info(first)[1]
    assert second.summary["unchanged_files"] == second.summary["files"] == 4


def test_a_file_larger_than_a_worker_reads_streams_and_restores(tmp_path):
    """Above archiver.SMALL_FILE a file is read on the calling thread, ahead of the chunker, with its
    whole-content hash taken in another thread; a change in its middle stores one new chunk or two."""
    from jagaweb.backup.store.archiver import SMALL_FILE

    source = tmp_path / "src"
    source.mkdir()
    big = source / "dump.sql"
    big.write_bytes(os.urandom(SMALL_FILE // 2) * 3)
    repo_path = tmp_path / "repo"
    Repository.init(LocalTarget(repo_path), "rahasia", cache=tmp_path / "cache")
    backup(Repository.open(LocalTarget(repo_path), "rahasia", cache=tmp_path / "cache"), source)
    with open(big, "r+b") as handle:
        handle.seek(SMALL_FILE // 2 + 1000)
        handle.write(b"diubah")
    second = backup(Repository.open(LocalTarget(repo_path), "rahasia", cache=tmp_path / "cache"), source)
    repo = Repository.open(LocalTarget(repo_path), "rahasia", cache=tmp_path / "cache")
    info, manifest = repo.load_snapshot(second)
    assert 1 <= info.summary["new_blobs"] <= 4  # the changed chunk(s) and the manifest
    out = Restorer(repo, manifest.subtree("webroot")).restore(tmp_path / "out")
    assert out.failed == {}
    assert (tmp_path / "out/dump.sql").read_bytes() == big.read_bytes()
