"""Crash safety: backups and prunes killed with SIGKILL at random points leave a repository that
verifies, whose every snapshot restores byte-identical, and that the next backup uses normally.

The killed process is tests/backup/kill_runner.py. Seeded, so a failure can be replayed; the seed,
round and kill time are in every assertion message.
"""

import contextlib
import functools
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from jagaweb.backup.store.repository import Repository
from jagaweb.backup.store.restorer import Restorer
from jagaweb.backup.store.verify import Verifier
from jagaweb.backup.targets.local import LocalTarget
from tests.backup.test_prune import listed_packs, listing, pack_files

SEED = int(os.environ.get("JAGAWEB_KILL_SEED", "20261121"))
BACKUP_KILLS, MAX_ROUNDS = 20, 40
RUNNER = Path(__file__).with_name("kill_runner.py")
PACK_SIZE = 192 * 1024
KEEP = 2  # snapshots a prune keeps
TIMEOUT = 30


@dataclass
class History:
    work: Path
    rng: random.Random
    trees: dict[str, Path] = field(default_factory=dict)  # snapshot id -> the tree it was taken of
    copies: int = 0
    last_duration: float = 0.0  # of the last backup that ran to its end, from "go" on
    processes: list[subprocess.Popen] = field(default_factory=list)

    @property
    def repo(self) -> Path:
        return self.work / "repo"

    @property
    def source(self) -> Path:
        return self.work / "src"

    def copy_source(self) -> Path:
        self.copies += 1
        return shutil.copytree(self.source, self.work / f"tree-{self.copies}", symlinks=True)


# ---- the source tree, changed before every run ----
def build_source(history: History) -> None:
    rng, root = history.rng, history.source
    for folder in range(8):
        for n in range(25):
            path = root / f"pages/d{folder}/p{n}.html"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(rng.randbytes(rng.randint(100, 3000)))
    (root / "media").mkdir()
    for n in range(3):
        (root / f"media/big{n}.bin").write_bytes(rng.randbytes(rng.randint(600_000, 1_200_000)))
    (root / "empty").mkdir()
    (root / "home").symlink_to("pages/d0/p0.html")


def mutate(history: History, number: int) -> None:
    rng, root = history.rng, history.source
    pages = sorted((root / "pages").rglob("*.html"))
    for path in rng.sample(pages, 15):
        path.write_bytes(rng.randbytes(rng.randint(100, 3000)))
    (root / f"media/big{number % 3}.bin").write_bytes(rng.randbytes(rng.randint(600_000, 1_200_000)))
    (root / f"pages/d{number % 8}/new{number}.html").write_bytes(rng.randbytes(700))
    rng.choice(pages).unlink()
    rng.choice(sorted((root / "pages").rglob("*.html"))).chmod(rng.choice([0o600, 0o640, 0o755]))


# ---- running and killing ----
def spawn(history: History, *args: str) -> subprocess.Popen:
    """The runner, importing; it waits for `go` before it touches the repository."""
    command = [sys.executable, str(RUNNER), str(history.repo), *args, "--pack-size", str(PACK_SIZE)]
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    history.processes.append(process)
    return process


def go(process: subprocess.Popen) -> None:
    assert process.stdout.readline().strip() == "started", process.stderr.read()
    process.stdin.write("go\n")
    process.stdin.close()


def kill(process: subprocess.Popen) -> str:
    """SIGKILL unless it has finished; what it had printed by then."""
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait(timeout=TIMEOUT)  # reaped: a zombie's pid would still look alive to the lock
    output, stderr = process.stdout.read(), process.stderr.read()
    process.stdout.close()
    process.stderr.close()
    assert process.returncode in (0, -signal.SIGKILL), stderr
    return output if process.returncode == -signal.SIGKILL else output + "exited\n"


def run_backup(history: History, kill_after: float | None, process: subprocess.Popen | None = None) -> str:
    """One backup run, killed after `kill_after` seconds; "completed", "killed locking" or "killed backing up"."""
    tree = history.copy_source()
    process = process or spawn(history, str(history.source))
    go(process)
    began = time.monotonic()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=TIMEOUT if kill_after is None else kill_after)
        history.last_duration = time.monotonic() - began  # it finished: the kills aim within this
    output = kill(process)
    new = adopt_new_snapshot(history, tree)
    if "exited" in output:
        assert new, "a backup that finished left no snapshot"
        return "completed"
    return "killed backing up" if "locked" in output else "killed locking"


def adopt_new_snapshot(history: History, tree: Path) -> bool:
    found = set(Repository.open(LocalTarget(history.repo)).snapshot_ids()) - set(history.trees)
    assert len(found) <= 1, f"one run made {len(found)} snapshots"
    for snapshot_id in found:
        history.trees[snapshot_id] = tree
    if not found:
        shutil.rmtree(tree)
    return bool(found)


