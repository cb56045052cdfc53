"""The database guard's one error type: its message is safe to show (it never holds a password)."""

from __future__ import annotations


class DatabaseScanError(Exception):
    """The scan could not start (no connection, an unsupported engine or CMS) or one query failed."""


class UnsupportedCms(DatabaseScanError):
    pass
