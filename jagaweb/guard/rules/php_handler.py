"""Server configuration that runs PHP where it should not: images made executable, code prepended to every page."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from jagaweb.guard.rules.base import FileContext, FileKind, Hit, Rule

_MEDIA = r"(?:jpe?g|png|gif|ico|bmp|webp|svg|css|js|woff2?|ttf|pdf|zip|mp[34])"
_TEXT = r"(?:html?|txt|xml|log|tmp)"
_PHP_HANDLER = r"\S*(?:php|x-httpd)\S*"
_ADD = re.compile(r"^\s*add(?:type|handler)\s+(" + _PHP_HANDLER + r")\s+(.+)$", re.M)
_FILES_BLOCK = re.compile(r"<files(?:match)?\s+([^>]*)>(.*?)</files(?:match)?>", re.S | re.I)
_SET_HANDLER = re.compile(r"^\s*(?:sethandler|forcetype)\s+" + _PHP_HANDLER, re.M)
_PREPEND = re.compile(r"auto_(prepend|append)_file\s*(?:=|\s)\s*['\"]?([^\s'\"]*)")
_SUSPECT_TARGET = re.compile(r"\.(?:" + _MEDIA + "|" + _TEXT + r"|bak|dat)$|^/(?:tmp|dev/shm|var/tmp)/|/uploads?/|/\.")
_MIXED_CASE_PHP = re.compile(r"[pP][hH][pP]")
_UPLOAD_DIRS = frozenset({"uploads", "upload", "images", "img", "files", "media", "assets"})


class PhpHandlerRule(Rule):
    code = "php-handler"
    kinds = frozenset({FileKind.CONFIG})

    def check(self, ctx: FileContext) -> list[Hit]:
        text = ctx.lower
        hits: list[Hit] = []
        executable = self._executable_media(ctx, text)
        if executable is not None:
            hits.append(executable)
        for match in _PREPEND.finditer(text):
            target = match.group(2)
            if not target or target == "none":
                continue
            where = ctx.where(match.start(), ctx.lower)
            if target.endswith("wordfence-waf.php"):
                hits.append(
                    Hit(
                        "php-handler.prepend-known",
                        5,
                        _("PHP runs %(target)s before every page (Wordfence firewall)") % {"target": target},
                    )
                )
            elif _SUSPECT_TARGET.search(target):
                reason = _("PHP runs %(target)s before or after every page: an odd place for code%(where)s")
                hits.append(Hit("php-handler.prepend", 90, reason % {"target": target, "where": where}))
            else:
                reason = _("PHP runs %(target)s before or after every page%(where)s")
                hits.append(Hit("php-handler.prepend", 45, reason % {"target": target, "where": where}))
        for block in _FILES_BLOCK.finditer(ctx.text):
            variants = set(_MIXED_CASE_PHP.findall(block.group(1)))
            if len(variants) >= 3 and "deny" in block.group(2).lower():
                reason = _("denies PHP files by a list of case variants (%(count)d), as mass webshell droppers do")
                hits.append(Hit("php-handler.case-variants", 60, reason % {"count": len(variants)}))
                break
        return hits

    def _executable_media(self, ctx: FileContext, text: str) -> Hit | None:
        for match in _ADD.finditer(text):
            extensions = match.group(2)
            if re.search(r"\.htaccess\b", extensions) or re.search(r"\.(?:" + _MEDIA + r")\b", extensions):
                reason = _("makes images or other static files run as PHP%(where)s")
                return Hit("php-handler.media", 75, reason % {"where": ctx.where(match.start(), ctx.lower)})
            if re.search(r"\.(?:" + _TEXT + r")\b", extensions):
                reason = _("makes text or HTML files run as PHP%(where)s")
                return Hit("php-handler.text", 35, reason % {"where": ctx.where(match.start(), ctx.lower)})
        for block in _FILES_BLOCK.finditer(text):
            if _SET_HANDLER.search(block.group(2)) and re.search(_MEDIA + r"|" + _TEXT, block.group(1)):
                reason = _("makes files matching %(pattern)s run as PHP") % {"pattern": block.group(1).strip()[:80]}
                return Hit("php-handler.media", 75, reason)
        outside = _FILES_BLOCK.sub("", text)
        if _SET_HANDLER.search(outside) and _UPLOAD_DIRS.intersection(ctx.dirs):
            return Hit("php-handler.upload-dir", 60, _("makes every file in an upload folder run as PHP"))
        return None
