"""The shape of a request rule family: where it looks, the cheap words that let a value in, its patterns.

A family is one attack class (one `Category`). Its `patterns` are Rust regular expressions (no look-around,
no back-references) run by Polars on lower-case, normalised text; `tokens` are literal pieces at least one
of which every match contains, so the engine sets most values aside with Aho-Corasick passes (over the value
as logged, then over its decoded form) before any expression runs.
Families that judge a whole row (the request line itself) override `row_hits`.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass
from typing import ClassVar

import polars as pl

from jagaweb.logwatch.detect.kinds import Category, Severity


class Source(enum.StrEnum):
    """Which normalised text a pattern reads."""

    TARGET = "target"  # request target, decoded; "+" read as a space
    PATH = "path"  # path part only, decoded, "\\" as "/", "/./" and "//" collapsed
    RAW = "raw"  # request target as logged, lower case: what decoding would hide (%00, "'+'")
    AGENT = "agent"  # User-Agent, decoded
    REFERER = "referer"  # Referer, decoded; "+" read as a space


INJECTION_SOURCES = frozenset({Source.TARGET, Source.AGENT, Source.REFERER})

# Unicode \w, \d and \b make Rust's compiled automata large (a bounded repeat copies them) and switch off
# its fast DFA; the text is lower-cased and the syntax attackers use is ASCII, so ASCII classes lose nothing.
_ASCII_OUTSIDE = {"w": "[0-9A-Za-z_]", "d": "[0-9]", "s": "[\\t\\n\\x0B\\x0C\\r ]", "b": "(?-u:\\b)"}
_ASCII_INSIDE = {"w": "0-9A-Za-z_", "d": "0-9", "s": "\\t\\n\\x0B\\x0C\\r "}


@functools.cache
def ascii_regex(regex: str) -> str:
    """`regex` with \\w, \\d, \\s and \\b limited to ASCII, inside and outside character classes."""
    out: list[str] = []
    in_class = False
    index = 0
    while index < len(regex):
        char = regex[index]
        if char == "\\" and index + 1 < len(regex):
            escaped = regex[index + 1]
            table = _ASCII_INSIDE if in_class else _ASCII_OUTSIDE
            out.append(table.get(escaped, char + escaped))
            index += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        out.append(char)
        index += 1
    return "".join(out)


@dataclass(frozen=True)
class Pattern:
    """One rule: a name unique in its family, how bad a match is, the expression, and what it means."""

    rule: str
    severity: Severity
    regex: str
    description: str
    sources: frozenset[Source] = INJECTION_SOURCES
    # Severity when the server answered 2xx: the probed file exists, the shell answered.
    served: Severity | None = None


class Family:
    """One attack class. Subclasses set the class attributes; the engine does the matching.

    `tokens` are literal pieces one of which any value a pattern matches contains: as logged (matched
    case-insensitively; a space in a token also stands for "+"), unless the value is encoded, and always
    once decoded.
    """

    category: ClassVar[Category]
    tokens: ClassVar[tuple[str, ...]] = ()
    patterns: ClassVar[tuple[Pattern, ...]] = ()

    def patterns_for(self, source: Source) -> list[tuple[int, Pattern]]:
        return [(index, pattern) for index, pattern in enumerate(self.patterns) if source in pattern.sources]

    def combined_regex(self, source: Source) -> str:
        """One expression matching wherever any of the family's patterns for `source` matches."""
        return "|".join(f"(?:{ascii_regex(pattern.regex)})" for _index, pattern in self.patterns_for(source))

    def sources(self) -> frozenset[Source]:
        found: set[Source] = set()
        for pattern in self.patterns:
            found |= pattern.sources
        return frozenset(found)

    def prepared(self, text: pl.Series) -> pl.Series:
        """The text the patterns read; families that see through more tricks than the common ones override it."""
        return text

    def row_hits(self, frame: pl.DataFrame) -> pl.DataFrame | None:
        """Findings from whole rows (columns _row, rule, severity, detail), for families that need them."""
        return None
