"""The process test_kill.py kills with SIGKILL at random points.

    python tests/backup/kill_runner.py REPO SOURCE [--pack-size BYTES]
        opens (or initialises) the repository on a LocalTarget, takes the lock and backs SOURCE up,
        with the latest snapshot's manifest as parent;
    python tests/backup/kill_runner.py REPO --prune KEEP_LAST [--pack-size BYTES]
        forgets all but the KEEP_LAST newest snapshots and prunes.

It prints "started" once its imports are done, then waits for a line on its standard input (so the
test can start it early and overlap the imports with its own checks), then prints "step WHAT NAME"
for every prune step and "done ..." at the end, each line flushed at once, to time the kill by.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from jagaweb.backup.store import pack as pack_module
from jagaweb.backup.store.archiver import Archiver
from jagaweb.backup.store.prune import prune_by_policy
from jagaweb.backup.store.repository import Repository
from jagaweb.backup.store.retention import Policy
from jagaweb.backup.targets.local import LocalTarget


def say(line: str) -> None:
    print(line, flush=True)


def backup(repo: Repository, source: Path) -> str:
    snapshots = repo.snapshots()
    parent = repo.load_snapshot(snapshots[-1].id)[1] if snapshots else None
    archiver = Archiver(repo, parent=parent, threads=2)
    archiver.add_tree(source)
    return archiver.finish("kill-test", parent_id=snapshots[-1].id if snapshots else None).id


def prune(repo: Repository, keep_last: int) -> str:
    report = prune_by_policy(
        repo, Policy(keep_last=keep_last), datetime.now(UTC), on_step=lambda what, name: say(f"step {what} {name}")
    )
    return f"forgot {len(report.snapshots_forgotten)} freed {report.bytes_freed}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("repo", type=Path)
    parser.add_argument("source", type=Path, nargs="?")
    parser.add_argument("--prune", type=int, metavar="KEEP_LAST")
    parser.add_argument("--pack-size", type=int)
    args = parser.parse_args()
    if args.pack_size:
        pack_module.PACK_TARGET_SIZE = args.pack_size  # many small packs: more moments to be killed in
    say("started")
    if sys.stdin.readline().strip() != "go":
        return  # the test ended without wanting this run
    repo = Repository.open_or_init(LocalTarget(args.repo))
    with repo.locked():
        say("locked")
        result = prune(repo, args.prune) if args.prune is not None else backup(repo, args.source)
    say(f"done {result}")


if __name__ == "__main__":
    main()
