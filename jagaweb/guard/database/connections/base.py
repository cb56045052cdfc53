"""What every read-only connection offers the scanners: reading queries, the table list, name quoting.

Read-only twice over. The server is told so when the session opens (each engine's module says how), so an
INSERT, UPDATE or DDL statement is refused by the server itself; and `query` refuses, before sending,
anything that is not a SELECT or SHOW, so a bug in a scanner cannot even try.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, ClassVar

from jagaweb.guard.database.errors import DatabaseScanError
from jagaweb.guard.database.login import DbLogin

_READING = re.compile(r"\s*(?:select|show)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Timeouts:
    connect: float = 10.0  # seconds to open the connection and log in
    statement: float = 30.0  # seconds one query may run on the server before the server stops it
    read: float = 60.0  # seconds the client waits for an answer (a server that stops answering)


class QueryRefused(DatabaseScanError):
    """A statement that is not a read was handed to a read-only connection."""


class ReadOnlyConnection(ABC):
    engine: ClassVar[str]
    quote_char: ClassVar[str]

    def __init__(self, login: DbLogin, timeouts: Timeouts) -> None:
        self.login = login
        self.timeouts = timeouts

    @classmethod
    @abstractmethod
    def open(cls, login: DbLogin, timeouts: Timeouts) -> ReadOnlyConnection:
        """Connect, log in and make the session read-only, or raise DatabaseScanError."""

    @property
    @abstractmethod
    def raw(self) -> Any:
        """The driver's connection (tests use it to show the server refuses writes)."""

    @abstractmethod
    def _run(self, sql: str, params: Sequence[Any] | None) -> list[tuple[Any, ...]]:
        """Execute one reading statement and return all its rows; driver errors become DatabaseScanError."""

    @abstractmethod
    def tables(self) -> list[str]:
        """The base tables of the database (of the search path's schemas on PostgreSQL)."""

    @abstractmethod
    def columns(self, table: str) -> list[str]: ...

    @abstractmethod
    def close(self) -> None: ...

    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        """Rows of a SELECT or SHOW. Placeholders are %s; without `params` a % is literal, with them %%."""
        if not _READING.match(sql) or ";" in sql.rstrip().rstrip(";"):
            raise QueryRefused(f"not a single reading statement: {sql[:60]!r}")
        return self._run(sql, params)

    def quote(self, name: str) -> str:
        mark = self.quote_char
        return mark + name.replace(mark, mark + mark) + mark

    def __enter__(self) -> ReadOnlyConnection:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
