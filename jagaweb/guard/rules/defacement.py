"""Defacement pages: "hacked by ..." markers in a page file, most of all in its title."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from jagaweb.guard.choices import TermTier, Verdict
from jagaweb.guard.rules.base import FileContext, FileKind, Hit, Rule
from jagaweb.guard.vocabulary import find_terms, of_tier

_PAGE_EXTENSIONS = frozenset({"html", "htm", "xhtml", "shtml", "php", "phtml", "txt"})
_TITLE = re.compile(r"<title[^>]*>(.{0,300}?)</title>", re.S | re.I)


class DefacementRule(Rule):
    code = "defacement"
    kinds = frozenset({FileKind.PHP, FileKind.MARKUP})

    def applies(self, ctx: FileContext) -> bool:
        return ctx.ext in _PAGE_EXTENSIONS and not ctx.is_binary

    def check(self, ctx: FileContext) -> list[Hit]:
        markers = sorted(of_tier(ctx.terms, TermTier.DEFACE))
        if not markers:
            return []
        title = _TITLE.search(ctx.words)
        in_title = title is not None and bool(
            of_tier(find_terms(title.group(1)), TermTier.DEFACE, TermTier.DEFACE_WEAK)
        )
        reason = _("defacement markers (%(markers)s)%(where)s") % {
            "markers": ", ".join(markers[:5]),
            "where": _(" in the page title") if in_title else "",
        }
        return [Hit("defacement", 85 if in_title else 55, reason, Verdict.DEFACED)]
