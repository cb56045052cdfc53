"""Typed reading of a composed YAML node tree that reports each mistake with the line it is on.

PyYAML's `compose` keeps the position of every node, which `safe_load` throws away; the reader below
walks those nodes itself, so a value of the wrong kind, an unknown key or a duplicate key is reported
at its own line. Only the shapes a definition has are walked, so aliases (even recursive ones) cannot
make the walk run away.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

import yaml
from django.utils.translation import gettext as _

from jagaweb.sop.definitions.problems import Problem, did_you_mean

NULL_TAG = "tag:yaml.org,2002:null"
BOOL_TAG = "tag:yaml.org,2002:bool"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
# The way Indonesian documents write dates: 01-09-2017 or 01/09/2017 (day first); and ISO 2017-09-01.
DAY_FIRST_DATE = re.compile(r"(\d{1,2})[-/](\d{1,2})[-/](\d{4})")
ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def line_of(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


@dataclass
class NodeReader:
    """Collects the problems of one file while its values are read."""

    source: str
    problems: list[Problem] = field(default_factory=list)

    def report(self, node: yaml.Node | None, path: str, message: str) -> None:
        self.report_line(line_of(node) if node is not None else None, path, message)

    def report_line(self, line: int | None, path: str, message: str) -> None:
        self.problems.append(Problem(self.source, line, path, message))

    def mapping(
        self, node: yaml.Node, path: str, allowed: Collection[str], required: Sequence[str] = ()
    ) -> dict[str, yaml.Node] | None:
        """The value nodes by key; None when the node is not a mapping. Unknown, duplicate and missing
        keys are reported (an unknown key with the closest known one)."""
        if not isinstance(node, yaml.MappingNode):
            self.report(node, path, _("expected keys and values (key: value)"))
            return None
        found: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.report(key_node, path, _("a key must be plain text"))
                continue
            key = str(key_node.value)
            where = f"{path}.{key}" if path else key
            if key in found:
                self.report(key_node, where, _("this key is given twice"))
            elif key not in allowed:
                self.report(key_node, where, _("unknown key") + did_you_mean(key, allowed))
            else:
                found[key] = value_node
        for key in required:
            if key not in found or self.is_null(found[key]):
                self.report(found.pop(key, node), f"{path}.{key}" if path else key, _("missing"))
        return found

    def sequence(self, node: yaml.Node, path: str) -> list[yaml.Node]:
        """The items of a list; an empty value is an empty list."""
        if self.is_null(node):
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.report(node, path, _("expected a list (lines starting with -)"))
            return []
        return list(node.value)

    @staticmethod
    def is_null(node: yaml.Node) -> bool:
        return isinstance(node, yaml.ScalarNode) and node.tag == NULL_TAG

    def text(self, node: yaml.Node | None, path: str, *, required: bool = False) -> str:
        """A scalar as written (so "05" stays "05"), stripped; "" for an empty value."""
        if node is None or self.is_null(node):
            if required and node is not None:
                self.report(node, path, _("missing"))
            return ""
        if not isinstance(node, yaml.ScalarNode):
            self.report(node, path, _("expected text"))
            return ""
        value = str(node.value).strip()
        if required and not value:
            self.report(node, path, _("missing"))
        return value

    def text_list(self, node: yaml.Node | None, path: str) -> tuple[str, ...]:
        if node is None:
            return ()
        items = (self.text(item, f"{path}[{index}]") for index, item in enumerate(self.sequence(node, path), 1))
        return tuple(item for item in items if item)

    def integer(self, node: yaml.Node | None, path: str) -> int | None:
        if node is None:
            return None
        if not isinstance(node, yaml.ScalarNode) or node.tag != INT_TAG:
            self.report(node, path, _("expected a whole number"))
            return None
        written = str(node.value).replace("_", "")
        for base in (10, 0):  # 0: the 0x / 0o / 0b forms YAML also reads as whole numbers
            try:
                return int(written, base)
            except ValueError:
                continue
        self.report(node, path, _("expected a whole number"))
        return None

    def number(self, node: yaml.Node, path: str) -> Decimal | None:
        """A positive number (whole or with a decimal point)."""
        if not isinstance(node, yaml.ScalarNode) or node.tag not in (INT_TAG, FLOAT_TAG):
            self.report(node, path, _("expected a number"))
            return None
        try:
            value = Decimal(str(node.value).replace("_", ""))
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite() or value <= 0:
            self.report(node, path, _("expected a number above zero"))
            return None
        return value

    def boolean(self, node: yaml.Node | None, path: str) -> bool:
        if node is None or self.is_null(node):
            return False
        if not isinstance(node, yaml.ScalarNode) or node.tag != BOOL_TAG:
            self.report(node, path, _("expected true or false"))
            return False
        return str(node.value).lower() in ("true", "yes", "on", "y")

    def choice(self, node: yaml.Node | None, path: str, choices: Collection[str], *, required: bool = False) -> str:
        """One of `choices`; "" when absent or wrong (reported with the valid values)."""
        value = self.text(node, path, required=required)
        if value and value not in choices:
            self.report(node, path, _('"%(value)s" is not one of: %(choices)s') % {
                "value": value, "choices": ", ".join(choices)} + did_you_mean(value, choices))
            return ""
        return value

    def date(self, node: yaml.Node | None, path: str) -> date | None:
        """A date written 2017-09-01, 01-09-2017 or 01/09/2017."""
        written = self.text(node, path)
        if not written:
            return None
        try:
            if match := DAY_FIRST_DATE.fullmatch(written):
                day, month, year = (int(part) for part in match.groups())
                return date(year, month, day)
            if match := ISO_DATE.fullmatch(written):
                year, month, day = (int(part) for part in match.groups())
                return date(year, month, day)
        except ValueError:
            pass
        self.report(node, path, _("expected a date such as 01-09-2017"))
        return None
