"""Hostile web roots and hostile timing: links out of the root, folders swapped for links while the
repair runs, files rewritten during and after their copy, very deep doorway trees, bad paths,
damaged or busy journals. Nothing outside the root is touched and nothing is lost unkept."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from jagaweb.guard.repair import (
    Change,
    ChangeKind,
    RepairError,
    RepairRun,
    UnsafePath,
    read_evidence,
    repair_steps,
    repair_tree,
)
from jagaweb.guard.repair.journal import Journal
from jagaweb.guard.repair.quarantine import Quarantine
from jagaweb.guard.repair.webroot import WebRoot
from jagaweb.steps import Step
from tests.guard.repair.site import JUDI, SHELL, build_site, find_changes, listing, outside_state, snapshot_listing


def test_paths_reported_behind_a_link_are_not_followed(tmp_path: Path) -> None:
    """A checker that followed the link would list the outside files as added: they stay."""
    site = build_site(tmp_path)
    trusted = snapshot_listing(site, tmp_path / "fresh")
    before = outside_state(site.outside)
    shutil.rmtree(site.root / "assets")
    (site.root / "assets").symlink_to(site.outside)
    changes = [*find_changes(site.root, site.manifest()), Change("assets/rahasia.txt", ChangeKind.ADDED),
               Change("assets/sub", ChangeKind.ADDED), Change("assets/sub/data.txt", ChangeKind.ADDED)]

    report = repair_tree(site.root, site.repo(), site.manifest(), changes, tmp_path / "quarantine")

    assert report.ok, (report.error, report.failures)
    assert outside_state(site.outside) == before
    assert listing(site.root) == trusted
    assert [(r.path, r.type, r.target) for r in report.quarantined] == [("assets", "symlink", str(site.outside))]


class SwapForLink(Step[RepairRun]):
    """Between quarantine and restore, the attacker swaps a folder of the snapshot for a link out."""

    name = "swap"

    def __init__(self, folder: str, outside: Path) -> None:
        self.folder, self.outside = folder, outside

    def run(self, run: RepairRun) -> None:
        shutil.rmtree(run.root.path / self.folder)
        (run.root.path / self.folder).symlink_to(self.outside)


def test_a_folder_swapped_for_a_link_during_the_repair_is_put_back_not_written_through(tmp_path: Path) -> None:
    site = build_site(tmp_path)
    trusted = snapshot_listing(site, tmp_path / "fresh")
    before = outside_state(site.outside)
    (site.root / "wp-content/themes/dinas/style.css").write_bytes(b"body { display: none }\n")
    steps = repair_steps()
    steps.insert(1, SwapForLink("wp-content/themes", site.outside))

    report = repair_tree(site.root, site.repo(), site.manifest(), find_changes(site.root, site.manifest()),
                         tmp_path / "quarantine", steps=steps)

    assert report.ok, (report.error, report.failures)
    assert outside_state(site.outside) == before
    assert listing(site.root) == trusted
    kept = {r.path: r for r in report.quarantined}
    assert kept["wp-content/themes"].target == str(site.outside)  # the link, kept before it was replaced
    assert (tmp_path / "quarantine" / kept["wp-content/themes/dinas/style.css"].copy).read_bytes() == (
        b"body { display: none }\n")


class Rewrite(Step[RepairRun]):
    name = "rewrite"

    def run(self, run: RepairRun) -> None:
        (run.root.path / "index.php").write_bytes(SHELL)


def test_a_file_rewritten_after_its_copy_is_kept_again_before_it_is_replaced(tmp_path: Path) -> None:
    site = build_site(tmp_path)
    (site.root / "index.php").write_bytes(JUDI)
    steps = repair_steps()
    steps.insert(1, Rewrite())
    quarantine = tmp_path / "quarantine"

    report = repair_tree(site.root, site.repo(), site.manifest(), [Change("index.php", ChangeKind.MODIFIED)],
                         quarantine, steps=steps)

    assert report.ok
    assert [(r.path, r.copy) for r in report.quarantined] == [("index.php", "files/index.php"),
                                                              ("index.php", "versions/2/index.php")]
    assert (quarantine / "files/index.php").read_bytes() == JUDI
    assert (quarantine / "versions/2/index.php").read_bytes() == SHELL
    assert read_evidence(quarantine / "evidence.json") == report.quarantined  # written again when the run ended


def test_a_file_rewritten_while_its_original_waits_to_replace_it_is_kept_again(tmp_path: Path) -> None:
    """The original is written beside the file first and put in place with its batch: the attacker
    writes in between (here from the progress callback, after the last path was prepared)."""
    site = build_site(tmp_path)
    (site.root / "index.php").write_bytes(JUDI)
    (site.root / "cron.php").write_bytes(JUDI)
    quarantine = tmp_path / "quarantine"

    def attacker(step: str, done: int, total: int) -> None:
        if step == "restore" and done == total:
            (site.root / "index.php").write_bytes(SHELL)

    report = repair_tree(site.root, site.repo(), site.manifest(), find_changes(site.root, site.manifest()),
                         quarantine, progress=attacker)

    assert report.ok
    kept = [(r.path, r.copy) for r in report.quarantined]
    assert kept == [("cron.php", "files/cron.php"), ("index.php", "files/index.php"),
                    ("index.php", "versions/2/index.php")]
    assert (quarantine / "versions/2/index.php").read_bytes() == SHELL
    assert (site.root / "index.php").read_bytes() != SHELL


class ChangingQuarantine(Quarantine):
    """The attacker's process writes to the file while the quarantine copies it."""

    def __init__(self, folder: Path, journal: Journal, victim: Path, times: int) -> None:
        super().__init__(folder, journal)
        self.victim, self.times = victim, times

    def read_block(self, fd: int, size: int) -> bytes:
        block = super().read_block(fd, size)
        if block and os.lseek(fd, 0, os.SEEK_CUR) == len(block) and self.times > 0:  # once a copy
            self.times -= 1
            with self.victim.open("ab") as handle:
                handle.write(b"<?php eval($_GET['x']); ?>\n")
        return block


