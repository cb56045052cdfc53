"""A repair stopped midway (SIGKILL of the process, or an exception in a step) runs again to
completion: the evidence stays exactly what the attack left (the originals it had already put back
are never taken for evidence), and the tree ends byte-identical to the snapshot.

The killed process is repair_runner.py. Kills at known points hold the runner between two actions;
the others land wherever the runner is a few progress lines after a seeded count.
"""

from __future__ import annotations

import json
import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from jagaweb.guard.repair import Change, EvidenceRecord, read_evidence, repair_tree
from tests.guard.repair.site import Site, attack, build_site, find_changes, listing, outside_state, snapshot_listing
from tests.guard.repair.test_repair import check_evidence, untrusted

RUNNER = Path(__file__).with_name("repair_runner.py")
PAGES = 120  # pages changed and doorways added: a few hundred paths to quarantine, restore and remove
TIMEOUT = 60
SEED = int(os.environ.get("JAGAWEB_REPAIR_KILL_SEED", "20250805"))
RANDOM_KILLS = 6
BATCH = 32  # files made durable together (256 by default): a batch commits every 32 paths


@dataclass
class Scene:
    site: Site
    trusted: dict[str, tuple]
    attacked: dict[str, tuple]
    changes: list[Change]
    changes_file: Path
    quarantine: Path
    outside: dict[str, tuple]

    @property
    def expected(self) -> dict[str, tuple]:
        return untrusted(self.attacked, self.trusted)

    def repair(self, changes: list[Change] | None = None, **options: object):
        site = self.site
        return repair_tree(site.root, site.repo(), site.manifest(), self.changes if changes is None else changes,
                           self.quarantine, **options)

    def assert_complete(self, records: list[EvidenceRecord]) -> None:
        assert listing(self.site.root) == self.trusted
        check_evidence(self.quarantine, records, self.expected)
        assert read_evidence(self.quarantine / "evidence.json") == records
        assert outside_state(self.site.outside) == self.outside


def make_scene(work: Path, passphrase: str | None = None) -> Scene:
    site = build_site(work, passphrase, pages=PAGES)
    trusted = snapshot_listing(site, work / "fresh")
    outside = outside_state(site.outside)
    attack(site, pages=PAGES)
    changes = find_changes(site.root, site.manifest())
    changes_file = work / "changes.json"
    changes_file.write_text(json.dumps([[change.path, change.kind] for change in changes]))
    return Scene(site, trusted, listing(site.root), changes, changes_file, work / "quarantine", outside)


def journaled(quarantine: Path) -> list[EvidenceRecord]:
    """The records in the journal as a killed run left it (a torn last line is no record)."""
    content = (quarantine / "journal").read_bytes()
    lines = [json.loads(line) for line in content[:content.rfind(b"\n") + 1].splitlines()]
    return [EvidenceRecord.from_dict(line["record"]) for line in lines if line["op"] == "quarantined"]


def assert_nothing_lost(scene: Scene, context: str) -> None:
    """Whatever of the attack is gone from the tree is in the quarantine, as it was; and nothing
    the snapshot has, exactly, was taken as evidence."""
    records = journaled(scene.quarantine)
    now = listing(scene.site.root)
    for path, value in scene.expected.items():
        if now.get(path) == value:
            continue
        kept = [r for r in records if r.path == path]
        assert kept, f"{context}: {path} was changed before it was kept"
        if value[0] == "file":
            assert any((scene.quarantine / r.copy).read_bytes() == value[1] for r in kept), f"{context}: {path}"
    for record in records:
        trusted = scene.trusted.get(record.path)
        if trusted is not None and trusted[0] == "file" and record.copy:
            copy = (scene.quarantine / record.copy).read_bytes()
            assert (copy, record.mode, record.uid, record.gid) != tuple(trusted[1:]), f"{context}: {record.path}"


