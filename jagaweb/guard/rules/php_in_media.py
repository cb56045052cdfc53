"""PHP code inside an image, font or archive: it waits for an include, or a handler that runs images."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from jagaweb.guard.rules.base import FileContext, FileKind, Hit, Rule

_CODE = re.compile(r"<\?php\s[^\n]{0,200}?(?:\$\w|\w\s*\()", re.S)


class PhpInMediaRule(Rule):
    code = "php-in-media"
    kinds = frozenset({FileKind.MEDIA})

    def check(self, ctx: FileContext) -> list[Hit]:
        if not ctx.has_php:
            return []
        match = _CODE.search(ctx.lower)
        if match is None:
            return []
        reason = _("PHP code hidden in a .%(ext)s file%(where)s")
        return [Hit("php-in-media", 60, reason % {"ext": ctx.ext, "where": ctx.where(match.start(), ctx.lower)})]
