"""Cloaking in PHP: different content for search engines, or for visitors arriving from an (Indonesian) search.

Judi-online injections branch on the crawler's user agent (Googlebot, Google-InspectionTool), on a Google
referrer and on an Indonesian Accept-Language, then print a landing page. Each condition alone has innocent
uses (bot-aware caching, analytics); two of them together, or one next to serving other content, do not.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from jagaweb.guard.choices import Verdict
from jagaweb.guard.rules.base import FileContext, FileKind, Hit, Rule

_CRAWLERS = re.compile(
    r"googlebot|google-inspectiontool|googleother|google-site-verification|adsbot-google|mediapartners-google"
    r"|bingbot|msnbot|yandexbot|baiduspider|yahoo! slurp|duckduckbot|petalbot"
)
_SEARCH_ENGINES = re.compile(r"google|bing\.|yahoo|yandex|baidu|duckduckgo")
_TESTS = re.compile(r"\b(?:preg_match|stripos|strpos|stristr|strstr|str_contains|substr|in_array|strcasecmp)\s*\(")
_ID_LANGUAGE = re.compile(r"['\"/(|^](?:id|id-id|in|indonesia)\b[^'\"]{0,20}['\"]")
_SERVES = re.compile(
    r"\b(?:echo|print)\b\s*\(?\s*@?\s*(?:file_get_contents|curl_exec|stream_get_contents)\s*\("
    r"|\breadfile\s*\(|\b(?:include|require)(?:_once)?\b\s*\(?\s*[^;]{0,120}\.(?:txt|html?|jpe?g|png|gif|ico)['\"]"
    r"|\bheader\s*\(\s*['\"]location\s*:\s*https?://"
)


_FETCHED_INTO = re.compile(
    r"\$(\w+)\s*=\s*@?\s*(?:(?:file_get_contents|curl_exec|stream_get_contents)\s*\(|\w+\s*\(\s*['\"]https?://)"
)


def _serves(code: str) -> re.Match[str] | None:
    """Prints fetched content, reads out a file, includes a non-PHP file, or redirects away."""
    found = _SERVES.search(code)
    if found is not None:
        return found
    for fetched in _FETCHED_INTO.finditer(code):
        printed = re.search(r"\b(?:echo|print)\b\s*\(?\s*\$" + re.escape(fetched.group(1)) + r"\b", code)
        if printed is not None:
            return printed
    return None


def _source_vars(code: str, source: str) -> set[str]:
    return {m.group(1) for m in re.finditer(r"\$(\w+)\s*=[^;]{0,200}" + source, code)}


def _tested_with(code: str, source: str, wanted: re.Pattern[str]) -> bool:
    """A test (preg_match, strpos...) or comparison whose arguments hold `source` (or its variable) and `wanted`."""
    names = _source_vars(code, source)
    holders = [source] + ["$" + name for name in names]
    for match in _TESTS.finditer(code):
        args = code[match.end() : match.end() + 300]
        end = args.find(";")
        args = args[: end if end >= 0 else 300]
        if any(holder in args for holder in holders) and wanted.search(args):
            return True
    return False


class CloakingCodeRule(Rule):
    code = "cloaking"
    kinds = frozenset({FileKind.PHP, FileKind.MARKUP, FileKind.MEDIA, FileKind.OTHER})

    def applies(self, ctx: FileContext) -> bool:
        return ctx.has_php

    def check(self, ctx: FileContext) -> list[Hit]:
        code = ctx.code
        parts: list[tuple[int, str]] = []
        if "http_user_agent" in code and _CRAWLERS.search(code):
            parts.append((30, _("search-engine crawlers (user agent)")))
        if "http_referer" in code and _tested_with(code, "http_referer", _SEARCH_ENGINES):
            parts.append((30, _("visitors coming from a search engine (referrer)")))
        if "http_accept_language" in code and _tested_with(code, "http_accept_language", _ID_LANGUAGE):
            parts.append((25, _("Indonesian-language browsers")))
        if not parts:
            return []
        serves = _serves(code)
        if serves is not None:
            parts.append((25, _("and serves them other content%(where)s") % {"where": ctx.where(serves.start())}))
        points = sum(p for p, _text in parts)
        reason = _("treats some visitors differently (cloaking): %(parts)s") % {
            "parts": "; ".join(t for _p, t in parts)
        }
        if len(parts) == 1:
            return [Hit("cloaking.condition", 15, reason, with_company=True)]
        return [Hit("cloaking.code", max(points, 70), reason, Verdict.JUDOL)]
