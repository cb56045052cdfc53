"""Judi-online spam: gambling vocabulary weighed by where it stands on the page.

Where matters more than how often. A spam page puts promotion words in its <title>, in link texts to other
sites and in blocks hidden from visitors; a news article about a police raid says "judi online" and
"bandar togel" many times in its body, next to words like "ditangkap" and "tersangka", and links nowhere.
So promotion terms count everywhere, topic terms only outside a news context, and hidden blocks and
gambling links count whatever the context.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jagaweb.guard.choices import TermTier, Verdict
from jagaweb.guard.page.detectors.base import NEWS_CONTEXT, Detector, news_context
from jagaweb.guard.page.document import Page
from jagaweb.guard.page.result import Reason, evidence
from jagaweb.guard.page.urls import host_of, is_external, site_of
from jagaweb.guard.vocabulary import default_vocabulary, gambling_host, of_tier

PROMO, TOPIC, WEAK = TermTier.PROMO, TermTier.TOPIC, TermTier.WEAK


def _capped(first: int, each: int, count: int, cap: int) -> int:
    return min(cap, first + each * (count - 1)) if count else 0


class GamblingDetector(Detector):
    kind = "gambling"

    def detect(self, page: Page) -> list[Reason]:
        news = news_context(page)
        reasons = [*self._head(page, news), *self._text(page, news), *self._links(page, news),
                   *self._hidden(page, news), *self._slugs(page), *self._scripts(page, news)]
        return [reason for reason in reasons if reason.weight > 0]

    def _head(self, page: Page, news: bool) -> list[Reason]:
        head = {**page.terms("title"), **page.terms("meta")}
        promo = of_tier(head, PROMO)
        heading_promo = of_tier(page.terms("headings"), PROMO) - promo
        topic = set() if news else of_tier({**head, **page.terms("headings")}, TOPIC)
        damp = 2 if news else 1
        return [
            Reason("judol.title", gettext_lazy("Gambling promotion in the page title or description"), Verdict.JUDOL,
                   _capped(30, 10, len(promo), 50) // damp, evidence(promo)),
            Reason("judol.headings", gettext_lazy("Gambling promotion in the page headings"), Verdict.JUDOL,
                   _capped(15, 5, len(heading_promo), 25) // damp, evidence(heading_promo)),
            Reason("judol.title_topic", gettext_lazy("Gambling named in the title or headings, not as news"),
                   Verdict.JUDOL, _capped(10, 10, len(topic), 20), evidence(topic)),
        ]

    def _text(self, page: Page, news: bool) -> list[Reason]:
        body = page.terms("body")
        promo = of_tier(body, PROMO)
        topic = set() if news else of_tier(body, TOPIC)
        weight = min(50, 8 * len(promo) + 3 * len(topic))
        if news:
            weight //= 3
        if not weight or not (promo or len(topic) >= 2):
            return []
        message = _("Gambling vocabulary in the page text (%(count)d distinct terms)") % {
            "count": len(promo) + len(topic)}
        return [Reason("judol.text", message, Verdict.JUDOL, weight, evidence(promo | topic))]

    def _links(self, page: Page, news: bool) -> list[Reason]:
        external = page.external_links
        strong = {site_of(link.host) for link in external if gambling_host(link.host)}
        named: set[str] = set()  # anchors that only name gambling ("situs judi online"): also awareness links
        anchors = page.terms("anchors")
        if of_tier(anchors, PROMO) or (not news and of_tier(anchors, TOPIC)):
            vocabulary = default_vocabulary()
            for link in external:
                found = vocabulary.find(f"{link.text}\n{link.href}")
                brands = {text for text, term in found.items() if term.category == "brand"}
                if of_tier(found, PROMO) - brands:
                    strong.add(site_of(link.host))
                elif brands or (not news and of_tier(found, TOPIC)):
                    named.add(site_of(link.host))  # "slot88" alone could be a user name on a code-hosting site
        named -= strong
        weight = min(60, 25 * len(strong) + 10 * len(named))
        if not weight:
            return []
        message = _("Links to %(count)d gambling sites") % {"count": len(strong | named)}
        return [Reason("judol.links", message, Verdict.JUDOL, weight, evidence(strong | named))]

    def _hidden(self, page: Page, news: bool) -> list[Reason]:
        """Hidden gambling links always count; hidden words less so, because tabs, accordions and modals are
        hidden too, and one of them may hold an article about gambling arrests."""
        if not page.hidden:
            return []
        hidden = page.terms("hidden")
        news = news or len(of_tier(hidden, TermTier.NEWS)) >= NEWS_CONTEXT
        promo, topic, weak = of_tier(hidden, PROMO), of_tier(hidden, TOPIC), of_tier(hidden, WEAK)
        vocabulary = default_vocabulary()
        sites = set()
        hows = set()  # how the blocks that hold gambling are hidden (not the page's hidden menus)
        outside = False
        for block in page.hidden:
            for href, text in block.links:
                host = host_of(href)
                if not host or not is_external(host, page.own):
                    continue
                outside = True
                if gambling_host(host) or of_tier(vocabulary.find(f"{text}\n{href}"), PROMO):
                    sites.add(site_of(host))
                    hows.add(block.how)
        if sites:
            weight = 50
        elif promo:
            weight = 15 if news else 50
        elif topic and not news:
            weight = 25
        elif len(weak) >= 3 and outside and not news:  # "slot", "togel", "casino" next to links elsewhere
            weight = 30
        else:
            return []
        if not hows:
            strong = promo | topic or weak
            hows = {block.how for block in page.hidden if strong & vocabulary.find(block.text).keys()}
        message = _("Gambling words or links hidden from visitors (%(how)s)") % {"how": ", ".join(sorted(hows))}
        return [Reason("judol.hidden", message, Verdict.JUDOL, weight, evidence([*sites, *promo, *topic] or weak))]

    def _slugs(self, page: Page) -> list[Reason]:
        if not of_tier(page.terms("internal-urls"), PROMO):
            return []
        promo: set[str] = set()
        vocabulary = default_vocabulary()
        for link in page.links:
            if not link.external:
                found = vocabulary.find(link.href)
                # "/berita/polisi-tangkap-admin-situs-slot-gacor/" is a news article, not an injected page.
                if not of_tier(found, TermTier.NEWS):
                    promo |= of_tier(found, PROMO)
        message = gettext_lazy("Gambling promotion in the addresses of the site's own pages")
        return [Reason("judol.slugs", message, Verdict.JUDOL, _capped(15, 10, len(promo), 40), evidence(promo))]

    def _scripts(self, page: Page, news: bool) -> list[Reason]:
        promo = of_tier(page.terms("scripts"), PROMO)
        weight = _capped(20, 15, len(promo), 50) // (3 if news else 1)  # a news site's scripts carry its headlines
        message = gettext_lazy("Gambling promotion inside the page's scripts")
        return [Reason("judol.script", message, Verdict.JUDOL, weight, evidence(promo))]
