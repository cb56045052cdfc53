"""Symbolic links that expose the server: to /, /etc, or another site's configuration (symlink bypass shells)."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from jagaweb.guard.rules.base import FileContext, FileKind, Hit, Rule

_SENSITIVE = re.compile(
    r"^/+$|^/+(?:etc/(?:passwd|shadow|group|hosts)|root|proc|var/lib/mysql|home/?)/*$"
    r"|(?:wp-config|configuration|config|settings|local\.xml|\.env)(?:\.php)?$"
)


class SymlinkRule(Rule):
    code = "symlink"
    kinds = frozenset({FileKind.SYMLINK})

    def check(self, ctx: FileContext) -> list[Hit]:
        target = (ctx.link_target or "").lower()
        if not _SENSITIVE.search(target):
            return []
        # A config file linked under its own name is how Debian and many hosts deploy; under another name it leaks.
        if target.rsplit("/", 1)[-1] == ctx.name:
            return []
        reason = _("a link to %(target)s, as symlink-bypass shells make to read the server and other sites")
        return [Hit("symlink.sensitive", 60, reason % {"target": ctx.link_target})]
