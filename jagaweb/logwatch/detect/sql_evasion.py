"""SQL injection written to slip past filters: comments as spaces, MySQL's executable comments, backticks.

These read the text before comments are blanked (the SQL injection family reads it after).
"""

from __future__ import annotations

from typing import ClassVar

from jagaweb.logwatch.detect.base import Family, Pattern, Source
from jagaweb.logwatch.detect.kinds import Category, Severity

_S = Severity
_QUOTE_RAW = r"""(?:'|"|%27|%22)"""


class SqlEvasionFamily(Family):
    category = Category.SQLI
    tokens: ClassVar[tuple[str, ...]] = ("/*", "`", "'", '"', "%27", "%22", ".e(", ".e,", ".e)", ".e.")
    patterns = (
        Pattern("executable-comment", _S.HIGH, r"/\*\s*[!+]",
                "MySQL /*! ... */ and optimizer-hint /*+ ... */ comments that the database runs."),
        Pattern("comment-split", _S.HIGH, r"(?:\b(?:union|select|from|where|and|or|insert|into|values|drop|table|"
                r"sleep|concat|order|by)|[(,=])\s*/\*[^*]{0,40}\*/\s*(?:[\w(@'\"`]|$)|/\*\*/",
                "SQL words split by comments (UNION/**/SELECT)."),
        Pattern("backtick-name", _S.LOW, r"`[a-z_][\w$.]{0,63}`",
                "A backtick-quoted name: MySQL identifier quoting in a parameter."),
        Pattern("scientific-notation", _S.MEDIUM, r"\b\d+\.e(?:[(),]|\.[a-z_$])",
                "MySQL scientific-notation tricks that glue a number to a name (1.e(ascii), 1.e.tables)."),
        Pattern("quote-concatenation", _S.MEDIUM, _QUOTE_RAW + r"(?:\+|%2b)" + _QUOTE_RAW,
                "Quote, plus, quote: breaking out of a string and concatenating ('+').",
                sources=frozenset({Source.RAW})),
    )  # fmt: skip
