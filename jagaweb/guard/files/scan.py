"""The file guard's first look at a web root: every file judged by the rules, on its own, without a baseline.

`scan_directory(root)` walks the tree through directory file descriptors (openat with O_NOFOLLOW), so a link,
or a directory swapped for a link during the scan, is never followed in or out of the root. `only` limits a
rescan to the paths that changed.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePath, PurePosixPath
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from jagaweb.guard.choices import Severity, Verdict
from jagaweb.guard.files.findings import FileFinding, ScanReport, Skipped
from jagaweb.guard.files.reading import OPEN_DIRECTORY, limits_for, open_regular, read_bounded
from jagaweb.guard.files.severity import rank, severity_of
from jagaweb.guard.rules import RULES, FileContext, Hit

if TYPE_CHECKING:
    from jagaweb.inventory.models import Site

log = logging.getLogger(__name__)

MAX_DEPTH = 64  # deeper trees are a trap (or a loop made of bind mounts), not a web site
COMPANY = 10  # points of real evidence needed before the with_company hints count
VERDICT_POINTS = 20  # judol/defaced points needed to name the verdict, rather than "suspicious"


def judge(path: str, hits: list[Hit], min_severity: Severity = Severity.LOW) -> FileFinding | None:
    """Add the hits up into one finding; None when the file is clean or below `min_severity`."""
    alone = sum(hit.points for hit in hits if not hit.with_company)
    counted = [hit for hit in hits if not hit.with_company or alone >= COMPANY]
    score = sum(hit.points for hit in counted)
    severity = severity_of(score)
    if severity is None or rank(severity) < rank(min_severity):
        return None
    judol = sum(hit.points for hit in counted if hit.verdict == Verdict.JUDOL)
    defaced = sum(hit.points for hit in counted if hit.verdict == Verdict.DEFACED)
    if judol >= VERDICT_POINTS and judol >= defaced:
        verdict = Verdict.JUDOL
    elif defaced >= VERDICT_POINTS:
        verdict = Verdict.DEFACED
    else:
        verdict = Verdict.SUSPICIOUS
    counted.sort(key=lambda hit: -hit.points)
    return FileFinding(
        path=path,
        verdict=verdict,
        severity=severity,
        score=score,
        reasons=tuple(dict.fromkeys(hit.reason for hit in counted)),
        rules=tuple(dict.fromkeys(hit.code for hit in counted)),
    )


def check(ctx: FileContext) -> list[Hit]:
    hits: list[Hit] = []
    for rule in RULES.values():
        try:
            if rule.applies(ctx):
                hits.extend(rule.check(ctx))
        except Exception:  # a rule bug on odd input must cost one rule's opinion, not the scan
            log.exception("file rule %s failed on %s", rule.code, ctx.path)
    return hits


def scan_file(
    path: str | PurePath,
    content: bytes,
    *,
    size: int | None = None,
    link_target: str | None = None,
    min_severity: Severity = Severity.LOW,
) -> FileFinding | None:
    """Judge one file from its path (relative to the web root) and its bytes; None when it is clean.

    `content` longer than the read limits is cut to its head and tail, as a directory scan reads it.
    """
    rel = PurePosixPath(*PurePath(path).parts).as_posix() if str(path) else ""
    head, tail = limits_for(rel)
    truncated = len(content) > head + tail
    if truncated:
        content = content[:head] + b"\n\n" + content[-tail:]
    ctx = FileContext(
        rel, content, size=len(content) if size is None else size, truncated=truncated, link_target=link_target
    )
    return judge(rel, check(ctx), min_severity)


class _Walk:
    def __init__(self, report: ScanReport, min_severity: Severity) -> None:
        self.report = report
        self.min_severity = min_severity
        self.seen: set[str] = set()  # `only` may name a folder and a file inside it

    def skip(self, path: str, reason: str) -> None:
        self.report.skipped.append(Skipped(path, reason))

    def entries(self, dir_fd: int, prefix: str, depth: int) -> Iterator[tuple[str, int, str, bool]]:
        """(relative path, parent fd, name, is link) of every regular file and link below `dir_fd`."""
        try:
            with os.scandir(dir_fd) as listing:
                found = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            self.skip(prefix.rstrip("/") or ".", error.strerror or str(error))
            return
        for entry in found:
            rel = prefix + entry.name
            try:
                if entry.is_symlink():
                    yield rel, dir_fd, entry.name, True
                elif entry.is_dir(follow_symlinks=False):
                    yield from self.directory(dir_fd, entry.name, rel, depth + 1)
                elif entry.is_file(follow_symlinks=False):
                    yield rel, dir_fd, entry.name, False
                # FIFOs, sockets and devices are never opened: reading one could block or have effects.
            except OSError as error:
                self.skip(rel, error.strerror or str(error))

    def directory(self, parent_fd: int, name: str, rel: str, depth: int) -> Iterator[tuple[str, int, str, bool]]:
        if depth > MAX_DEPTH:
            self.skip(rel, _("too deep"))
            return
        try:
            fd = os.open(name, OPEN_DIRECTORY, dir_fd=parent_fd)
        except OSError as error:
            self.skip(rel, error.strerror or str(error))
            return
        try:
            yield from self.entries(fd, rel + "/", depth)
        finally:
            os.close(fd)

    def scan(self, rel: str, dir_fd: int, name: str, is_link: bool) -> None:
        if rel in self.seen:
            return
        self.seen.add(rel)
        report = self.report
        if is_link:
            try:
                target = os.readlink(name, dir_fd=dir_fd)
            except OSError as error:
                self.skip(rel, error.strerror or str(error))
                return
            report.scanned += 1
            finding = scan_file(rel, b"", size=0, link_target=target, min_severity=self.min_severity)
        else:
            try:
                fd, info = open_regular(name, dir_fd)
            except OSError as error:
                self.skip(rel, error.strerror or str(error))
                return
            try:
                data, truncated = read_bounded(fd, info.st_size, *limits_for(name))
            except OSError as error:
                self.skip(rel, error.strerror or str(error))
                return
            finally:
                os.close(fd)
            report.scanned += 1
            report.bytes_read += len(data)
            ctx = FileContext(rel, data, size=info.st_size, truncated=truncated)
            finding = judge(rel, check(ctx), self.min_severity)
        if finding is not None:
            report.files.append(finding)

    def only(self, root_fd: int, paths: Iterable[str]) -> Iterator[tuple[str, int, str, bool]]:
        """The listed paths (and the trees of listed directories), reached without following any link."""
        for raw in sorted(set(paths)):
            parts = [p for p in PurePosixPath(str(raw).replace("\\", "/")).parts if p not in ("/", ".")]
            if not parts or ".." in parts:
                self.skip(str(raw), _("not a path inside the root"))
                continue
            yield from self._one(root_fd, parts)

    def _one(self, root_fd: int, parts: list[str]) -> Iterator[tuple[str, int, str, bool]]:
        rel = "/".join(parts)
        opened: list[int] = []
        try:
            fd = root_fd
            for part in parts[:-1]:
                fd = os.open(part, OPEN_DIRECTORY, dir_fd=fd)
                opened.append(fd)
            info = os.stat(parts[-1], dir_fd=fd, follow_symlinks=False)
            if stat.S_ISLNK(info.st_mode):
                yield rel, fd, parts[-1], True
            elif stat.S_ISDIR(info.st_mode):
                yield from self.directory(fd, parts[-1], rel, len(parts))
            elif stat.S_ISREG(info.st_mode):
                yield rel, fd, parts[-1], False
        except FileNotFoundError:
            pass  # removed since it was listed: nothing left to judge
        except OSError as error:  # a link or a file where a directory was expected: never followed
            self.skip(rel, error.strerror or str(error))
        finally:
            for fd in reversed(opened):
                os.close(fd)


def scan_directory(
    root: Path,
    *,
    site: Site | None = None,
    only: set[str] | None = None,
    min_severity: Severity = Severity.LOW,
) -> ScanReport:
    """Scan the web root `root`; `only` (paths relative to it) limits a rescan to what changed.

    `site` is accepted for the guard's per-site settings (approved files, the CMS in use); the rules do not
    need it yet. Unreadable files and directories are listed in `skipped`, never raised.
    """
    report = ScanReport()
    walk = _Walk(report, min_severity)
    try:
        root_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        walk.skip(".", error.strerror or str(error))
        return report
    try:
        entries = walk.only(root_fd, only) if only is not None else walk.entries(root_fd, "", 0)
        for rel, dir_fd, name, is_link in entries:
            walk.scan(rel, dir_fd, name, is_link)
    finally:
        os.close(root_fd)
    report.sort()
    return report
