"""The folders and key file JagaWeb keeps its state in, made before anything needs them."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf import settings


def make_directories() -> None:
    """The data directory, the static/media folders under it (WhiteNoise warns about a missing one)
    and the secret key file that every process of this installation must share."""
    for folder in (settings.DATA_DIR, settings.STATIC_ROOT, settings.MEDIA_ROOT):
        Path(folder).mkdir(parents=True, exist_ok=True)
    write_secret_key(Path(settings.DATA_DIR) / settings.SECRET_KEY_FILE)


def write_secret_key(path: Path) -> None:
    if os.environ.get("JAGAWEB_SECRET_KEY"):
        return
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(50))
