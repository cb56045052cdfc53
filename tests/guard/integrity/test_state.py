"""The state of the last scan: a rescan reads only files changed since, and a bad state file is never trusted."""

from __future__ import annotations

import os

import blake3
import pytest

from jagaweb.guard.integrity import IntegrityState, compare_with_snapshot
from jagaweb.guard.integrity.hashing import hasher_name
from jagaweb.guard.integrity.state import MAGIC, Scope
from tests.guard.integrity.helpers import changes, make_site, take_snapshot

MODIFIED = {("index.php", "modified"), ("shell.php", "added"), ("wp-config.php", "permissions")}


@pytest.fixture(autouse=True)
def settled(monkeypatch):
    """Files the tests just wrote count as settled (see test_a_file_written_just_before_is_hashed_again)."""
    monkeypatch.setattr("jagaweb.guard.integrity.hashpool.RACY_NS", 0)


@pytest.fixture
def site(tmp_path):
    root = make_site(tmp_path / "www")
    snapshot, manifest = take_snapshot(root, tmp_path / "repo")
    (root / "index.php").write_text("<?php /* disusupi */ ?>\n")
    (root / "shell.php").write_text("<?php system($_GET['c']); ?>\n")
    os.chmod(root / "wp-config.php", 0o666)
    os.utime(root / "video.bin", ns=(5, 5))  # touched, content unchanged
    return root, snapshot, manifest, tmp_path / "data" / "integrity" / "portal.state"


def test_rescan_hashes_only_what_changed_since_the_last_scan(site):
    root, snapshot, manifest, state_path = site
    first = compare_with_snapshot(root, manifest, state=IntegrityState(state_path), snapshot_id=snapshot)
    assert changes(first) == MODIFIED and first.files_hashed == 4 and not first.state_used
    assert state_path.exists() and state_path.stat().st_mode & 0o777 == 0o600

    second = compare_with_snapshot(root, manifest, state=IntegrityState(state_path), snapshot_id=snapshot)
    assert changes(second) == MODIFIED  # known modifications are still reported...
    assert second.files_hashed == 0 and second.state_used  # ...without reading them again
    assert second.modified[0].new.hash == first.modified[0].new.hash

    (root / "wp-content/themes/tema/style.css").write_text("body { display: none; }\n")
    (root / "index.php").write_text("<?php /* disusupi lagi */ ?>\n")
    third = compare_with_snapshot(root, manifest, state=IntegrityState(state_path), snapshot_id=snapshot)
    assert changes(third) == MODIFIED | {("wp-content/themes/tema/style.css", "modified")}
    assert third.files_hashed == 2
    state = IntegrityState(state_path)
    compare_with_snapshot(root, manifest, state=state, snapshot_id=snapshot)
    assert state.snapshot_id == snapshot


def test_a_changed_file_with_the_old_metadata_is_not_trusted_blindly(site):
    """The state vouches by size, mtime, ctime and inode: content written and mtime put back still moves ctime."""
    root, _, manifest, state_path = site
    compare_with_snapshot(root, manifest, state=IntegrityState(state_path))
    before = os.stat(root / "shell.php")
    (root / "shell.php").write_text("<?php passthru($_GET['c']); ?>\n")  # same length
    os.utime(root / "shell.php", ns=(before.st_atime_ns, before.st_mtime_ns))
    report = compare_with_snapshot(root, manifest, state=IntegrityState(state_path))
    assert report.files_hashed == 1
    assert report.added[0].new.hash != ""


def test_the_state_is_not_rewritten_when_nothing_changed(site):
    root, _, manifest, state_path = site
    state = IntegrityState(state_path)
    compare_with_snapshot(root, manifest, state=state, snapshot_id="a")
    first = state_path.stat()
    compare_with_snapshot(root, manifest, state=state, snapshot_id="a")
    assert state_path.stat().st_ino == first.st_ino and state_path.stat().st_mtime_ns == first.st_mtime_ns
    compare_with_snapshot(root, manifest, state=state, snapshot_id="b")  # another snapshot: written
    assert state_path.stat().st_ino != first.st_ino
    assert not [p for p in state_path.parent.iterdir() if p.name.startswith(".tmp-")]


