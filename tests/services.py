"""Reaching the real services tests use, skipping with the reason when one is absent.

Under CI (CI=true) a missing service fails the test instead: `.ci/run` installs and starts them all,
so a skip there would hide a broken setup.
"""

from __future__ import annotations

import os
import shutil
import socket
from typing import NoReturn

import pytest
from django.db import connection

CHROMIUM = "/usr/bin/chromium"


def unavailable(service: str, reason: str) -> NoReturn:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{service} is required under CI but {reason}")
    pytest.skip(f"{service}: {reason}")


def port_open(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def require_postgres_database() -> None:
    """For tests that only make sense when the suite itself runs on PostgreSQL."""
    if connection.vendor != "postgresql":
        pytest.skip("runs when the suite runs on PostgreSQL (DATABASE_URL=postgres://...)")
    if not port_open("127.0.0.1", 5432):
        unavailable("PostgreSQL", "nothing listens on 127.0.0.1:5432")


def require_weasyprint() -> None:
    """Reports' PDFs: WeasyPrint loads Pango when it is imported."""
    try:
        import weasyprint  # noqa: F401
    except OSError as exc:
        unavailable("WeasyPrint", f"Pango cannot be loaded ({exc}); apt-get install libpango-1.0-0 libpangoft2-1.0-0")


def require_chromium() -> str:
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if not path:
        unavailable("Chromium", "/usr/bin/chromium is not installed (apt-get install chromium)")
    return path
