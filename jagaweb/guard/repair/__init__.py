"""Repair of a web root after an attack (issue #5 item 5): quarantine every changed and added file
with its hashes as evidence, restore the originals from the trusted snapshot, remove what was added.

A pure library, without Django: the caller maps the integrity report to `Change`s, records the
report in the activity log and re-runs the page and visual checks afterwards.

    report = repair_tree(root, repo, manifest, changes, quarantine_dir, prefix="webroot/")
"""

from jagaweb.guard.repair.changes import Change, ChangeKind, PathType
from jagaweb.guard.repair.errors import NotReachable, QuarantineError, RepairError, UnsafePath
from jagaweb.guard.repair.evidence import EvidenceRecord, read_evidence
from jagaweb.guard.repair.repair import repair_tree
from jagaweb.guard.repair.report import RepairReport
from jagaweb.guard.repair.run import Progress, RepairRun
from jagaweb.guard.repair.steps import repair_steps

__all__ = [
    "Change",
    "ChangeKind",
    "EvidenceRecord",
    "NotReachable",
    "PathType",
    "Progress",
    "QuarantineError",
    "RepairError",
    "RepairReport",
    "RepairRun",
    "UnsafePath",
    "read_evidence",
    "repair_steps",
    "repair_tree",
]
