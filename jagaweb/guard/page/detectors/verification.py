"""Search-engine ownership files: whoever plants one can claim the site in Search Console (or Bing or
Yandex Webmaster) and push their own pages and sitemaps into the index. The operator's own file is
fine, so a planted one is suspicious until approved; the baseline comparison reports new ones."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from jagaweb.guard.choices import Verdict
from jagaweb.guard.page.detectors.base import Detector
from jagaweb.guard.page.document import Page
from jagaweb.guard.page.result import Reason, evidence

VERIFICATION_NAME = re.compile(r"(?:^|/)(google[0-9a-f]{16}\.html|yandex_[0-9a-f]{16}\.html|BingSiteAuth\.xml)$")
_VERIFICATION_BODY = re.compile(r"^\s*google-site-verification:\s*(google[0-9a-f]{16}\.html)\s*$")


def verification_file(name: str) -> str | None:
    """The verification file name in a path or URL path, if it is one ("google0123456789abcdef.html")."""
    match = VERIFICATION_NAME.search(name.split("?", 1)[0].split("#", 1)[0])
    return match.group(1) if match else None


class VerificationDetector(Detector):
    kind = "verification"

    def detect(self, page: Page) -> list[Reason]:
        found = {name for name in (verification_file(page.filename), verification_file(page.url)) if name}
        body = _VERIFICATION_BODY.match(page.raw_text[:200])
        if body:
            found.add(body.group(1))
        if not found:
            return []
        message = _("A search-engine ownership verification file: whoever planted it can claim the site")
        return [Reason("verification.file", message, Verdict.SUSPICIOUS, 30, evidence(found))]