def test_a_file_changed_while_it_is_copied_is_copied_again(tmp_path: Path) -> None:
    victim = tmp_path / "www/index.php"
    victim.parent.mkdir()
    victim.write_bytes(JUDI)
    with Journal(tmp_path / "journal") as journal:
        quarantine = ChangingQuarantine(tmp_path / "q", journal, victim, times=1)
        root = WebRoot(tmp_path / "www")
        try:
            record = quarantine.copy_file(root, "index.php", "modified")
        finally:
            root.close()
    assert (tmp_path / "q" / record.copy).read_bytes() == victim.read_bytes() != JUDI
    assert record.size == victim.stat().st_size


class UseQuarantine(Step[RepairRun]):
    """Puts the attacker's changing file in place of the run's quarantine, before it starts."""

    name = "use a changing quarantine"

    def __init__(self, victim: Path) -> None:
        self.victim = victim

    def run(self, run: RepairRun) -> None:
        run.quarantine = ChangingQuarantine(run.quarantine.folder, run.journal, self.victim, times=1000)


def test_a_file_that_keeps_changing_is_left_in_place_and_reported(tmp_path: Path) -> None:
    site = build_site(tmp_path)
    (site.root / "index.php").write_bytes(JUDI)
    (site.root / "cron.php").write_bytes(SHELL)
    steps = repair_steps()
    steps.insert(0, UseQuarantine(site.root / "index.php"))

    report = repair_tree(site.root, site.repo(), site.manifest(), find_changes(site.root, site.manifest()),
                         tmp_path / "quarantine", steps=steps)

    assert not report.ok and set(report.failures) == {"index.php"}
    assert "kept changing" in report.failures["index.php"]
    assert (site.root / "index.php").read_bytes().startswith(JUDI)  # never overwritten unkept
    assert report.restored == ["cron.php"]
    assert [r.path for r in report.quarantined] == ["cron.php"]


