"""Spam fetched from elsewhere: a remote URL is read and printed, included or evaluated."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from jagaweb.guard.rules.base import FileContext, FileKind, Hit, Rule
from jagaweb.guard.rules.php import is_function_call

_URL = r"['\"](?:https?|ftp)://"
_FETCH = r"(?:file_get_contents|readfile|file|fopen|curl_init|simplexml_load_file|get_headers|wp_remote_retrieve_body)"
_REMOTE_INCLUDE = re.compile(r"\b(?:include|require)(?:_once)?\b\s*\(?\s*" + _URL)
_FETCH_URL = re.compile(r"\b" + _FETCH + r"\s*\(\s*" + _URL + r"|curlopt_url\s*,\s*" + _URL)
_PRINT_FETCH = re.compile(
    r"\b(?:echo|print|die|exit)\b\s*\(?\s*@?\s*(?:file_get_contents|implode\s*\([^;]{0,20}file)\s*\(|\breadfile\s*\(\s*"
    + _URL
)
_FETCH_INTO = re.compile(r"\$(\w+)\s*=\s*@?\s*(?:file_get_contents|curl_exec|stream_get_contents|fread)\s*\(")
_EVAL_FETCH = re.compile(
    r"\b(?:eval|assert)\s*\(\s*@?\s*(?:\?>\s*\.\s*)?(?:file_get_contents|curl_exec|stream_get_contents)\s*\("
)


class RemoteContentRule(Rule):
    code = "remote-content"
    kinds = frozenset({FileKind.PHP, FileKind.MARKUP, FileKind.MEDIA, FileKind.OTHER})

    def applies(self, ctx: FileContext) -> bool:
        return ctx.has_php

    def check(self, ctx: FileContext) -> list[Hit]:
        code = ctx.code
        if "://" not in code and "curl" not in code and "file_get_contents" not in code:
            return []
        match = _REMOTE_INCLUDE.search(code)
        if match is not None and is_function_call(code, match.start()):
            reason = _("includes PHP code from a remote URL%(where)s") % {"where": ctx.where(match.start())}
            return [Hit("remote-content.include", 100, reason)]
        match = _EVAL_FETCH.search(code)
        if match is not None:
            reason = _("runs code it downloads%(where)s") % {"where": ctx.where(match.start())}
            return [Hit("remote-content.eval", 100, reason)]
        fetch = _FETCH_URL.search(code)
        if fetch is None:
            return []
        printed = _PRINT_FETCH.search(code)
        if printed is None:
            for into in _FETCH_INTO.finditer(code):
                printed = re.search(r"\b(?:echo|print|die|exit)\b\s*\(?\s*\$" + re.escape(into.group(1)) + r"\b", code)
                if printed is not None:
                    break
        if printed is not None:
            reason = _("prints content fetched from a remote URL%(where)s") % {"where": ctx.where(printed.start())}
            return [Hit("remote-content.print", 45, reason)]
        reason = _("fetches a remote URL%(where)s") % {"where": ctx.where(fetch.start())}
        return [Hit("remote-content.fetch", 10, reason, with_company=True)]
