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

SOURCES: dict[str, type[Source]] = {
    SourceKind.WEBROOT: WebRootSource,
    SourceKind.PATHS: ExtraPathsSource,
    SourceKind.CRONTAB: CrontabSource,
    SourceKind.MYSQL: MySQLSource,
    SourceKind.POSTGRESQL: PostgreSQLSource,
}

__all__ = [
    "DEFAULT_EXCLUDES", "SOURCES", "CrontabSource", "DatabaseRestore", "DatabaseRestoreFailed", "DumpFailed",
    "ExtraPathsSource", "MySQLSource", "PostgreSQLSource", "Source", "SourceError", "SourceKind", "SourceReport",
    "WebRootSource", "crontab_source", "restore_database",
]
