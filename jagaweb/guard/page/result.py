"""What an analysis says: reasons with weights, and the verdict and score they add up to.

Each reason argues for one verdict with a weight (about "points of evidence"). A verdict of gambling spam
or defacement needs JUDGE_AT points arguing for it; below that, any SUSPICIOUS_AT points in total make the
page suspicious. The score is the sum of all weights, capped at 100, so it orders pages by how much is wrong.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

from jagaweb.guard.choices import Verdict

if TYPE_CHECKING:
    from jagaweb.guard.page.summary import PageSummary

JUDGE_AT = 50
SUSPICIOUS_AT = 20
MAX_EVIDENCE = 12


@dataclass(frozen=True)
class Reason:
    code: str  # short and stable, for machines: "judol.hidden", "deface.title"
    message: str | Promise  # for people, translated (lazily where most reasons are dropped unused)
    verdict: Verdict  # what this reason argues for
    weight: int
    evidence: tuple[str, ...] = ()  # the terms, hosts or URLs that made it

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": str(self.message), "weight": self.weight,
                "evidence": list(self.evidence[:MAX_EVIDENCE])}


def evidence(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({str(item)[:200] for item in items}))[:MAX_EVIDENCE]


@dataclass
class PageVerdict:
    verdict: Verdict
    score: int
    reasons: list[Reason]
    summary: PageSummary | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Exactly what `jagaweb guard scan-page --json` prints."""
        return {"verdict": str(self.verdict), "score": self.score, "reasons": [r.to_dict() for r in self.reasons]}

    @property
    def codes(self) -> list[str]:
        return [reason.code for reason in self.reasons]


def judge(reasons: Iterable[Reason], summary: PageSummary | None = None) -> PageVerdict:
    ordered = sorted(reasons, key=lambda reason: (-reason.weight, reason.code))
    by_verdict: dict[Verdict, int] = {}
    for reason in ordered:
        by_verdict[reason.verdict] = by_verdict.get(reason.verdict, 0) + reason.weight
    total = sum(reason.weight for reason in ordered)
    judol, defaced = by_verdict.get(Verdict.JUDOL, 0), by_verdict.get(Verdict.DEFACED, 0)
    if max(judol, defaced) >= JUDGE_AT:
        verdict = Verdict.JUDOL if judol >= defaced else Verdict.DEFACED
    elif total >= SUSPICIOUS_AT:
        verdict = Verdict.SUSPICIOUS
    else:
        verdict = Verdict.CLEAN
    return PageVerdict(verdict, min(total, 100), ordered, summary)
