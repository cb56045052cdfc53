"""What the MariaDB/MySQL and PostgreSQL sources share: the login, the dump's manifest path, the
streamed dump (see dumps.py), and the hooks restore.py uses to load a dump into a database."""

from __future__ import annotations

from abc import abstractmethod
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import ClassVar

from jagaweb.backup.sources.base import Source, SourceError
from jagaweb.backup.sources.dumps import stream_dump
from jagaweb.backup.sources.process import Command
from jagaweb.backup.store.archiver import Archiver

PREFIX = "database"
DEFAULT_TIMEOUT = 3 * 3600.0  # a stuck dump must not hold the repository lock forever


@dataclass(frozen=True)
class Login:
    host: str
    port: int
    user: str
    password: str | None = field(default=None, repr=False)  # never in reprs, logs, or argv

    def address(self) -> str:
        return f"{self.host}:{self.port}" if self.port and not self.host.startswith("/") else self.host


def check_name(database: str) -> str:
    if not database or "\x00" in database or database.startswith("-"):
        raise SourceError(f"{database!r} is not a database name")
    return database


def dump_path(engine: str, database: str) -> str:
    """'database/<engine>-<dbname>.sql'; a "/" in a (PostgreSQL) name must not make a folder."""
    safe = database.replace("%", "%25").replace("/", "%2F")
    return f"{PREFIX}/{engine}-{safe}.sql"


class DatabaseSource(Source):
    label: ClassVar[str]
    default_port: ClassVar[int]
    default_user: ClassVar[str]
    trailer: ClassVar[bytes]

    def __init__(
        self, database: str, *, host: str = "localhost", port: int | None = None, user: str | None = None,
        password: str | None = None, timeout: float | None = DEFAULT_TIMEOUT,
    ) -> None:
        self.database = check_name(database)
        self.login = Login(host, port or self.default_port, user or self.default_user, password)
        self.timeout = timeout

    def describe(self) -> str:
        return f"{self.label} database {self.database!r} on {self.login.address()}"

    @property
    def entry_path(self) -> str:
        return dump_path(self.kind, self.database)

    def collect(self, archiver: Archiver) -> None:
        with self.dump_command() as command:
            stream_dump(archiver, self.entry_path, command, self.trailer, self.timeout, self.describe())

    @abstractmethod
    def dump_command(self) -> AbstractContextManager[Command]:
        """The dump tool's command line and environment, valid inside the context."""

    # ---- restoring (used by restore.restore_database) ----
    @classmethod
    @abstractmethod
    def create_database(cls, login: Login, database: str, timeout: float | None) -> None:
        """Create the database unless it exists."""

    @classmethod
    @abstractmethod
    def restore_command(cls, login: Login, database: str) -> AbstractContextManager[Command]:
        """A client that executes SQL from stdin in `database`, stopping at the first error."""
