"""The repair as ordered steps (jagaweb.steps): quarantine everything that will be overwritten or
removed, put the snapshot's paths back, remove the added ones, settle the folders, check.

A failure about one path is reported and leaves that path alone; any other error stops the run at
its step, and running the repair again with the same quarantine folder continues (journal.py).
"""

from __future__ import annotations

import contextlib

from jagaweb.backup.store.manifest import EntryKind
from jagaweb.backup.store.restorer import Restorer
from jagaweb.guard.repair.errors import PATH_ERRORS
from jagaweb.guard.repair.run import RepairRun
from jagaweb.guard.repair.writer import SnapshotWriter
from jagaweb.steps import Step


class QuarantineStep(Step[RepairRun]):
    name = "quarantine"

    def run(self, run: RepairRun) -> None:
        changes = sorted(run.changes, key=lambda change: change.path)
        with run.quarantine.batch():
            for number, change in enumerate(changes, start=1):
                try:
                    run.preserve(change.path, change.kind)
                except PATH_ERRORS as exc:
                    run.failed(change.path, self.name, exc)
                run.report_progress(self.name, number, len(changes))
        run.quarantine.write_evidence(run.root_text)
        run.journal.append("step", step=self.name)

    def cleanup(self, run: RepairRun) -> None:
        # Later steps add records when a path changed again; they reach evidence.json however the run ends.
        try:
            run.quarantine.write_evidence(run.root_text)
        except OSError as exc:
            run.failed("evidence.json", self.name, exc)


class RestoreStep(Step[RepairRun]):
    name = "restore"

    def __init__(self) -> None:
        self.writer: SnapshotWriter | None = None

    def run(self, run: RepairRun) -> None:
        wanted = run.to_restore()
        folders = sorted(path for path, entry in wanted.items() if entry.kind == EntryKind.DIR)
        others = [entry.path for entry in Restorer(run.repo, run.snapshot).in_pack_order(
            [entry for entry in wanted.values() if entry.kind != EntryKind.DIR])]
        writer = self.writer = SnapshotWriter(run.repo, run.root, list(wanted.values()), run.key)
        order = folders + others
        for number, path in enumerate(order, start=1):
            try:
                run.restore(path, wanted[path], writer)
            except PATH_ERRORS as exc:
                run.failed(path, self.name, exc)
            run.report_progress(self.name, number, len(order))
        run.commit_writes(writer)
        run.journal.append("step", step=self.name)

    def cleanup(self, run: RepairRun) -> None:
        if self.writer is not None:
            self.writer.discard()  # contents written but not yet put in place when the run stopped


class RemoveStep(Step[RepairRun]):
    name = "remove added"

    def run(self, run: RepairRun) -> None:
        added = run.added()
        removed_before = {line["path"] for line in run.journal.of("removed")}
        for number, change in enumerate(added, start=1):
            try:
                run.remove(change, removed_before)
            except PATH_ERRORS as exc:
                run.failed(change.path, self.name, exc)
            run.report_progress(self.name, number, len(added))
        run.journal.append("step", step=self.name)  # durable: and so the "removed" lines before it

    def cleanup(self, run: RepairRun) -> None:
        with contextlib.suppress(OSError):
            run.journal.sync()


class SettleFoldersStep(Step[RepairRun]):
    name = "settle folders"

    def run(self, run: RepairRun) -> None:
        run.settle_folders()


class CheckStep(Step[RepairRun]):
    name = "check"

    def run(self, run: RepairRun) -> None:
        run.check()


def repair_steps() -> list[Step[RepairRun]]:
    return [QuarantineStep(), RestoreStep(), RemoveStep(), SettleFoldersStep(), CheckStep()]
