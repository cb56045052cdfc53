"""What is wrong with a definition, and where: a file, a line and a field."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Problem:
    """One mistake. `line` counts from 1 (None: the whole file); `field` is a path such as
    `steps[3].waktu.unit` (a step by its number, or `steps[#2]` by its position when it has none)."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class DefinitionError(Exception):
    """A definition that cannot be used; `errors` lists every problem found, in file order."""

    def __init__(self, errors: Iterable[Problem]) -> None:
        self.errors = in_file_order(errors)
        super().__init__("\n".join(str(problem) for problem in self.errors))


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' (did you mean "x"?)' when one choice is close to the word, else ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return _(' (did you mean "%(choice)s"?)') % {"choice": close[0]} if close else ""


def in_file_order(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda problem: (problem.line or 0, problem.field))
