"""Backup sources ("seluruh sistem"): the web root, extra system paths and crontabs, and databases.

    archiver = Archiver(repo, parent=parent_manifest)
    for source in (WebRootSource("/var/www/portal", excludes=["uploads/tmp/*"]),
                   ExtraPathsSource(["/etc/nginx/sites-enabled/portal", "/etc/php/8.2/fpm/php.ini"]),
                   crontab_source("www-data"),
                   MySQLSource("portal", host="127.0.0.1", user="backup", password=secret)):
        report = source.add_to(archiver)          # SourceError / DumpFailed: stop here
    info = archiver.finish(source="portal")      # only now is a snapshot written

On any exception from a source the caller calls ``archiver.abort()`` and not ``finish()``: a failed
dump must never end up in a snapshot that looks complete.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jagaweb.backup.sources.base import (
        DatabaseRestoreFailed,
        DumpFailed,
        Source,
        SourceError,
        SourceKind,
        SourceReport,
    )
    from jagaweb.backup.sources.crontab import CrontabSource
    from jagaweb.backup.sources.mysql import MySQLSource
    from jagaweb.backup.sources.paths import ExtraPathsSource, crontab_source
    from jagaweb.backup.sources.postgresql import PostgreSQLSource
    from jagaweb.backup.sources.restore import DatabaseRestore, restore_database
    from jagaweb.backup.sources.webroot import DEFAULT_EXCLUDES, WebRootSource

    SOURCES: dict[str, type[Source]]

# Each name is imported from its module when first asked for, so that a backup of a web root does
# not load the database clients' code (subprocess, temporary files and the rest).
HOMES = {
    "DatabaseRestoreFailed": "base", "DumpFailed": "base", "Source": "base", "SourceError": "base",
    "SourceKind": "base", "SourceReport": "base", "CrontabSource": "crontab", "MySQLSource": "mysql",
    "ExtraPathsSource": "paths", "crontab_source": "paths", "PostgreSQLSource": "postgresql",
    "DatabaseRestore": "restore", "restore_database": "restore", "DEFAULT_EXCLUDES": "webroot",
    "WebRootSource": "webroot",
}


def __getattr__(name: str) -> Any:
    if name == "SOURCES":
        kinds = ("WebRootSource", "ExtraPathsSource", "CrontabSource", "MySQLSource", "PostgreSQLSource")
        value: Any = {__getattr__(kind).kind: __getattr__(kind) for kind in kinds}
    elif name in HOMES:
        value = getattr(import_module(f"jagaweb.backup.sources.{HOMES[name]}"), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


__all__ = [
    "DEFAULT_EXCLUDES", "SOURCES", "CrontabSource", "DatabaseRestore", "DatabaseRestoreFailed", "DumpFailed",
    "ExtraPathsSource", "MySQLSource", "PostgreSQLSource", "Source", "SourceError", "SourceKind", "SourceReport",
    "WebRootSource", "crontab_source", "restore_database",
]
