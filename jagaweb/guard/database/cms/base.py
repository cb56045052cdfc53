"""What every CMS scanner provides: which tables to read for its CMS and how to judge their rows."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from jagaweb.guard.database.reader import ScanContext, TableJob


class CmsScanner(ABC):
    cms: ClassVar[str]  # a jagaweb.inventory.choices.CMS value

    def __init__(self, ctx: ScanContext) -> None:
        self.ctx = ctx  # one scanner per scan

    @abstractmethod
    def plan(self) -> list[TableJob]:
        """Find the CMS's tables (and prefix), check its few settings at once, and return the table reads.

        A missing table is a note in the report, not an error."""

    def finish(self) -> None:
        """After all reads: conclusions that need every row seen (none by default)."""
        return None


def prefixes_by_suffix(tables: frozenset[str], suffix: str, *companions: str) -> list[str]:
    """Prefixes p for which table p+suffix exists, and p+companion for every companion ("wp_" of
    "wp_options" with "posts"): several installations may share one database under different prefixes."""
    found = []
    for table in sorted(tables):
        if table.endswith(suffix):
            prefix = table[: len(table) - len(suffix)]
            if all(prefix + companion in tables for companion in companions):
                found.append(prefix)
    return found
