"""Cloaking in .htaccess: rewrites or redirects that only happen for search-engine crawlers or search visitors.

Blocking a bad bot (`RewriteRule .* - [F]`) is hardening; sending Googlebot, or visitors from google.*, to
another page is how judi-online spam is shown to search engines while the site looks normal to its owners.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from jagaweb.guard.choices import Verdict
from jagaweb.guard.rules.base import FileContext, FileKind, Hit, Rule

_COND = re.compile(r"^\s*rewritecond\s+(%\{[^}]+\})\s+(\"[^\"]*\"|\S+)")
_RULE = re.compile(r"^\s*rewriterule\s+(\"[^\"]*\"|\S+)\s+(\"[^\"]*\"|\S+)(?:\s+\[([^\]]*)\])?")
_CRAWLER = re.compile(r"google|bingbot|\bbing\b|msnbot|yahoo|slurp|yandex|baidu|duckduck|petalbot|inspectiontool")
_SEARCH = re.compile(r"google|bing|yahoo|yandex|baidu|duckduckgo|search")


class HtaccessCloakingRule(Rule):
    code = "htaccess-cloaking"
    kinds = frozenset({FileKind.CONFIG})

    def applies(self, ctx: FileContext) -> bool:
        return ctx.name == ".htaccess"

    def check(self, ctx: FileContext) -> list[Hit]:
        text = ctx.lower
        if "rewritecond" not in text:
            return []
        crawler: tuple[int, str] | None = None
        search: tuple[int, str] | None = None
        conds: list[tuple[str, str]] = []
        for number, line in enumerate(text.splitlines(), start=1):
            cond = _COND.match(line)
            if cond is not None:
                conds.append((cond.group(1), cond.group(2).strip('"')))
                continue
            rule = _RULE.match(line)
            if rule is None:
                continue
            target = rule.group(2).strip('"')
            if target != "-":  # "-" substitutes nothing: a block ([F], [G]) or a pass-through, not other content
                for variable, pattern in conds:
                    if pattern.startswith("!"):
                        continue
                    if variable == "%{http_user_agent}" and _CRAWLER.search(pattern) and crawler is None:
                        crawler = (number, target)
                    if variable == "%{http_referer}" and _SEARCH.search(pattern) and search is None:
                        search = (number, target)
            conds = []
        hits: list[Hit] = []
        if crawler is not None:
            reason = _(".htaccess sends search-engine crawlers to %(target)s%(where)s")
            hits.append(
                Hit(
                    "htaccess-cloaking.crawler",
                    70,
                    reason % {"target": crawler[1], "where": ctx.where_line(crawler[0])},
                    Verdict.JUDOL,
                )
            )
        if search is not None:
            reason = _(".htaccess sends visitors from search engines to %(target)s%(where)s")
            hits.append(
                Hit(
                    "htaccess-cloaking.referrer",
                    70,
                    reason % {"target": search[1], "where": ctx.where_line(search[0])},
                    Verdict.JUDOL,
                )
            )
        return hits
