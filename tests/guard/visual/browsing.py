"""Settings for the browser tests here, which take their screenshots once per module (one Chromium per capture())."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.test import override_settings
from django.utils import translation

from tests.services import require_chromium

PORTAL_HOST = "portal.example.go.id"
INTRANET_HOST = "intranet.example.go.id"


@contextlib.contextmanager
def browser_settings(**extra: object) -> Iterator[None]:
    """Chromium where the tests found it, English messages, and any other settings given.

    For module-scoped fixtures, which cannot use pytest-django's function-scoped `settings`."""
    executable = require_chromium()
    with override_settings(JAGAWEB_CHROMIUM=executable, LANGUAGE_CODE="en", **extra), translation.override("en"):
        yield


def local_names() -> dict[str, list[str]]:
    """JAGAWEB_NET_HOSTS: the site and an "intranet" host, both really on 127.0.0.1."""
    return {PORTAL_HOST: ["127.0.0.1"], INTRANET_HOST: ["127.0.0.1"]}
