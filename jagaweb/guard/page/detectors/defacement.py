"""Classic defacement: a page replaced by the attacker's banner ("Hacked by ... Team", greetings, a dark page).

A marker alone is weak evidence (a news article can quote "hacked by"); a marker in the title of a short
page with no navigation, on a black background with a marquee or an anthem playing, is a defacement.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from jagaweb.guard.choices import TermTier, Verdict
from jagaweb.guard.page.detectors.base import Detector, news_context
from jagaweb.guard.page.document import Page
from jagaweb.guard.page.result import Reason, evidence
from jagaweb.guard.vocabulary import of_tier

SHORT_PAGE = 150  # words: defacement pages say little; real pages of a government site say more
FEW_LINKS = 3
_DARK = 0x40  # every channel below this: a black (or nearly black) page


def _dark(colour: str) -> bool:
    if len(colour) != 7 or not colour.startswith("#"):
        return False
    try:
        return all(int(colour[i:i + 2], 16) < _DARK for i in (1, 3, 5))
    except ValueError:
        return False


class DefacementDetector(Detector):
    kind = "defacement"

    def detect(self, page: Page) -> list[Reason]:
        deface, weak = TermTier.DEFACE, TermTier.DEFACE_WEAK
        title, headings, body = page.terms("title"), page.terms("headings"), page.terms("body")
        words = len(page.zone("body").tokens)
        short = words < SHORT_PAGE
        markers = of_tier({**title, **headings, **body}, deface)
        weak_markers = of_tier({**title, **headings, **body}, weak)
        if not markers and not weak_markers:
            return []
        shape = []
        if short:
            shape.append("short")
        if sum(1 for link in page.links if not link.external) < FEW_LINKS:
            shape.append("no-navigation")
        if _dark(page.background):
            shape.append("dark")
        if page.marquees or page.autoplay:
            shape.append("marquee-or-music")
        if not markers and (not short or len(shape) < 2):
            return []  # "owned by", "hacked" alone: only on a short page that also looks like a defacement
        weights = {"short": 10, "no-navigation": 10, "dark": 5, "marquee-or-music": 10}
        reasons = [
            Reason("deface.title", _("Defacement marker in the page title"), Verdict.DEFACED,
                   40 if of_tier(title, deface) else (15 if short and of_tier(title, weak) else 0),
                   evidence(of_tier(title, deface, weak))),
            Reason("deface.heading", _("Defacement marker in a heading"), Verdict.DEFACED,
                   20 if of_tier(headings, deface) else 0, evidence(of_tier(headings, deface))),
            Reason("deface.text", _("Defacement markers in the page text"), Verdict.DEFACED,
                   min(25, 15 + 5 * (len(of_tier(body, deface)) - 1)) if of_tier(body, deface) else
                   (min(10, 5 * len(of_tier(body, weak))) if short else 0),
                   evidence(of_tier(body, deface) or of_tier(body, weak))),
            Reason("deface.shape", _("Shaped like a defacement page (%(shape)s)") % {"shape": ", ".join(shape)},
                   Verdict.DEFACED, min(30, sum(weights[item] for item in shape)), tuple(shape)),
        ]
        if news_context(page) and not short:  # an article reporting a defacement elsewhere
            reasons = [Reason(r.code, r.message, r.verdict, r.weight // 3, r.evidence) for r in reasons]
        return [reason for reason in reasons if reason.weight > 0]
