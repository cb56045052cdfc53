"""File managers and droppers: the request names the file that is written, moved, deleted or re-permissioned."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from jagaweb.guard.rules.base import FileContext, FileKind, Hit, Rule
from jagaweb.guard.rules.php import REQUEST_INPUT_RE, is_function_call, split_arguments

_WRITE = re.compile(
    r"\b(file_put_contents|fopen|unlink|rmdir|chmod|chown|rename|touch|symlink|copy|move_uploaded_file|mkdir)\s*\("
)
_DESTINATION_SECOND = frozenset({"rename", "copy", "move_uploaded_file", "symlink"})
_RAW_CLIENT_NAME = re.compile(r"^\s*(?:[^,]*\.\s*)?\$_files\s*\[[^\]]+\]\s*\[\s*['\"]name['\"]\s*\]\s*$")
_NAME = re.compile(r"\$(\w+)")
# What a shell's file browser shows about the host: one or two are normal in an admin page, many are not.
_RECON = (
    "php_uname", "posix_getpwuid", "posix_geteuid", "posix_getgrgid", "getmyuid", "get_current_user",
    "disk_free_space", "fileperms", "scandir", "opendir", "symlink(", "disable_functions", "safe_mode",
    "open_basedir", "/etc/passwd", "uname -a", "whoami", "netstat", "ls -la", "/bin/sh", "/bin/bash", "cmd.exe",
    "server_software", 'type="file"', "type='file'",
)  # fmt: skip


class FileWriteRule(Rule):
    code = "file-write"
    kinds = frozenset({FileKind.PHP, FileKind.MARKUP, FileKind.MEDIA, FileKind.OTHER})

    def applies(self, ctx: FileContext) -> bool:
        return ctx.has_php

    def check(self, ctx: FileContext) -> list[Hit]:
        code = ctx.code
        hits: list[Hit] = []
        write = self._request_named_file(ctx)
        if write is not None:
            hits.append(write)
        features = {feature.rstrip("(") for feature in _RECON if feature in code}
        if len(features) >= 5:
            reason = _("shows the host the way a shell's file browser does (%(features)s)") % {
                "features": ", ".join(sorted(features)[:8])
            }
            hits.append(
                Hit("file-write.recon", 30 if len(features) >= 8 else 15, reason, with_company=len(features) < 8)
            )
        return hits

    def _request_named_file(self, ctx: FileContext) -> Hit | None:
        code = ctx.code
        for match in _WRITE.finditer(code):
            name = match.group(1)
            if not is_function_call(code, match.start(1)):
                continue
            args = split_arguments(code[match.end() : match.end() + 500])
            target = args[1] if name in _DESTINATION_SECOND and len(args) > 1 else args[0]
            from_request = REQUEST_INPUT_RE.search(target) is not None or bool(
                ctx.request_tainted_at(match.start()).intersection(_NAME.findall(target))
            )
            if from_request:
                reason = _("the request names the file that %(function)s() changes%(where)s")
                return Hit(
                    "file-write.request-path", 50, reason % {"function": name, "where": ctx.where(match.start())}
                )
            if name in ("move_uploaded_file", "copy") and _RAW_CLIENT_NAME.match(target):
                reason = _("an upload is saved under the name the client chose%(where)s")
                return Hit("file-write.client-name", 40, reason % {"where": ctx.where(match.start())})
        return None