def run_prune(history: History, kill_at_step: int | None) -> bool:
    """A prune keeping the KEEP newest snapshots, killed after its `kill_at_step`th step; True if killed."""
    repo = Repository.open(LocalTarget(history.repo))
    before = sorted(history.trees, key=lambda s: repo.load_info(s)[0].time)
    process = spawn(history, "--prune", str(KEEP))
    go(process)
    steps = 0
    while kill_at_step is None or steps < kill_at_step:
        line = process.stdout.readline()
        if not line or line.startswith("done"):
            break
        steps += line.startswith("step")
    killed = "exited" not in kill(process)
    remaining = set(Repository.open(LocalTarget(history.repo)).snapshot_ids())
    assert set(before[-KEEP:]) <= remaining <= set(before), "prune removed a snapshot the policy keeps"
    for snapshot_id in set(before) - remaining:
        shutil.rmtree(history.trees.pop(snapshot_id))
    return killed


# ---- the invariants ----
def check(history: History, context: str) -> None:
    repo = Repository.open(LocalTarget(history.repo))
    with repo.locked():  # the dead process's lock is stale: taking the lock clears it and its leftovers
        report = Verifier(repo).run(read_data=True)
        assert report.ok, f"{context}: verify failed: {report.problems} {report.damage}"
        assert listed_packs(history.repo, repo) <= pack_files(history.repo), f"{context}: indexed pack missing"
        leftovers = [p for p in history.repo.rglob(".tmp-*") if "locks" not in p.parts]
        assert not leftovers, f"{context}: leftovers {leftovers}"
        assert set(repo.snapshot_ids()) == set(history.trees), context
        for snapshot_id, tree in history.trees.items():
            restored_identically(repo, snapshot_id, tree, history.work / "restore", context)
    locks = [p.name for p in (history.repo / "locks").iterdir() if not p.name.startswith(".tmp-")]
    assert locks == [], f"{context}: the killed process's lock was not cleared: {locks}"


@functools.cache
def tree_listing(tree: Path) -> dict[str, tuple]:
    return listing(tree)  # the copies never change


def restored_identically(repo: Repository, snapshot_id: str, tree: Path, out: Path, context: str) -> None:
    _, manifest = repo.load_snapshot(snapshot_id)
    report = Restorer(repo, manifest).restore(out)
    assert report.failed == {}, f"{context}: snapshot {snapshot_id} failed to restore {report.failed}"
    assert listing(out) == tree_listing(tree), f"{context}: snapshot {snapshot_id} restored differently"
    shutil.rmtree(out)


@pytest.fixture
def history(tmp_path):
    history = History(tmp_path, random.Random(SEED))
    yield history
    for process in history.processes:  # a failed assertion leaves none running
        if process.poll() is None:
            process.kill()
            process.wait(timeout=TIMEOUT)


def test_killed_backups_and_prunes_leave_a_sound_repository(history):
    build_source(history)
    Repository.init(LocalTarget(history.repo))
    assert run_backup(history, kill_after=None) == "completed"  # one good snapshot
    mutate(history, 0)
    assert run_backup(history, kill_after=None) == "completed"  # a typical run, with a parent
    durations = [history.last_duration]
    outcomes: Counter[str] = Counter()
    process = spawn(history, str(history.source))
    for number in range(1, MAX_ROUNDS + 1):
        if outcomes["killed backing up"] + outcomes["killed locking"] >= BACKUP_KILLS:
            break
        mutate(history, number)
        finish = number % 8 == 0  # now and then a backup runs to its end (others finish by chance)
        kill_after = None if finish else history.rng.uniform(0, history.last_duration)
        context = f"seed {SEED} round {number} kill after {kill_after}"
        outcome = run_backup(history, kill_after, process)
        assert outcome == "completed" or not finish, context
        outcomes[outcome] += 1
        durations.append(history.last_duration)
        process = spawn(history, str(history.source))  # it imports while the checks run
        check(history, context)
        if number % 4 == 3:  # also keeps the snapshots to restore after every kill few
            step = history.rng.randint(1, 50)
            outcomes["prune killed" if run_prune(history, kill_at_step=step) else "prune completed"] += 1
            check(history, f"seed {SEED} round {number} prune killed at step {step}")
    mutate(history, MAX_ROUNDS + 1)
    assert run_backup(history, None, process) == "completed", "the backup after all the kills failed"
    run_prune(history, kill_at_step=None)
    check(history, f"seed {SEED} at the end")
    print(f"kill test: backups took {min(durations):.2f}-{max(durations):.2f} s; {dict(outcomes)}")
    assert outcomes["killed backing up"] + outcomes["killed locking"] >= BACKUP_KILLS, outcomes
    assert outcomes["prune killed"] >= 3 and outcomes["completed"] >= 2, outcomes
