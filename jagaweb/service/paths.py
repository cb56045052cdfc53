"""The folders JagaWeb keeps its state in, made before anything needs them."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def make_directories() -> None:
    """The data directory and the static/media folders under it (WhiteNoise warns about a missing one)."""
    for folder in (settings.DATA_DIR, settings.STATIC_ROOT, settings.MEDIA_ROOT):
        Path(folder).mkdir(parents=True, exist_ok=True)
