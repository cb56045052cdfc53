"""Obfuscation: code that hides what it runs (encoded blobs fed to eval, names glued from pieces, junk names).

Clean CMS code ships base64 images and the odd `eval`; what it does not do is decode and run in one breath, hide
function names, or name every variable `$O0O0I1`. Weak hints only count next to stronger ones.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from django.utils.translation import gettext as _

from jagaweb.guard.rules.base import FileContext, FileKind, Hit, Rule
from jagaweb.guard.rules.php import HIDDEN_GIVEAWAYS, is_function_call

_DECODERS = (
    r"(?:base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|strrev|hex2bin|convert_uudecode|pack"
    r"|urldecode|rawurldecode)"
)
_RUN_DECODED = re.compile(
    r"\b(eval|assert|create_function|system|exec|shell_exec|passthru|popen)\s*\(\s*@?\s*(?:\(\s*string\s*\)\s*)?"
    r"(?:" + _DECODERS + r"\s*\(|['\"]\?>['\"]\s*\.)"
)
_EVAL_VAR = re.compile(r"\b(eval|assert)\s*\(\s*@?\s*\$(\w+)\s*\)")
_DECODED_INTO = r"\$(\w+)\s*=\s*@?\s*" + _DECODERS + r"\s*\("
_DECODED_INTO_RE = re.compile(_DECODED_INTO)
_PREG_E = re.compile(
    r"\b(?:preg_replace|mb_ereg_replace|preg_filter)\s*\(\s*(['\"])([^\w\s\\'\"]).{0,400}?\2([a-z]*)\1", re.S
)
# $t['k'][45].$t['k'][60]... (a table of characters) or ten and more $s[12].$s[3]... in a row; packing a
# binary header takes a few $bytes[3] . $bytes[2] in order, and those are short.
_CHAR_INDEX = re.compile(
    r"(?:\$\w+\[[^\]\n]{1,12}\](?:\[\d+\]|\{\d+\})\s*\.\s*){6,}|(?:\$\w+(?:\[\d+\]|\{\d+\})\s*\.\s*){10,}"
)
_JUNK_NAME = re.compile(r"\$((?=[oil01_]*[01])(?=[oil01_]*[oil])[oil01_]{6,})\b")
_HIGH_BYTE_NAME = re.compile(r"\$[\x80-\xff][\w\x80-\xff]*")
_CHR_MATH = re.compile(r"chr\s*\(\s*\(?\s*\d+\s*[-+*^/%]\s*\d+\s*\)?\s*\)")
_EMPTY_FIRST_ARG_CALL = re.compile(r"\$\w+\s*\(\s*(?:''|\"\")\s*,")
_PADDING = re.compile(r"[^\s][ \t]{150,}[^\s]|^<\?php[ \t]{150,}", re.M)
_SELF_READ = re.compile(r"\b(?:file|fopen|file_get_contents|fread)\s*\(\s*__file__|__compiler_halt_offset__")
_DOUBLE_VARIABLE = re.compile(r"\$\{\s*\$\{|\$\{\s*['\"]\\x")
_BLOB = re.compile(r"[A-Za-z0-9+/=]{2000,}|(?:\\x[0-9a-fA-F]{2}){300,}")
_RUNNER = re.compile(r"\b(?:eval|assert|create_function|preg_replace)\s*\(|(?<![\w>:$])\$\w+\s*\(")


def _valid_utf8(data: bytes) -> bool:
    """Names in UTF-8 letters are somebody's language (a translation file's "$ы" placeholders); names of
    random high bytes are an obfuscator's."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _entropy(line: str) -> float:
    counts = Counter(line)
    total = len(line)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


