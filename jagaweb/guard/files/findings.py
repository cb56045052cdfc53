"""What a file scan answers: the flagged files, how many were looked at, and what could not be read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jagaweb.guard.choices import Severity, Verdict
from jagaweb.guard.files.severity import rank


@dataclass(frozen=True, slots=True)
class FileFinding:
    path: str  # relative to the scanned root, '/'-separated
    verdict: Verdict
    severity: Severity
    score: int
    reasons: tuple[str, ...]
    rules: tuple[str, ...]  # hit codes, for tests, filters and approvals

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "verdict": str(self.verdict),
            "severity": str(self.severity),
            "score": self.score,
            "reasons": list(self.reasons),
            "rules": list(self.rules),
        }


@dataclass(frozen=True, slots=True)
class Skipped:
    path: str
    reason: str


@dataclass(slots=True)
class ScanReport:
    scanned: int = 0  # regular files and symbolic links looked at
    bytes_read: int = 0
    files: list[FileFinding] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def sort(self) -> None:
        self.files.sort(key=lambda f: (-rank(f.severity), -f.score, f.path))

    def as_dict(self) -> dict[str, Any]:
        return {
            "scanned": self.scanned,
            "files": [finding.as_dict() for finding in self.files],
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
        }