class Runner:
    """repair_runner.py with its output read by a thread, so every wait here is bounded."""

    started: list[subprocess.Popen] = []  # killed by the `no_runner_left` fixture whatever happens

    def __init__(self, scene: Scene, hold: str = "") -> None:
        site = scene.site
        command = [sys.executable, str(RUNNER), str(site.root), str(site.repo_path), site.snapshot_id,
                   str(scene.quarantine), str(scene.changes_file), "--hold", hold, "--batch", str(BATCH)]
        env = {**os.environ, "JAGAWEB_TEST_PASSPHRASE": site.passphrase or ""}
        self.stderr = (scene.quarantine.parent / "runner-stderr.txt").open("w")
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
                                        text=True, env=env)
        self.started.append(self.process)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self.read, daemon=True).start()
        self.expect("started")
        self.process.stdin.write("go\n")
        self.process.stdin.flush()

    def read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.strip())
        self.lines.put("")  # the end of its output

    def expect(self, prefix: str, count: int = 1) -> str:
        """The `count`th line starting with `prefix` ("" when the runner ended first)."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if line.startswith(prefix):
                count -= 1
                if count == 0:
                    return line
            if line == "" or line.startswith("done"):
                return line

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=TIMEOUT)
        self.stderr.close()
        errors = Path(self.stderr.name).read_text()
        assert self.process.returncode in (0, -signal.SIGKILL), errors


@pytest.fixture(autouse=True)
def no_runner_left() -> Iterator[None]:
    yield
    while Runner.started:
        process = Runner.started.pop()
        if process.poll() is None:
            process.kill()
        process.wait(timeout=TIMEOUT)


@pytest.mark.parametrize(("hold", "passphrase"), [
    ("quarantine:60", None),
    ("restore:1", None),
    ("restore:100", "sandi"),
    ("remove added:40", None),
])
def test_killed_at_a_known_point_then_run_again(tmp_path: Path, hold: str, passphrase: str | None) -> None:
    scene = make_scene(tmp_path, passphrase)
    runner = Runner(scene, hold)
    assert runner.expect("holding") == "holding"
    if hold == "restore:100":  # stopped midway: some pages are back, some written beside, some not yet
        now = listing(scene.site.root)
        pages = [path for path in scene.trusted if path.startswith("berita/") and scene.trusted[path][0] == "file"]
        assert 0 < sum(now.get(path) == scene.trusted[path] for path in pages) < len(pages)
        assert any(Path(path).name.startswith(".jagaweb-repair-") for path in now)
    runner.kill()
    assert_nothing_lost(scene, hold)
    kept_before = journaled(scene.quarantine)

    report = scene.repair()

    assert report.ok and report.resumed, (report.error, report.failures)
    assert report.quarantined[:len(kept_before)] == kept_before  # earlier records kept as they were
    scene.assert_complete(report.quarantined)


def test_killed_anywhere_again_and_again(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    scene = make_scene(tmp_path)
    added = sum(change.kind == "added" for change in scene.changes)
    counts = {"quarantine": len(scene.changes), "restore": len(scene.changes) - added, "remove added": added}
    kills = 0
    for round_number in range(RANDOM_KILLS):
        runner = Runner(scene)
        step = rng.choice(sorted(counts))
        at = rng.randint(1, counts[step])
        reached = runner.expect(f"progress {step} {at} ")
        time.sleep(rng.uniform(0, 0.004))  # the runner goes on meanwhile: the kill lands mid-action
        runner.kill()
        kills += not reached.startswith("done")
        assert_nothing_lost(scene, f"seed {SEED} round {round_number}: {step} {at} ({reached})")
    assert kills >= RANDOM_KILLS // 2, "most runs should have been killed before they finished"
    report = scene.repair()
    assert report.ok, (report.error, report.failures)
    scene.assert_complete(report.quarantined)


class Stop(Exception):
    pass


@pytest.mark.parametrize("recomputed", [False, True], ids=["same-changes", "changes-found-again"])
@pytest.mark.parametrize("stop_in", ["restore", "remove added"])
def test_an_exception_midway_then_run_again(tmp_path: Path, recomputed: bool, stop_in: str) -> None:
    scene = make_scene(tmp_path)

    def fail_after_some(step: str, done: int, total: int) -> None:
        if step == stop_in and done == 100:
            raise Stop("the disk went away")

    first = scene.repair(progress=fail_after_some)
    assert first.error.startswith(f"{stop_in}: the disk went away") and not first.ok
    assert 0 < len(first.restored) < len(scene.changes)
    assert not [p for p in listing(scene.site.root) if ".jagaweb-repair-" in p]  # files written beside: removed
    evidence = read_evidence(scene.quarantine / "evidence.json")
    assert evidence == first.quarantined  # written before the restore began
    # The lead may run it again with the list the integrity check finds now: the originals put
    # back so far are no longer in it, or with the same list; either way they are no evidence.
    changes = find_changes(scene.site.root, scene.site.manifest()) if recomputed else None

    second = scene.repair(changes)

    assert second.ok, (second.error, second.failures)
    assert second.quarantined == first.quarantined
    scene.assert_complete(second.quarantined)
