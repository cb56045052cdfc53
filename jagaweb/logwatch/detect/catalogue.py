"""Every rule JagaWeb's access-log detection has, with its category, severity and meaning: the
documentation of the findings, generated from the rules themselves so it cannot drift from them."""

from __future__ import annotations

from dataclasses import dataclass

from jagaweb.logwatch.detect.behaviour import Behaviour
from jagaweb.logwatch.detect.probing import REQUEST_LINE_RULES, ProbingFamily
from jagaweb.logwatch.detect.registry import FAMILIES


@dataclass(frozen=True)
class RuleDoc:
    category: str
    rule: str
    severity: str
    reads: str  # which part of the request, or "behaviour"
    description: str


def rule_catalogue() -> list[RuleDoc]:
    """All per-request and behaviour rules, in the order findings prefer them."""
    docs = []
    for family in FAMILIES:
        for pattern in family.patterns:
            served = f" ({pattern.served} when answered 2xx)" if pattern.served else ""
            docs.append(RuleDoc(str(family.category), pattern.rule, f"{pattern.severity}{served}",
                                ", ".join(sorted(pattern.sources)), pattern.description))
        if isinstance(family, ProbingFamily):
            docs += [RuleDoc(str(family.category), rule, str(severity), "request line", description)
                     for rule, severity, description in REQUEST_LINE_RULES]
    for rule in Behaviour().rules:
        counter = rule.counter
        docs.append(RuleDoc(str(counter.category), counter.rule, str(counter.severity), "behaviour",
                            f"{counter.threshold} or more in {counter.window_text}: "
                            + counter.detail.replace("{count}", "N").replace("{window}", counter.window_text)
                            .replace("{key}", "a crawler")))
    return docs


def markdown_table() -> str:
    lines = ["| category | rule | severity | reads | meaning |", "|---|---|---|---|---|"]
    lines += [f"| {doc.category} | {doc.rule} | {doc.severity} | {doc.reads} | {doc.description} |"
              for doc in rule_catalogue()]
    return "\n".join(lines)
