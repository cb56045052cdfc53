"""Password-protected shells: a hash of request input compared with a hash written in the file."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from jagaweb.guard.rules.base import FileContext, FileKind, Hit, Rule
from jagaweb.guard.rules.php import EXEC_SINK, INPUT

_HASH_CALL = r"(?:md5|sha1|crc32|hash\s*\(\s*['\"]\w+['\"]\s*,|md5_file)"
# The fixed hash is written in the comparison, or kept in a variable first ($auth_pass = "63a9...").
_HASH_LITERAL = r"(?:['\"][0-9a-f]{8,128}['\"]|\$(?P<held>\w+))"
_GATE = re.compile(
    r"\b"
    + _HASH_CALL
    + r"\s*\(?\s*[^;]{0,80}?(?:"
    + INPUT
    + r"|\$\w+)[^;]{0,80}?\)\s*(?:===?|!==?)\s*"
    + _HASH_LITERAL
    + r"|['\"][0-9a-f]{32,128}['\"]\s*(?:===?|!==?)\s*\b"
    + _HASH_CALL
    + r"\s*\(?\s*[^;]{0,80}?(?:"
    + INPUT
    + r"|\$\w+)"
)
_HASH_HELD = re.compile(r"\$(\w+)\s*=\s*['\"][0-9a-f]{32,128}['\"]\s*;")
_INPUT_RE = re.compile(INPUT)
_NAME = re.compile(r"\$(\w+)")
_SINK = re.compile(r"(?<![\w>:$])" + EXEC_SINK + r"\s*\(")


class PasswordGateRule(Rule):
    code = "password-gate"
    kinds = frozenset({FileKind.PHP, FileKind.MARKUP, FileKind.MEDIA, FileKind.OTHER})

    def applies(self, ctx: FileContext) -> bool:
        return ctx.has_php

    def check(self, ctx: FileContext) -> list[Hit]:
        code = ctx.code
        if "md5" not in code and "sha1" not in code and "hash" not in code and "crc32" not in code:
            return []
        held = {m.group(1) for m in _HASH_HELD.finditer(code)}
        for match in _GATE.finditer(code):
            if match.group("held") is not None and match.group("held") not in held:
                continue
            text = match.group(0)
            if not (_INPUT_RE.search(text) or ctx.tainted_at(match.start()).intersection(_NAME.findall(text))):
                continue
            runs = _SINK.search(code) is not None
            reason = _(
                "request input is hashed and compared with a fixed hash, as password-protected shells do%(where)s"
            )
            return [Hit("password-gate", 75 if runs else 50, reason % {"where": ctx.where(match.start())})]
        return []
