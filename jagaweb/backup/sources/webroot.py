"""The site's web root, stored under ``webroot/``.

Caches that the application rebuilds by itself are left out by default (DEFAULT_EXCLUDES); the
caller adds the site's own patterns. Patterns are relative to the web root and use fnmatch rules
as the archiver does: a pattern with a "/" is matched against the path from the web root (and
"*" crosses folders), a pattern without one against the name alone at any depth. Excluding
``folder/*`` keeps the (empty) folder itself, so a restored site still finds it.
"""

from __future__ import annotations

from pathlib import Path

from jagaweb.backup.sources.base import Source, SourceError, SourceKind
from jagaweb.backup.store.archiver import Archiver

PREFIX = "webroot"

DEFAULT_EXCLUDES: tuple[str, ...] = (
    # WordPress: page caches (WP Super Cache, W3 Total Cache, ...) and half-finished updates
    "wp-content/cache/*",
    "wp-content/upgrade/*",
    # Laravel: compiled views, file cache and sessions
    "storage/framework/cache/*",
    "storage/framework/views/*",
    "storage/framework/sessions/*",
    # CodeIgniter 4 cache; Joomla administrator cache
    "writable/cache/*",
    "administrator/cache/*",
    # Drupal: aggregated CSS/JS and compiled Twig templates
    "sites/*/files/css/*",
    "sites/*/files/js/*",
    "sites/*/files/php/*",
    # temporary and editor swap files anywhere
    "*.tmp",
    "*.swp",
)


def prefixed(patterns: list[str], prefix: str) -> list[str]:
    """Web-root-relative patterns as the archiver sees paths (with the manifest prefix)."""
    out = []
    for pattern in patterns:
        pattern = pattern.lstrip("/")
        out.append(f"{prefix}/{pattern}" if "/" in pattern else pattern)
    return out


class WebRootSource(Source):
    kind = SourceKind.WEBROOT

    def __init__(self, root: Path | str, excludes: list[str] | None = None, defaults: bool = True) -> None:
        self.root = Path(root)
        self.excludes = [*(DEFAULT_EXCLUDES if defaults else ()), *(excludes or [])]

    def describe(self) -> str:
        return f"web root {self.root}"

    def collect(self, archiver: Archiver) -> None:
        if not self.root.exists():
            raise SourceError(f"the web root {self.root} does not exist")
        if not self.root.is_dir():
            raise SourceError(f"the web root {self.root} is not a folder")
        # The archiver's excludes apply to every source; ours only while the web root is read.
        everywhere = archiver.excludes
        archiver.excludes = [*everywhere, *prefixed(self.excludes, PREFIX)]
        try:
            archiver.add_tree(self.root, prefix=PREFIX)
        finally:
            archiver.excludes = everywhere