class ObfuscationRule(Rule):
    code = "obfuscation"
    kinds = frozenset({FileKind.PHP, FileKind.MARKUP, FileKind.MEDIA, FileKind.OTHER})

    def applies(self, ctx: FileContext) -> bool:
        return ctx.has_php

    def check(self, ctx: FileContext) -> list[Hit]:
        hits = [hit for hit in (self._runs_decoded(ctx), self._preg_e(ctx), self._hidden_names(ctx)) if hit]
        hits.extend(self._shapes(ctx))
        return hits

    def _runs_decoded(self, ctx: FileContext) -> Hit | None:
        code = ctx.code
        for match in _RUN_DECODED.finditer(code):
            if is_function_call(code, match.start(1)):
                reason = _("decodes a hidden payload and runs it with %(function)s()%(where)s")
                return Hit(
                    "obfuscation.run-decoded",
                    90,
                    reason % {"function": match.group(1), "where": ctx.where(match.start())},
                )
        decoded_vars = {m.group(1) for m in _DECODED_INTO_RE.finditer(code)}
        if decoded_vars:
            for match in _EVAL_VAR.finditer(code):
                if match.group(2) in decoded_vars and is_function_call(code, match.start(1)):
                    reason = _("runs a decoded payload with %(function)s()%(where)s")
                    return Hit(
                        "obfuscation.run-decoded",
                        80,
                        reason % {"function": match.group(1), "where": ctx.where(match.start())},
                    )
        return None

    def _preg_e(self, ctx: FileContext) -> Hit | None:
        code = ctx.code
        if "preg_replace" not in code and "ereg_replace" not in code and "preg_filter" not in code:
            return None
        for match in _PREG_E.finditer(code):
            if "e" in match.group(3):
                reason = _("preg_replace with the /e modifier runs the replacement as PHP code%(where)s")
                return Hit("obfuscation.preg-e", 80, reason % {"where": ctx.where(match.start())})
        return None

    def _hidden_names(self, ctx: FileContext) -> Hit | None:
        for decoded in ctx.decoded:
            found = HIDDEN_GIVEAWAYS.search(decoded)
            if found is not None:
                reason = _("hides '%(name)s' inside an escaped, encoded or glued string") % {"name": found.group(0)}
                return Hit("obfuscation.hidden-names", 60, reason)
        return None

    def _shapes(self, ctx: FileContext) -> list[Hit]:
        code = ctx.lower
        hits: list[Hit] = []
        # Each pattern runs only when a literal it cannot match without is in the file: most files have none.
        match = _CHAR_INDEX.search(code) if "]." in code or "] ." in code or "}." in code else None
        if match is not None:
            reason = _("builds strings character by character from an index table%(where)s")
            hits.append(Hit("obfuscation.char-index", 60, reason % {"where": ctx.where(match.start(), ctx.lower)}))
        junk = set(_JUNK_NAME.findall(code))
        high = set() if ctx.text.isascii() or _valid_utf8(ctx.data) else set(_HIGH_BYTE_NAME.findall(code))
        if len(junk) >= 3 or len(high) >= 3:
            hits.append(
                Hit(
                    "obfuscation.junk-names",
                    50,
                    _("variable names made to be unreadable (%(count)d of them)")
                    % {"count": max(len(junk), len(high))},
                )
            )
        if "chr" in code and len(_CHR_MATH.findall(code)) >= 3:
            hits.append(Hit("obfuscation.chr-math", 40, _("characters computed with arithmetic inside chr()")))
        match = None
        if "''" in code or '""' in code:
            # $f('', $code), but not $this->$f('', ...) or $$f: checked by hand so the pattern can start with "$"
            match = next(
                (m for m in _EMPTY_FIRST_ARG_CALL.finditer(code) if code[max(0, m.start() - 1)] not in ">:$"), None
            )
        if match is not None:
            reason = _("calls a variable as create_function('', code)%(where)s")
            hits.append(
                Hit("obfuscation.variable-create-function", 50, reason % {"where": ctx.where(match.start(), ctx.lower)})
            )
        if "${" in code and _DOUBLE_VARIABLE.search(code):
            hits.append(Hit("obfuscation.variable-variables", 40, _("variable variables built from other variables")))
        if ("__file__" in code or "__compiler" in code) and "eval" in code and _SELF_READ.search(code):
            hits.append(Hit("obfuscation.self-read", 40, _("reads its own file and evaluates what it finds")))
        match = _PADDING.search(ctx.text) if " " * 150 in ctx.text or "\t" * 150 in ctx.text else None
        if match is not None:
            reason = _("code pushed out of sight by a long run of spaces%(where)s")
            hits.append(
                Hit(
                    "obfuscation.padding", 30, reason % {"where": ctx.where(match.start(), ctx.text)}, with_company=True
                )
            )
        hits.extend(self._long_lines(ctx))
        return hits

    def _long_lines(self, ctx: FileContext) -> list[Hit]:
        hits: list[Hit] = []
        blob_seen = dense_seen = False
        for line in ctx.text.splitlines():
            if len(line) < 1500:
                continue
            if not blob_seen:
                blob = _BLOB.search(line)
                if blob is not None:
                    blob_seen = True
                    runner = _RUNNER.search(ctx.lower) is not None
                    reason = (
                        _("a long encoded blob (%(size)d characters) in code that can run strings")
                        if runner
                        else _("a long encoded blob (%(size)d characters)")
                    )
                    hits.append(
                        Hit(
                            "obfuscation.blob",
                            30 if runner else 10,
                            reason % {"size": len(blob.group(0))},
                            with_company=not runner,
                        )
                    )
            if not dense_seen and line.count(" ") * 50 < len(line) and _entropy(line[:20000]) >= 5.2:
                dense_seen = True
                hits.append(
                    Hit("obfuscation.dense-line", 20, _("a long dense line of high-entropy text"), with_company=True)
                )
            if blob_seen and dense_seen:
                break
        return hits
