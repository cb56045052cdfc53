"""Search-engine ownership files: whoever uploads one can claim the site in Search Console (and its traffic)."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from jagaweb.guard.rules.base import FileContext, FileKind, Hit, Rule

_NAMES = re.compile(r"^(?:google[0-9a-f]{16}\.html|yandex_[0-9a-f]{16}\.html|bingsiteauth\.xml)$")


class VerificationFileRule(Rule):
    code = "verification-file"
    kinds = frozenset({FileKind.MARKUP})

    def check(self, ctx: FileContext) -> list[Hit]:
        if _NAMES.match(ctx.name) is None:
            return []
        reason = _("a search-engine site verification file (%(name)s): check that the site's owner placed it")
        return [Hit("verification-file", 40, reason % {"name": ctx.name})]