@pytest.mark.parametrize("damage", ["flip", "truncate", "empty", "garbage", "magic-only"])
def test_a_damaged_state_file_means_a_full_and_correct_rescan(site, damage):
    root, _, manifest, state_path = site
    expected = compare_with_snapshot(root, manifest, state=IntegrityState(state_path))
    data = state_path.read_bytes()
    damaged = {
        "flip": data[:-5] + bytes([data[-5] ^ 0x01]) + data[-4:],
        "truncate": data[: len(data) // 2],
        "empty": b"",
        "garbage": os.urandom(len(data)),
        "magic-only": MAGIC,
    }[damage]
    state_path.write_bytes(damaged)
    state = IntegrityState(state_path)
    report = compare_with_snapshot(root, manifest, state=state)
    assert report.state_problem and not report.state_used
    assert report.files_hashed == 4
    assert report.changes == expected.changes
    # and the next scan has a good state again
    again = compare_with_snapshot(root, manifest, state=IntegrityState(state_path))
    assert again.state_used and again.files_hashed == 0 and again.state_problem == ""


def test_a_state_file_of_another_root_is_ignored(site, tmp_path):
    root, _, manifest, state_path = site
    compare_with_snapshot(root, manifest, state=IntegrityState(state_path))
    other = make_site(tmp_path / "lain")
    report = compare_with_snapshot(other, manifest, state=IntegrityState(state_path))
    assert "another web root" in report.state_problem and not report.state_used


def test_a_state_file_of_another_hash_is_ignored(site):
    import hashlib

    root, _, manifest, state_path = site
    compare_with_snapshot(root, manifest, state=IntegrityState(state_path))
    report = compare_with_snapshot(root, manifest, state=IntegrityState(state_path), hasher=hashlib.sha256)
    assert "hash" in report.state_problem and report.files_hashed == 4


def test_with_a_key_a_forged_state_file_is_refused(site):
    """Someone able to write the state file but without the key cannot make a file look unchanged."""
    root, _, manifest, state_path = site
    key = b"kunci rahasia guard"
    compare_with_snapshot(root, manifest, state=IntegrityState(state_path, key=key))
    assert compare_with_snapshot(root, manifest, state=IntegrityState(state_path, key=key)).files_hashed == 0

    # the forger rewrites it with a valid plain checksum, claiming shell.php has the hash of a harmless file
    forger = IntegrityState(state_path)
    scope = Scope(os.path.abspath(root), os.stat(root).st_dev, hasher_name(blake3.blake3), 32)
    records = IntegrityState(state_path, key=key).read(scope)
    records["webroot/shell.php"] = records["webroot/shell.php"][:32] + bytes(32)
    forger.save(scope, "", records)
    assert IntegrityState(state_path).read(scope)["webroot/shell.php"][32:] == bytes(32)  # readable without key
    report = compare_with_snapshot(root, manifest, state=IntegrityState(state_path, key=key))
    assert "checksum" in report.state_problem and report.files_hashed == 4
    assert report.added[0].new.hash != bytes(32).hex()


def test_a_file_written_just_before_is_hashed_again(site, monkeypatch):
    """Timestamps move a clock tick at a time: a file changed within RACY_NS of its hashing could change
    again with the same metadata, so its hash is reported but not kept for the next scan."""
    root, _, manifest, state_path = site
    monkeypatch.setattr("jagaweb.guard.integrity.hashpool.RACY_NS", 3600 * 10**9)
    assert compare_with_snapshot(root, manifest, state=IntegrityState(state_path)).files_hashed == 4
    assert compare_with_snapshot(root, manifest, state=IntegrityState(state_path)).files_hashed == 4
    monkeypatch.setattr("jagaweb.guard.integrity.hashpool.RACY_NS", 0)
    assert compare_with_snapshot(root, manifest, state=IntegrityState(state_path)).files_hashed == 4
    assert compare_with_snapshot(root, manifest, state=IntegrityState(state_path)).files_hashed == 0


def test_names_that_are_not_utf8_survive_the_state_file(tmp_path):
    root = make_site(tmp_path / "www")
    odd = os.fsdecode(b"caf\xe9-\xff.php")
    (root / odd).write_text("<?php ?>\n")
    _, manifest = take_snapshot(root, tmp_path / "repo")
    assert compare_with_snapshot(root, manifest).clean
    (root / odd).write_text("<?php eval('x'); ?>\n")
    state_path = tmp_path / "state"
    assert changes(compare_with_snapshot(root, manifest, state=IntegrityState(state_path))) == {(odd, "modified")}
    report = compare_with_snapshot(root, manifest, state=IntegrityState(state_path))
    assert changes(report) == {(odd, "modified")} and report.files_hashed == 0


def test_state_file_is_small(site):
    """Only files the snapshot does not vouch for are kept."""
    root, _, manifest, state_path = site
    compare_with_snapshot(root, manifest, state=IntegrityState(state_path))
    assert state_path.stat().st_size < 1024
    assert len(IntegrityState(state_path).read(Scope(os.path.abspath(root), os.stat(root).st_dev,
                                                     hasher_name(blake3.blake3), 32))) == 4


def test_a_state_file_that_cannot_be_read_or_written_does_not_stop_the_scan(site):
    root, _, manifest, state_path = site
    state_path.mkdir(parents=True)  # a folder where the file should be
    report = compare_with_snapshot(root, manifest, state=IntegrityState(state_path))
    assert changes(report) == MODIFIED and report.files_hashed == 4
    assert "cannot save the state file" in report.state_problem


def test_a_state_damaged_between_two_scans_of_one_object_is_written_again(site):
    root, _, manifest, state_path = site
    state = IntegrityState(state_path)
    compare_with_snapshot(root, manifest, state=state)
    good = state_path.read_bytes()
    state_path.write_bytes(good[:-1] + bytes([good[-1] ^ 0xFF]))
    damaged = compare_with_snapshot(root, manifest, state=state)
    assert damaged.state_problem and damaged.files_hashed == 4
    assert state_path.read_bytes() == good  # the same records, written again rather than taken as saved
