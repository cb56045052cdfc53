"""Cloaking in JavaScript: visitors who arrive from a search engine (or crawlers) are sent to another site.

Injected into a theme's script or a page: `if (document.referrer` mentions google/bing/yahoo, or the user
agent is a crawler, then `location` is set (or `location.replace`). Sites do read the referrer for analytics;
they do not move the visitor away because of it.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from jagaweb.guard.choices import Verdict
from jagaweb.guard.rules.base import FileContext, FileKind, Hit, Rule

_SOURCES = re.compile(r"document\.referrer|navigator\.useragent")
_SEARCH_OR_CRAWLER = re.compile(r"google|bing|yahoo|yandex|baidu|duckduckgo|googlebot|bingbot|crawler|spider")
_NAVIGATE = re.compile(
    r"(?:window\.|document\.|top\.|self\.)?location(?:\.href)?\s*=(?!=)|location\.(?:replace|assign)\s*\(|window\.open\s*\("
)


class ScriptRedirectRule(Rule):
    code = "script-redirect"
    kinds = frozenset({FileKind.PHP, FileKind.MARKUP})

    def applies(self, ctx: FileContext) -> bool:
        return ctx.kind in self.kinds and not ctx.is_binary

    def check(self, ctx: FileContext) -> list[Hit]:
        lower = ctx.lower
        if "document.referrer" not in lower and "navigator.useragent" not in lower:
            return []
        for source in _SOURCES.finditer(lower):
            # the test and the jump sit together in an injected snippet: look a few hundred characters around
            window = lower[max(0, source.start() - 300) : source.end() + 400]
            if _SEARCH_OR_CRAWLER.search(window) and _NAVIGATE.search(window):
                reason = _("a script sends visitors from search engines (or crawlers) to another page%(where)s")
                return [Hit("script-redirect", 70, reason % {"where": ctx.where(source.start(), lower)}, Verdict.JUDOL)]
        return []
