"""Links to other sites in blocks visitors cannot see: the shape of link-farm injections even when the
anchor texts are not (recognisably) gambling. Gambling ones are weighed by the gambling detector too."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jagaweb.guard.choices import Verdict
from jagaweb.guard.page.detectors.base import Detector
from jagaweb.guard.page.document import Page
from jagaweb.guard.page.result import Reason, evidence
from jagaweb.guard.page.urls import host_of, is_benign, is_external, site_of


class HiddenLinksDetector(Detector):
    kind = "hidden"

    def detect(self, page: Page) -> list[Reason]:
        sites = set()
        hows = set()
        for block in page.hidden:
            for href, _text in block.links:
                host = host_of(href)
                # Hidden social-network icons and links to other government sites are ordinary menus.
                if host and is_external(host, page.own) and not is_benign(host):
                    sites.add(site_of(host))
                    hows.add(block.how)
        if not sites:
            return []
        weight = 10 if len(sites) == 1 else min(40, 15 + 5 * len(sites))
        message = _("Hidden links to %(count)d other sites (%(how)s)") % {
            "count": len(sites), "how": ", ".join(sorted(hows))}
        return [Reason("hidden.links", message, Verdict.SUSPICIOUS, weight, evidence(sites))]
