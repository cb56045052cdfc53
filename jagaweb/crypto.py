"""Secrets at rest: credentials are stored encrypted (Fernet, authenticated) and never shown back.

The key comes from JAGAWEB_ENCRYPTION_KEY (several, comma-separated, for rotation: the first
encrypts, all decrypt) or from `encryption_key` in the data directory, made on first use.
Keep that file with the backups of JagaWeb itself: without it the stored secrets are lost.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "enc1:"


@cache
def _fernet() -> MultiFernet:
    keys = [k.strip() for k in os.environ.get("JAGAWEB_ENCRYPTION_KEY", "").split(",") if k.strip()]
    if not keys:
        key_file = settings.DATA_DIR / "encryption_key"
        if not key_file.exists():
            settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "w") as handle:
                    handle.write(Fernet.generate_key().decode())
        keys = [key_file.read_text().strip()]
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(f"JAGAWEB_ENCRYPTION_KEY: not a valid key ({exc})") from exc


def encrypt(plaintext: str) -> str:
    if not plaintext:
        return ""
    return PREFIX + _fernet().encrypt(plaintext.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored:
        return ""
    if not stored.startswith(PREFIX):
        raise ValueError("value is not an encrypted JagaWeb secret")
    try:
        return _fernet().decrypt(stored[len(PREFIX):].encode()).decode()
    except InvalidToken as exc:
        raise ValueError("secret cannot be decrypted with the configured encryption key") from exc


class EncryptedTextField(models.TextField):
    """A text column whose value is encrypted in the database and plain in Python."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str:
        return decrypt(value) if value else ""

    def get_prep_value(self, value: Any) -> str:
        value = super().get_prep_value(value)
        return encrypt(value) if value else ""
