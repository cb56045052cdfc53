"""What every backup source shares: its kind, its report, its errors, and how it is measured.

A source puts its entries into the snapshot being written under its own manifest prefix:
``webroot/...`` for the web root, ``system/<absolute path without the leading slash>/...`` for extra
system paths (and ``system/crontab/<user>``), ``database/<engine>-<dbname>.sql`` for database dumps.

A source that fails raises `SourceError` (a dump that cannot be trusted raises `DumpFailed`). The
snapshot is written only by ``Archiver.finish()``; a caller that gets an exception from a source
calls ``archiver.abort()`` instead, so no snapshot ever holds a half-written source.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar

from jagaweb.backup.store.archiver import Archiver


class SourceKind(StrEnum):
    # A plain enum, not Django's TextChoices: a backup's sources load without Django, as the store does.
    WEBROOT = "webroot"
    PATHS = "paths"
    CRONTAB = "crontab"
    MYSQL = "mysql"
    POSTGRESQL = "postgresql"


class SourceError(Exception):
    """A source could not be read at all (missing web root, tool not installed, ...)."""


class ClientFailed(SourceError):
    """A dump or restore client failed; the exit status and the tail of its stderr are kept."""

    def __init__(self, message: str, exit_code: int | None = None, stderr: str = "", reason: str = "") -> None:
        super().__init__(message)
        self.exit_code = exit_code
        self.stderr = stderr
        self.reason = reason


class DumpFailed(ClientFailed):
    """A database dump that cannot be trusted: bad exit status, no completion trailer, or an error
    on stderr. The backup it belongs to must fail; its snapshot must not be written."""


class DatabaseRestoreFailed(ClientFailed):
    """A dump could not be loaded into the target database."""


@dataclass
class SourceReport:
    source: str
    files: int = 0
    bytes: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Tally:
    """The archiver's counters before a source ran, to report what that source alone added."""

    files: int
    bytes: int
    warnings: int

    @classmethod
    def of(cls, archiver: Archiver) -> Tally:
        stats = archiver.stats
        return cls(stats.files, stats.bytes_read, len(stats.warnings))

    def since(self, archiver: Archiver, source: str) -> SourceReport:
        stats = archiver.stats
        return SourceReport(
            source=source, files=stats.files - self.files, bytes=stats.bytes_read - self.bytes,
            warnings=list(stats.warnings[self.warnings:]),
        )


class Source(ABC):
    kind: ClassVar[str]

    @abstractmethod
    def describe(self) -> str:
        """A short human description, e.g. "web root /var/www/portal"."""

    @abstractmethod
    def collect(self, archiver: Archiver) -> None:
        """Add this source's entries; warnings go to ``archiver.stats.warnings`` (and so into the
        snapshot summary), failures raise SourceError."""

    def add_to(self, archiver: Archiver) -> SourceReport:
        before = Tally.of(archiver)
        self.collect(archiver)
        return before.since(archiver, self.describe())


def warn(archiver: Archiver, message: str) -> None:
    archiver.stats.warnings.append(message)
