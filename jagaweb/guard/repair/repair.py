"""repair_tree: put a web root back as the trusted snapshot has it, keeping evidence first."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from pathlib import Path

from jagaweb.backup.store.manifest import Manifest
from jagaweb.backup.store.repository import Repository
from jagaweb.guard.repair.changes import Change
from jagaweb.guard.repair.errors import RepairError
from jagaweb.guard.repair.evidence import now_text
from jagaweb.guard.repair.journal import Journal
from jagaweb.guard.repair.quarantine import Quarantine, make_folders
from jagaweb.guard.repair.report import RepairReport
from jagaweb.guard.repair.run import Progress, RepairRun
from jagaweb.guard.repair.steps import repair_steps
from jagaweb.guard.repair.webroot import WebRoot
from jagaweb.steps import Step, StepFailed, run_steps


def repair_tree(
    root: Path, repo: Repository, manifest: Manifest, changes: Sequence[Change], quarantine_dir: Path, *,
    prefix: str = "webroot/", progress: Progress | None = None, steps: Sequence[Step[RepairRun]] | None = None,
) -> RepairReport:
    """Quarantine every changed and added path of `root`, put the snapshot's paths back (those under
    `prefix` in `manifest`), remove the added ones and check the result.

    Run it again with the same `quarantine_dir` after a crash or a failed step: it continues, and
    keeps the evidence it has. `steps` replaces the default steps (repair_steps()). Raises
    RepairError when the quarantine folder cannot be used for this root; a failed step is in the
    report's `error`, a path that could not be handled in its `failures`.
    """
    root_path = root.resolve(strict=True)
    folder = quarantine_dir.resolve()
    if folder.is_relative_to(root_path) or root_path.is_relative_to(folder):
        raise RepairError(f"the quarantine {folder} must lie outside the web root {root_path}")
    make_folders(folder)
    with Journal(folder / "journal") as journal:
        begun = journal.of("begin")
        if begun and begun[0]["root"] != str(root_path):
            raise RepairError(f"{folder} holds the repair of {begun[0]['root']}, not of {root_path}")
        key = bytes.fromhex(begun[0]["key"]) if begun else secrets.token_bytes(32)
        begin = {"root": str(root_path), "at": now_text()}
        if not begun:
            begin["key"] = key.hex()  # kept for reruns: names of temporary files (writer.py)
        journal.append_many([("begin", begin)])
        web_root = WebRoot(root_path)
        try:
            run = RepairRun(
                root=web_root, root_text=str(root_path), repo=repo, snapshot=web_part(manifest, prefix),
                changes=list(changes), journal=journal, quarantine=Quarantine(folder, journal), key=key,
                progress=progress, resumed=bool(begun),
            )
            try:
                run_steps(repair_steps() if steps is None else steps, run)
            except StepFailed as exc:
                run.error = str(exc)
            report = run.report()
            journal.append("end", at=now_text(), ok=report.ok, failures=len(report.failures), error=report.error)
            return report
        finally:
            web_root.close()


def web_part(manifest: Manifest, prefix: str) -> Manifest:
    inner = prefix.strip("/")
    return manifest.subtree(inner) if inner else manifest
