"""The flow rules of a definition's steps, checked on drafts that may still hold mistakes.

Numbers are unique and increase down the file. There is exactly one start, the first step, and at least
one end. A start or process step goes on to its `next`, or to the following step of the file when it
names none (so a straight procedure needs no `next` at all); the last step cannot fall through, so it
is an end or names its next step. A decision names both `yes` and `no` and no `next`; an end names
none of the three. Every target is an existing step other than the step itself, every step can be
reached from the start, and from every step an end can be reached (no loop without a way out).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

import yaml
from django.utils.translation import gettext as _

from jagaweb.sop.choices import Symbol
from jagaweb.sop.definitions.nodes import NodeReader

LINKS = ("next", "yes", "no")


@dataclass
class StepDraft:
    """A step as read, before its flow is checked. `links` holds next/yes/no as (number, line)."""

    position: int
    line: int
    number: int | None = None
    number_line: int = 0
    symbol: str = ""  # "" when missing or not a Symbol (already reported)
    links: dict[str, tuple[int, int]] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)  # the remaining keyword arguments of Step

    @property
    def path(self) -> str:
        return f"steps[{self.number}]" if self.number is not None else f"steps[#{self.position}]"


def resolve_flow(drafts: list[StepDraft], reader: NodeReader, steps_node: yaml.Node) -> list[int | None]:
    """Check the rules above, reporting to `reader`; return each draft's `next` with fall-through applied."""
    problems_before = len(reader.problems)
    check_numbers(drafts, reader)
    check_symbols(drafts, reader, steps_node)
    following = check_links(drafts, reader)
    # On a broken graph (or steps whose number or symbol could not be read), reachability only adds noise.
    sound = all(draft.number is not None and draft.symbol for draft in drafts)
    if sound and len(reader.problems) == problems_before:
        check_reachability(drafts, following, reader)
    return following


def check_numbers(drafts: list[StepDraft], reader: NodeReader) -> None:
    seen: dict[int, StepDraft] = {}
    previous: int | None = None
    for draft in drafts:
        if draft.number is None:
            continue
        where = draft.number_line or draft.line
        if draft.number in seen:
            reader.report_line(where, f"{draft.path}.number", _(
                "number %(number)s is already used on line %(line)s") % {
                "number": draft.number, "line": seen[draft.number].line})
        elif previous is not None and draft.number < previous:
            reader.report_line(where, f"{draft.path}.number", _(
                "numbers must increase down the file: %(number)s comes after %(previous)s") % {
                "number": draft.number, "previous": previous})
        elif draft.number < 1:
            reader.report_line(where, f"{draft.path}.number", _("numbers start at 1"))
        seen.setdefault(draft.number, draft)
        previous = draft.number if previous is None else max(previous, draft.number)


def check_symbols(drafts: list[StepDraft], reader: NodeReader, steps_node: yaml.Node) -> None:
    starts = [draft for draft in drafts if draft.symbol == Symbol.START]
    if not starts and drafts:
        reader.report(steps_node, "steps", _("there is no start step (symbol: start)"))
    for extra in starts[1:]:
        reader.report_line(extra.line, f"{extra.path}.symbol", _(
            "there is already a start step (%(path)s); a definition has exactly one") % {"path": starts[0].path})
    if starts and drafts[0] is not starts[0]:
        reader.report_line(starts[0].line, f"{starts[0].path}.symbol",
                                       _("the start step must be the first step"))
    if drafts and not any(draft.symbol == Symbol.END for draft in drafts):
        reader.report(steps_node, "steps", _("there is no end step (symbol: end)"))


def check_links(drafts: list[StepDraft], reader: NodeReader) -> list[int | None]:
    numbers = {draft.number for draft in drafts if draft.number is not None}
    following: list[int | None] = []
    for index, draft in enumerate(drafts):
        for link, (target, line) in draft.links.items():
            if target not in numbers:
                reader.report_line(line, f"{draft.path}.{link}", _(
                    "there is no step %(number)s") % {"number": target})
            elif target == draft.number:
                reader.report_line(line, f"{draft.path}.{link}",
                                               _("a step cannot lead to itself"))
        following.append(check_step_links(draft, drafts[index + 1:], reader))
    return following


def check_step_links(draft: StepDraft, rest: list[StepDraft], reader: NodeReader) -> int | None:
    """The checks that depend on the symbol; returns the draft's effective `next`."""
    given = draft.links
    if not draft.symbol:  # an unknown symbol is already reported; its links are still checked above
        return given["next"][0] if "next" in given else None
    if draft.symbol == Symbol.DECISION:
        for link in ("yes", "no"):
            if link not in given:
                reader.report_line(draft.line, f"{draft.path}.{link}", _(
                    "a decision needs both yes and no targets"))
        if "next" in given:
            reader.report_line(given["next"][1], f"{draft.path}.next", _(
                "a decision goes on through yes and no, not next"))
        return None
    if draft.symbol == Symbol.END:
        for link in LINKS:
            if link in given:
                reader.report_line(given[link][1], f"{draft.path}.{link}", _(
                    "an end step has no next step"))
        return None
    for link in ("yes", "no"):
        if link in given:
            reader.report_line(given[link][1], f"{draft.path}.{link}", _(
                "only a decision step has yes and no targets"))
    if "next" in given:
        return given["next"][0]
    if rest:
        return rest[0].number
    reader.report_line(draft.line, f"{draft.path}.next", _(
        "the last step must be an end step, or name its next step"))
    return None


def check_reachability(drafts: list[StepDraft], following: list[int | None], reader: NodeReader) -> None:
    edges: dict[int, list[int]] = {}
    for draft, next_number in zip(drafts, following, strict=True):
        assert draft.number is not None  # resolve_flow checks only sound drafts
        branches = [draft.links[link][0] for link in ("yes", "no") if link in draft.links]
        edges[draft.number] = ([next_number] if next_number is not None else []) + branches
    if not drafts:
        return
    reached = walk([number for number in (drafts[0].number,) if number is not None], edges)
    backwards: dict[int, list[int]] = {}
    for source, leads_to in edges.items():
        for target in leads_to:
            backwards.setdefault(target, []).append(source)
    finishing = walk([draft.number for draft in drafts if draft.symbol == Symbol.END and draft.number is not None],
                     backwards)
    for draft in drafts:
        if draft.number not in reached:
            reader.report_line(draft.line, draft.path, _(
                "no step leads here, so it can never be done"))
        elif draft.number not in finishing:
            reader.report_line(draft.line, draft.path, _(
                "an end step cannot be reached from here (a loop with no way out)"))


def walk(starts: list[int], edges: dict[int, list[int]]) -> set[int]:
    seen = set(starts)
    queue = deque(starts)
    while queue:
        for target in edges.get(queue.popleft(), ()):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return seen
