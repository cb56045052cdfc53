from __future__ import annotations

from django.utils.translation import gettext as _

from jagaweb.activity.log import Actor
from jagaweb.inventory.models import Site
from jagaweb.renewals.review import review_site
from jagaweb.sop.automations.base import Automation, Result
from jagaweb.sop.choices import AutomationKind


class RenewalsReviewAutomation(Automation):
    """The site's hosting, domain and connection services at a glance; the review itself is the evidence."""

    kind = AutomationKind.RENEWALS_REVIEW

    def run(self, site: Site, actor: Actor) -> list[Result]:
        review = review_site(site)
        if not review.services:
            return [Result(False, _("No hosting, domain or connection service is recorded for the site."))]
        label = _("Renewals: %(services)s services, %(ended)s ended, %(soon)s ending within a month") % {
            "services": len(review.services), "ended": len(review.ended), "soon": len(review.ending_soon)}
        return [Result(review.ok, label, None, review.as_evidence())]
