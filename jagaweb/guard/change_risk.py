"""How worrying one change to a web root is, by what and where it is: before anything reads the file.

Attackers plant PHP where only uploads belong, rewrite `.htaccess` and `index.php` to cloak, drop doorway
folders of HTML pages and Search Console verification files, and make files writable or executable. An
editor's ordinary work changes content files and images. Every change is an unwanted change until someone
approves it, so none scores zero; the content rules add their own findings on top.
"""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from django.utils.translation import gettext as _

from jagaweb.guard.choices import Severity, Verdict
from jagaweb.guard.integrity import Change, ChangeKind, PathKind

EXECUTABLE_SUFFIXES = {".php", ".phtml", ".php3", ".php4", ".php5", ".php7", ".phar", ".pht", ".phps", ".inc",
                       ".cgi", ".pl", ".py", ".sh", ".asp", ".aspx", ".jsp"}
UPLOAD_FOLDERS = re.compile(r"(^|/)(wp-content/uploads|uploads?|images?|img|files|media|assets|sites/default/files|"
                            r"storage|tmp|cache)(/|$)", re.IGNORECASE)
CONTROL_FILES = {".htaccess", ".user.ini", "php.ini", "index.php", "wp-config.php", "configuration.php",
                 "settings.php", "index.html", "index.htm", "wp-load.php", "wp-blog-header.php", "web.config"}
VERIFICATION = re.compile(r"^google[0-9a-f]{16}\.html$|^BingSiteAuth\.xml$|^yandex_[0-9a-f]{16}\.html$")
PAGE_SUFFIXES = {".html", ".htm", ".xml"}


@dataclass(frozen=True)
class Risk:
    verdict: str
    severity: str
    score: int
    reasons: tuple[dict[str, Any], ...]


def reason(code: str, message: str, weight: int, *evidence: str) -> dict[str, Any]:
    return {"code": code, "message": message, "weight": weight, "evidence": list(evidence)}


def risk_of(change: Change) -> Risk:
    found = list(_reasons(change))
    score = min(100, sum(item["weight"] for item in found))
    severity = (Severity.HIGH if score >= 40 else Severity.MEDIUM if score >= 20 else Severity.LOW)
    return Risk(str(Verdict.SUSPICIOUS), str(severity), score, tuple(found))


def _reasons(change: Change) -> list[dict[str, Any]]:
    path = PurePosixPath(change.path)
    name, suffix = path.name, path.suffix.lower()
    executable = suffix in EXECUTABLE_SUFFIXES
    in_uploads = bool(UPLOAD_FOLDERS.search(str(path.parent)))
    if change.kind == ChangeKind.ADDED:
        if VERIFICATION.match(name):
            return [reason("file.verification_added", _("A new search-engine verification file: whoever planted it "
                                                         "can claim the site in Search Console"), 45, name)]
        if executable and in_uploads:
            return [reason("file.code_in_uploads", _("A new program file where only uploads belong"), 45, name)]
        if executable:
            return [reason("file.code_added", _("A new program file"), 30, name)]
        if name.lower() in CONTROL_FILES:
            return [reason("file.control_added", _("A new server or site control file"), 40, name)]
        if suffix in PAGE_SUFFIXES:
            return [reason("file.page_added", _("A new page file (doorway pages are planted like this)"), 15, name)]
        return [reason("file.added", _("A file that is not in the trusted backup"), 5, name)]
    if change.kind == ChangeKind.MODIFIED:
        if name.lower() in CONTROL_FILES:
            return [reason("file.control_modified", _("A server or site control file was changed "
                                                      "(cloaking and redirects are put here)"), 40, name)]
        if executable:
            return [reason("file.code_modified", _("A program file was changed"), 25, name)]
        return [reason("file.modified", _("A file differs from the trusted backup"), 10, name)]
    if change.kind == ChangeKind.DELETED:
        return [reason("file.deleted", _("A file of the trusted backup is missing"), 10, name)]
    if change.kind == ChangeKind.PERMISSIONS:
        return _permissions(change, name)
    if change.kind == ChangeKind.TARGET:
        target = change.new.target if change.new is not None else ""
        return [reason("file.link_changed", _("A link now points somewhere else"), 30, target)]
    return [reason("file.type_changed", _("A file, folder or link was replaced by another kind "
                                          "(a folder swapped for a link can expose the server)"), 30, name)]


def _permissions(change: Change, name: str) -> list[dict[str, Any]]:
    new_mode = change.new.mode if change.new is not None else 0
    old_mode = change.old.mode if change.old is not None else 0
    opened = new_mode & ~old_mode
    if opened & stat.S_IWOTH:
        return [reason("file.world_writable", _("Anyone on the server may now change this"), 25, oct(new_mode))]
    if opened & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH) and change.new is not None \
            and change.new.kind == PathKind.FILE:
        return [reason("file.made_executable", _("The file was made executable"), 20, oct(new_mode))]
    return [reason("file.permissions", _("Owner or permissions changed"), 5, f"{oct(old_mode)} -> {oct(new_mode)}")]
