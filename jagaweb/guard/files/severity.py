"""How the points of a file's hits turn into a severity (levels: `jagaweb.guard.choices.Severity`)."""

from __future__ import annotations

from jagaweb.guard.choices import Severity

ORDER = (Severity.INFO, Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL)
# One decisive behaviour (request input reaching eval) is worth 100 on its own; weak hints are worth 5-15 and
# reach "low" only together, so the few hints a clean CMS tree has stay unlisted.
THRESHOLDS = (
    (100, Severity.CRITICAL),
    (70, Severity.HIGH),
    (40, Severity.MEDIUM),
    (20, Severity.LOW),
    (1, Severity.INFO),
)


def rank(severity: Severity | str) -> int:
    return ORDER.index(Severity(severity))


def severity_of(points: int) -> Severity | None:
    """None below the smallest level: such a file is clean."""
    for threshold, severity in THRESHOLDS:
        if points >= threshold:
            return severity
    return None
