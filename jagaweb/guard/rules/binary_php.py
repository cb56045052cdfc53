"""Binary data with a PHP name: an image uploaded as .php, or a payload that is not source code."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from jagaweb.guard.rules.base import PHP_SOURCE_EXTENSIONS, FileContext, FileKind, Hit, Rule

_IMAGE_MAGIC = (b"GIF87a", b"GIF89a", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"BM", b"RIFF")
_PHP_OPEN = re.compile(rb"<\?(?:php|=)", re.I)


class BinaryPhpRule(Rule):
    code = "binary-php"
    kinds = frozenset({FileKind.PHP})

    def check(self, ctx: FileContext) -> list[Hit]:
        if ctx.ext not in PHP_SOURCE_EXTENSIONS:
            return []
        head = ctx.data[:64]
        image = head.startswith(_IMAGE_MAGIC)
        if image and _PHP_OPEN.search(ctx.data):
            return [
                Hit("binary-php.image-with-code", 70, _("an image header followed by PHP code, to pass upload checks"))
            ]
        if image:
            return [Hit("binary-php.image", 40, _("image data under a PHP name"))]
        if ctx.is_binary and not head.lstrip().startswith(b"<?"):
            return [Hit("binary-php.binary", 40, _("binary data under a PHP name"))]
        return []
