"""Links hidden from visitors but not from crawlers: the carrier of injected backlinks in theme footers."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from jagaweb.guard.rules.base import FileContext, FileKind, Hit, Rule

# Each starts with a literal, so the regex engine can jump from candidate to candidate.
_HIDDEN = tuple(
    re.compile(p)
    for p in (
        r"display\s*:\s*none",
        r"visibility\s*:\s*hidden",
        r"left\s*:\s*-\d{3,}",
        r"top\s*:\s*-\d{3,}",
        r"text-indent\s*:\s*-\d{3,}",
        r"font-size\s*:\s*0(?![.\d])",
        r"opacity\s*:\s*0(?![.\d])",
        r"height\s*:\s*0(?:px)?\s*;[^\"']{0,60}overflow\s*:\s*hidden",
    )
)
# ... then, inside the element that style opens, a link to an absolute URL.
_LINK_INSIDE = re.compile(
    r"[^<]{0,200}>(?:[^<]{0,200}<(?!/div)[^<]{0,300}){0,3}?<a\s[^>]{0,200}href\s*=\s*['\"]?https?://"
)


class HiddenLinksRule(Rule):
    code = "hidden-links"
    kinds = frozenset({FileKind.PHP, FileKind.MARKUP})

    def check(self, ctx: FileContext) -> list[Hit]:
        lower = ctx.lower
        if "href" not in lower:
            return []
        for pattern in _HIDDEN:
            for match in pattern.finditer(lower):
                if _LINK_INSIDE.match(lower, match.end()) is not None:
                    reason = _("links to other sites inside an element hidden from visitors%(where)s")
                    return [
                        Hit("hidden-links", 20, reason % {"where": ctx.where(match.start(), lower)}, with_company=True)
                    ]
        return []
