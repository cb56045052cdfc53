"""Where the guard keeps screenshots and marked differences, and which stored path a request may read.

Paths are relative to the guard media folder and start with the site's short name ("kominfo/..."), so the
scope of a request is decided by its first segment. Everything else is refused: `..`, absolute paths,
symlinks that lead out of the site's folder, and files that are not images (a stored HTML file served
from JagaWeb's own origin would run in its users' sessions).
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from django.conf import settings

IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp"}


def media_root() -> Path:
    # Its own folder, beside the quarantine and the integrity states: a site named "quarantine" must not
    # reach the quarantine through the image view.
    return Path(settings.DATA_DIR) / "guard" / "media"


def site_slug_of(relative: str) -> str | None:
    """The site a stored path belongs to, or None when the path is not a plain relative image path."""
    if not relative or "\\" in relative or "\x00" in relative or relative.startswith("/"):
        return None
    parts = PurePosixPath(relative).parts
    if len(parts) < 2 or any(part in ("", ".", "..") for part in relative.split("/")):
        return None
    if PurePosixPath(relative).suffix.lower() not in IMAGE_TYPES:
        return None
    return parts[0]


def image_file(relative: str) -> Path | None:
    """The stored file for a relative path, or None: refused, missing, or (through a symlink) outside its site's
    folder."""
    slug = site_slug_of(relative)
    if slug is None:
        return None
    root = media_root().resolve()
    site_folder = root / slug
    try:
        found = (root / relative).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not found.is_relative_to(site_folder) or not found.is_file():
        return None
    return found


def content_type_of(path: Path) -> str:
    return IMAGE_TYPES[path.suffix.lower()]
