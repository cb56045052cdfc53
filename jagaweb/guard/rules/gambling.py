"""Judi-online vocabulary in a file: doorway pages, spam footers, injected sitemap entries and spam generators.

Terms come from `jagaweb.guard.vocabulary` (normalised: fancy letters, look-alikes, leetspeak). Distinct
promotion terms count on their own; topic terms only where no reporting/enforcement words explain them.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from jagaweb.guard.choices import TermTier, Verdict
from jagaweb.guard.rules.base import FileContext, FileKind, Hit, Rule
from jagaweb.guard.vocabulary import of_tier


class GamblingRule(Rule):
    code = "gambling"
    kinds = frozenset({FileKind.PHP, FileKind.MARKUP, FileKind.CONFIG, FileKind.OTHER})

    def applies(self, ctx: FileContext) -> bool:
        return ctx.kind in self.kinds and not ctx.is_binary

    def check(self, ctx: FileContext) -> list[Hit]:
        found = ctx.terms
        if not found:
            return []
        promo = sorted(of_tier(found, TermTier.PROMO))
        topic = [] if of_tier(found, TermTier.NEWS) else sorted(of_tier(found, TermTier.TOPIC))
        if not promo and len(topic) < 3:
            return []
        shown = ", ".join([*promo, *topic][:6])
        if len(promo) >= 2:
            points = min(100, 70 + 10 * (len(promo) - 2))
        elif promo and topic:
            points = 45
        elif promo:
            reason = _("an online-gambling promotion term (%(terms)s)") % {"terms": shown}
            return [Hit("gambling.term", 20, reason, Verdict.JUDOL, with_company=True)]
        else:
            points = 40
        reason = _("online-gambling vocabulary: %(count)d distinct terms (%(terms)s)") % {
            "count": len(promo) + len(topic),
            "terms": shown,
        }
        return [Hit("gambling.terms", points, reason, Verdict.JUDOL)]