def test_a_very_deep_doorway_tree_is_kept_and_removed(tmp_path: Path) -> None:
    site = build_site(tmp_path)
    trusted = snapshot_listing(site, tmp_path / "fresh")
    folder = site.root / "deep"
    folder.mkdir()
    fd = os.open(folder, os.O_RDONLY)
    try:
        for _ in range(400):  # deeper than the recursion limit would allow a recursive walk
            os.mkdir("d", dir_fd=fd)
            inner = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
        with open(os.open("slot.html", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "wb") as handle:
            handle.write(b"<h1>slot</h1>")
    finally:
        os.close(fd)

    report = repair_tree(site.root, site.repo(), site.manifest(), [Change("deep", ChangeKind.ADDED)],
                         tmp_path / "quarantine")

    assert report.ok, (report.error, report.failures)
    assert listing(site.root) == trusted
    files = [r for r in report.quarantined if r.type == "file"]
    assert len(files) == 1 and files[0].path.count("/d") == 400 and files[0].size == len(b"<h1>slot</h1>")
    assert len(report.quarantined) == 402


@pytest.mark.parametrize("path", ["../etc/passwd", "/etc/passwd", "a/../../b", "", "a//b", "./a"])
def test_paths_that_could_leave_the_root_are_refused(path: str) -> None:
    with pytest.raises(UnsafePath):
        Change(path, ChangeKind.ADDED)


def test_the_quarantine_cannot_lie_in_the_web_root(tmp_path: Path) -> None:
    site = build_site(tmp_path)
    with pytest.raises(RepairError, match="outside the web root"):
        repair_tree(site.root, site.repo(), site.manifest(), [], site.root / "quarantine")
    assert not (site.root / "quarantine").exists()


def test_a_quarantine_belongs_to_one_root_and_one_run_at_a_time(tmp_path: Path) -> None:
    site = build_site(tmp_path)
    quarantine = tmp_path / "quarantine"
    assert repair_tree(site.root, site.repo(), site.manifest(), [], quarantine).ok
    other = tmp_path / "other-www"
    other.mkdir()
    with pytest.raises(RepairError, match="holds the repair of"):
        repair_tree(other, site.repo(), site.manifest(), [], quarantine)
    with Journal(quarantine / "journal"), pytest.raises(RepairError, match="another repair"):
        repair_tree(site.root, site.repo(), site.manifest(), [], quarantine)


def test_a_torn_last_journal_line_is_dropped_and_a_damaged_one_refused(tmp_path: Path) -> None:
    site = build_site(tmp_path)
    (site.root / "index.php").write_bytes(JUDI)
    changes = [Change("index.php", ChangeKind.MODIFIED)]
    quarantine = tmp_path / "quarantine"
    assert repair_tree(site.root, site.repo(), site.manifest(), changes, quarantine, steps=repair_steps()[:1]).ok
    journal = quarantine / "journal"
    complete = journal.read_bytes()
    journal.write_bytes(complete + b'{"op":"restored","pa')  # a crash in the middle of a line

    report = repair_tree(site.root, site.repo(), site.manifest(), changes, quarantine)

    assert report.ok and [r.path for r in report.quarantined] == ["index.php"]
    assert journal.read_bytes().startswith(complete + b'{"op":"begin"')
    journal.write_bytes(b"not json\n" + journal.read_bytes())
    with pytest.raises(RepairError, match="line 1 is damaged"):
        repair_tree(site.root, site.repo(), site.manifest(), changes, quarantine)


def test_a_copy_placed_but_not_journaled_is_used_not_duplicated(tmp_path: Path) -> None:
    """A crash between placing a copy and journaling it: the rerun finds the same bytes there."""
    site = build_site(tmp_path)
    (site.root / "index.php").write_bytes(JUDI)
    quarantine = tmp_path / "quarantine"
    (quarantine / "files").mkdir(parents=True)
    (quarantine / "files/index.php").write_bytes(JUDI)
    (quarantine / "files/.htaccess").write_bytes(b"an older, different content\n")
    (site.root / ".htaccess").write_bytes(SHELL)

    report = repair_tree(site.root, site.repo(), site.manifest(), find_changes(site.root, site.manifest()),
                         quarantine)

    assert report.ok
    assert {r.path: r.copy for r in report.quarantined} == {"index.php": "files/index.php",
                                                           ".htaccess": "versions/2/.htaccess"}
    assert (quarantine / "files/.htaccess").read_bytes() == b"an older, different content\n"  # never replaced
    assert (quarantine / "versions/2/.htaccess").read_bytes() == SHELL


def test_a_copy_that_cannot_be_made_leaves_the_file_alone(tmp_path: Path) -> None:
    site = build_site(tmp_path)
    (site.root / "index.php").write_bytes(JUDI)
    quarantine = tmp_path / "quarantine"
    (quarantine / "versions").mkdir(parents=True)
    (quarantine / "files").write_bytes(b"")  # a file where the copies' folder belongs...
    for number in range(2, 1001):
        (quarantine / f"versions/{number}").write_bytes(b"")  # ...and where every version would go

    report = repair_tree(site.root, site.repo(), site.manifest(), [Change("index.php", ChangeKind.MODIFIED)],
                         quarantine)

    assert "versions in quarantine already" in report.failures["index.php"]
    assert (site.root / "index.php").read_bytes() == JUDI
    assert report.restored == [] and report.quarantined == []
