"""Repair of an attacked web root from a real snapshot (plain and encrypted repositories): the
quarantine holds byte-identical copies of everything changed and added before anything is
overwritten, the repaired tree is byte-identical to the snapshot, evidence.json matches the copies,
and links out of the root are never followed."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from jagaweb.guard.repair import EvidenceRecord, PathType, RepairRun, read_evidence, repair_steps, repair_tree
from jagaweb.guard.repair.steps import QuarantineStep
from jagaweb.steps import Step
from tests.guard.repair.site import (
    JUDI,
    attack,
    b3,
    build_site,
    find_changes,
    listing,
    outside_state,
    sha256,
    snapshot_listing,
    untrusted,
)

PASSPHRASES = [pytest.param(None, id="plain"), pytest.param("kata sandi dinas kominfo", id="encrypted")]


def check_evidence(quarantine: Path, records: list[EvidenceRecord], expected: dict[str, tuple]) -> None:
    """Every expected path has a record of exactly what it was, a file a byte-identical copy whose
    hashes evidence.json gives; and nothing else is kept."""
    assert {record.path for record in records} == set(expected)
    for record in records:
        kind, *rest = expected[record.path]
        if kind == "file":
            content, mode, uid, gid = rest
            copy = (quarantine / record.copy).read_bytes()
            assert copy == content, record.path
            assert (record.sha256, record.blake3, record.size) == (sha256(copy), b3(copy), len(copy)), record.path
            assert (record.type, record.mode, record.uid, record.gid) == (PathType.FILE, mode, uid, gid), record.path
        elif kind == "link":
            assert (record.type, record.target, record.copy) == (PathType.SYMLINK, rest[0], ""), record.path
            assert record.sha256 == sha256(rest[0].encode()), record.path
        elif kind == "dir":
            assert (record.type, record.mode, record.uid, record.gid) == (PathType.DIR, *rest), record.path
        else:
            assert record.type == PathType.OTHER and record.copy == "", record.path


@pytest.mark.parametrize("passphrase", PASSPHRASES)
def test_repair_restores_the_snapshot_and_keeps_evidence(tmp_path: Path, passphrase: str | None) -> None:
    site = build_site(tmp_path, passphrase)
    trusted = snapshot_listing(site, tmp_path / "fresh")
    outside_before = outside_state(site.outside)
    attack(site)
    attacked = listing(site.root)
    changes = find_changes(site.root, site.manifest())
    quarantine = tmp_path / "quarantine"

    report = repair_tree(site.root, site.repo(), site.manifest(), changes, quarantine)

    assert report.ok, (report.error, report.failures)
    assert listing(site.root) == trusted  # every file's bytes, mode and owner; links; folders
    expected = untrusted(attacked, trusted)
    check_evidence(quarantine, report.quarantined, expected)
    assert read_evidence(quarantine / "evidence.json") == report.quarantined
    assert {"index.php", "slot-gacor/daftar/togel.html", "wp-content/uploads/2024/shell.php"} <= set(expected)
    assert (quarantine / "files/index.php").read_bytes() == JUDI
    assert {record.path: record.change for record in report.quarantined}["cron.php"] == "permissions"
    assert set(report.removed) >= {"slot-gacor", "folder-kosong", "loop", "up", "wp-content/uploads/pipe"}
    assert {"index.php", "readme.html", "assets/img/logo.png", "robots.txt"} <= set(report.restored)
    assert outside_state(site.outside) == outside_before
    copies = [path for path in quarantine.rglob("*") if path.is_file() and path.parent != quarantine]
    assert all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in copies)  # kept, never executable


class Inspect(Step[RepairRun]):
    """Looks at the tree and the quarantine between two steps of a real run."""

    name = "inspect"

    def __init__(self, quarantine: Path) -> None:
        self.quarantine = quarantine
        self.tree: dict[str, tuple] = {}
        self.records: list[EvidenceRecord] = []
        self.copies: dict[str, bytes] = {}

    def run(self, run: RepairRun) -> None:
        self.tree = listing(run.root.path)
        self.records = read_evidence(self.quarantine / "evidence.json")
        self.copies = {r.path: (self.quarantine / r.copy).read_bytes() for r in self.records if r.copy}


def test_quarantine_is_complete_before_anything_is_overwritten(tmp_path: Path) -> None:
    site = build_site(tmp_path)
    trusted = snapshot_listing(site, tmp_path / "fresh")
    attack(site)
    attacked = listing(site.root)
    quarantine = tmp_path / "quarantine"
    inspect = Inspect(quarantine)
    steps = repair_steps()
    steps.insert(1, inspect)

    report = repair_tree(site.root, site.repo(), site.manifest(), find_changes(site.root, site.manifest()),
                         quarantine, steps=steps)

    assert report.ok, (report.error, report.failures)
    assert inspect.tree == attacked  # nothing touched yet when the quarantine step ended...
    check_evidence(quarantine, inspect.records, untrusted(attacked, trusted))  # ...and all of it kept
    for path, content in inspect.copies.items():
        assert content == attacked[path][1], path
    assert listing(site.root) == trusted


def test_the_quarantine_step_alone_changes_nothing(tmp_path: Path) -> None:
    site = build_site(tmp_path)
    attack(site)
    attacked = listing(site.root)
    quarantine = tmp_path / "quarantine"
    report = repair_tree(site.root, site.repo(), site.manifest(), find_changes(site.root, site.manifest()),
                         quarantine, steps=[QuarantineStep()])
    assert report.ok and report.restored == [] and report.removed == []
    assert listing(site.root) == attacked
    assert len(read_evidence(quarantine / "evidence.json")) == len(report.quarantined) > 10


def test_a_second_run_changes_nothing_and_keeps_the_evidence(tmp_path: Path) -> None:
    site = build_site(tmp_path)
    attack(site)
    changes = find_changes(site.root, site.manifest())
    quarantine = tmp_path / "quarantine"
    first = repair_tree(site.root, site.repo(), site.manifest(), changes, quarantine)
    evidence = (quarantine / "evidence.json").read_bytes()
    repaired = listing(site.root)

    second = repair_tree(site.root, site.repo(), site.manifest(), changes, quarantine)

    assert first.ok and second.ok and second.resumed and not first.resumed
    assert second.quarantined == first.quarantined
    assert (quarantine / "evidence.json").read_bytes() == evidence
    assert listing(site.root) == repaired
    assert find_changes(site.root, site.manifest()) == []


def test_a_wrong_kind_does_not_decide_what_happens(tmp_path: Path) -> None:
    """The snapshot decides: a path it has, reported as added, is restored, not removed."""
    from jagaweb.guard.repair import Change, ChangeKind

    site = build_site(tmp_path)
    trusted = snapshot_listing(site, tmp_path / "fresh")
    (site.root / "index.php").write_bytes(JUDI)
    report = repair_tree(site.root, site.repo(), site.manifest(), [Change("index.php", ChangeKind.ADDED)],
                         tmp_path / "quarantine")
    assert report.ok and report.restored == ["index.php"] and report.removed == []
    assert listing(site.root) == trusted
    assert [(r.path, r.change) for r in report.quarantined] == [("index.php", "added")]
