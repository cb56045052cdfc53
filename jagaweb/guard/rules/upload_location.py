"""Scripts where only uploads belong: a PHP file under wp-content/uploads, Drupal's files, an images folder..."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from jagaweb.guard.rules.base import PHP_EXEC_EXTENSIONS, FileContext, FileKind, Hit, Rule

# Folders that CMSs fill with user uploads only. A PHP file there was put there, not installed.
_UPLOAD_ONLY = re.compile(r"(?:^|/)(?:wp-content/uploads|sites/[^/]+/files|uploads|userfiles|\.well-known)/")
# Folders usually holding static assets; CMS code does live in some of them (MediaWiki's includes/media), so
# they only strengthen other evidence.
_ASSET_DIRS = frozenset(
    {"upload", "images", "image", "img", "files", "assets", "media", "pictures", "photos", "gallery", "fonts", "css",
     "js", "static", "tmp", "temp", "cache"}
)  # fmt: skip
# An index.php that only stops directory listings ("Silence is golden") or redirects.
_STUB_NOISE = re.compile(r"<\?php|\?>|/\*.*?\*/|//[^\n]*|#[^\n]*|\s+", re.S)
_STUB_CODE = re.compile(r"^(?:(?:die|exit|header)\s*\([^;]{0,120}\)\s*;?|(?:die|exit)\s*;?)*$")
# shell.php.jpg passes an upload filter that looks at the last extension, and Apache's AddHandler runs it
# (config.php.dist and friends are samples, not disguises).
_DOUBLE_EXTENSION = re.compile(
    r"\.(?:" + "|".join(sorted(PHP_EXEC_EXTENSIONS)) + r")\.(?:jpe?g|png|gif|ico|bmp|webp|svg|txt|pdf|zip|mp4)$"
)


def _is_stub(ctx: FileContext) -> bool:
    if ctx.size > 2048:
        return False
    rest = _STUB_NOISE.sub("", ctx.lower)
    return _STUB_CODE.match(rest) is not None


class UploadLocationRule(Rule):
    code = "location"
    kinds = frozenset({FileKind.PHP, FileKind.MEDIA, FileKind.OTHER, FileKind.MARKUP})

    def check(self, ctx: FileContext) -> list[Hit]:
        executable = ctx.ext in PHP_EXEC_EXTENSIONS or _DOUBLE_EXTENSION.search(ctx.name) is not None
        if not executable or _is_stub(ctx):
            return []
        folder = "/".join(ctx.dirs) + "/"
        if _UPLOAD_ONLY.search(folder):
            reason = _("a script in a folder meant for uploads (%(folder)s)") % {"folder": folder}
            return [Hit("location.upload-folder", 45, reason)]
        hits: list[Hit] = []
        if _ASSET_DIRS.intersection(ctx.dirs):
            hits.append(
                Hit(
                    "location.asset-folder",
                    15,
                    _("a script in an asset folder (%(folder)s)") % {"folder": folder},
                    with_company=True,
                )
            )
        hidden = [part for part in (*ctx.dirs, ctx.name) if part.startswith(".") and part not in (".", "..")]
        if hidden:
            hits.append(
                Hit(
                    "location.hidden",
                    15,
                    _("a hidden script (%(name)s)") % {"name": "/".join(hidden)},
                    with_company=True,
                )
            )
        if ctx.ext not in PHP_EXEC_EXTENSIONS:
            hits.append(
                Hit(
                    "location.double-extension",
                    30,
                    _("a script disguised by a double extension (%(name)s)") % {"name": ctx.name},
                )
            )
        return hits
