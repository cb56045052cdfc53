"""What a repair did, for the activity log and the page that shows it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from jagaweb.guard.repair.evidence import EvidenceRecord


@dataclass
class RepairReport:
    # Over every run with this quarantine folder (a resumed repair reports the whole repair):
    quarantined: list[EvidenceRecord] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)  # paths put back from the snapshot
    removed: list[str] = field(default_factory=list)  # added paths taken away (after quarantine)
    # Of this run:
    failures: dict[str, str] = field(default_factory=dict)  # path -> "step: reason"; the path was left alone
    error: str = ""  # the step that stopped the run and why; run the repair again to continue
    resumed: bool = False  # an earlier run with this quarantine folder had begun
    evidence: Path | None = None  # evidence.json

    @property
    def ok(self) -> bool:
        """Everything was kept, put back and removed, and the final check found the tree as in the snapshot."""
        return not self.failures and not self.error
