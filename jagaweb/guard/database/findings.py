"""What a database scan answers: findings (where, what, how urgent, why), rows scanned, notes and errors."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from jagaweb.guard.choices import Severity, Verdict
from jagaweb.guard.database.kinds import Exposure
from jagaweb.guard.files.severity import ORDER, rank
from jagaweb.guard.page.result import Reason

_SHIFT = {Exposure.SITE_WIDE: 1, Exposure.PUBLIC: 0, Exposure.HIDDEN: -1, Exposure.QUEUED: -2}
MAX_LABEL = 200


def severity_for(verdict: Verdict, score: int, exposure: Exposure) -> Severity:
    """Gambling spam or a defacement is high where visitors see it, critical on every page, lower in a draft."""
    if verdict in (Verdict.JUDOL, Verdict.DEFACED) or score >= 70:
        base = Severity.HIGH
    elif score >= 30:
        base = Severity.MEDIUM
    else:
        base = Severity.LOW
    level = rank(base) + _SHIFT[exposure]
    return ORDER[max(0, min(len(ORDER) - 1, level))]


def plain(value: Any) -> Any:
    """A key value as JSON has it (dates as ISO text, bytes as text)."""
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", "replace")
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


@dataclass(frozen=True)
class Finding:
    table: str
    key: dict[str, Any]  # the row's primary key, column -> value
    column: str
    locator: str  # for people: "wp_posts ID=42 post_content", "wp_options option_name=widget_text [2]"
    verdict: Verdict
    severity: Severity
    score: int
    exposure: Exposure
    reasons: tuple[Reason, ...]
    label: str = ""  # what the row is: "post “Slot Gacor” (publish)", "administrator 'adm1n'"

    @property
    def codes(self) -> list[str]:
        return [reason.code for reason in self.reasons]

    def to_dict(self) -> dict[str, Any]:
        return {
            "table": self.table, "key": {name: plain(value) for name, value in self.key.items()},
            "column": self.column, "locator": self.locator, "verdict": str(self.verdict),
            "severity": str(self.severity), "score": self.score, "exposure": str(self.exposure),
            "label": self.label, "reasons": [reason.to_dict() for reason in self.reasons],
        }


@dataclass
class DatabaseReport:
    cms: str
    engine: str
    database: str
    prefixes: list[str] = field(default_factory=list)  # table prefixes found ("wp_", "xyz_"; "" for none)
    scanned: dict[str, int] = field(default_factory=dict)  # rows looked at, per table
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # missing tables, skipped rows: not failures
    errors: list[str] = field(default_factory=list)  # queries that failed (a timeout, a permission)
    # Facts worth keeping between scans (administrators, active plugins, the site address), to compare later.
    inventory: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(self.scanned.values())

    def sort(self) -> None:
        self.findings.sort(key=lambda f: (-rank(f.severity), -f.score, f.locator))

    @property
    def worst(self) -> Severity | None:
        return max((finding.severity for finding in self.findings), key=rank, default=None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "cms": self.cms, "engine": self.engine, "database": self.database, "prefixes": list(self.prefixes),
            "rows": self.rows, "scanned": dict(self.scanned), "seconds": round(self.seconds, 3),
            "findings": [finding.to_dict() for finding in self.findings], "notes": list(self.notes),
            "errors": list(self.errors), "inventory": self.inventory,
        }
