"""A finding before it is saved: what each view of a site (pages, appearance, files, database) reports to a
guard check, in one shape, so the check stores, counts and alerts on them the same way."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jagaweb.guard.choices import Severity, Source, Verdict
from jagaweb.guard.page.result import PageVerdict

SEVERITY_ORDER = [str(value) for value in Severity.values]
# From least to most serious: a path or run takes the worst verdict any of its reasons argue for.
VERDICT_ORDER = [str(Verdict.CLEAN), str(Verdict.SUSPICIOUS), str(Verdict.DEFACED), str(Verdict.JUDOL)]


def severity_of(verdict: str, score: int) -> Severity:
    """Gambling spam and defacement on a government site are emergencies; a suspicion is not, yet."""
    if verdict in (Verdict.JUDOL, Verdict.DEFACED):
        return Severity.CRITICAL
    if verdict == Verdict.SUSPICIOUS:
        return Severity.HIGH if score >= 40 else Severity.MEDIUM
    return Severity.LOW if score else Severity.INFO


def worst(severities: list[str]) -> str:
    return max(severities, key=SEVERITY_ORDER.index, default=str(Severity.INFO))


@dataclass
class Draft:
    source: Source
    location: str
    verdict: str
    severity: str
    score: int = 0
    reasons: list[dict[str, Any]] = field(default_factory=list)
    identity: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_verdict(cls, source: Source, location: str, verdict: PageVerdict, *, identity: str = "",
                     **detail: Any) -> Draft:
        return cls(source, location, str(verdict.verdict), severity_of(verdict.verdict, verdict.score),
                   verdict.score, [reason.to_dict() for reason in verdict.reasons], identity, detail)

    @property
    def is_attack(self) -> bool:
        return self.verdict in (Verdict.JUDOL, Verdict.DEFACED)
