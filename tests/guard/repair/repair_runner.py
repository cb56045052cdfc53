"""The process test_kill.py kills with SIGKILL in the middle of a repair.

    python tests/guard/repair/repair_runner.py ROOT REPO SNAPSHOT QUARANTINE CHANGES_JSON [--hold STEP:N]
        [--batch FILES]

Opens the repository (passphrase from JAGAWEB_TEST_PASSPHRASE when set) and repairs ROOT. Prints
"started" once its imports are done and waits for "go" on its standard input; then prints
"progress STEP DONE TOTAL" after every path, flushed, and "done ok|failed" at the end. With
--hold STEP:N it stops after the Nth path of STEP, prints "holding" and reads its standard input
again, where the test kills it: a kill at a known point, between two actions of the repair.
--batch makes the batches of copies and restored files smaller: more points to be killed at.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from jagaweb.backup.store.repository import Repository
from jagaweb.backup.targets.local import LocalTarget
from jagaweb.guard.repair import Change, quarantine, repair_tree, writer


def say(line: str) -> None:
    print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("root", "repo", "snapshot", "quarantine", "changes"):
        parser.add_argument(name)
    parser.add_argument("--hold", default="")
    parser.add_argument("--batch", type=int)
    args = parser.parse_args()
    if args.batch:
        quarantine.BATCH_RECORDS = writer.BATCH_FILES = args.batch
    hold_step, _, hold_at = args.hold.rpartition(":")
    changes = [Change(path, kind) for path, kind in json.loads(Path(args.changes).read_text())]
    repo = Repository.open(LocalTarget(args.repo), os.environ.get("JAGAWEB_TEST_PASSPHRASE") or None)
    _, manifest = repo.load_snapshot(args.snapshot)
    say("started")
    if sys.stdin.readline().strip() != "go":
        return

    def progress(step: str, done: int, total: int) -> None:
        say(f"progress {step} {done} {total}")
        if step == hold_step and str(done) == hold_at:
            say("holding")
            sys.stdin.readline()

    report = repair_tree(Path(args.root), repo, manifest, changes, Path(args.quarantine), progress=progress)
    say(f"done {'ok' if report.ok else 'failed'} {report.error} {report.failures}")


if __name__ == "__main__":
    main()
