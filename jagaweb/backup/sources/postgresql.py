"""A PostgreSQL database, dumped with `pg_dump --format=plain --clean --if-exists` into
``database/postgresql-<dbname>.sql``.

A plain dump names no database, so it loads into any database. Restore creates the target from
template0 in UTF8 when asked, then runs the dump through `psql --single-transaction` with
ON_ERROR_STOP: any error (or a damaged backup, see restore.py) leaves the target as it was.
Object owners are kept as dumped (``ALTER ... OWNER TO``), so the owning roles must exist on the
server the dump is restored to. The password travels in PGPASSWORD, never on the command line.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from jagaweb.backup.sources.base import SourceKind
from jagaweb.backup.sources.database import DatabaseSource, Login
from jagaweb.backup.sources.dumps import run_sql
from jagaweb.backup.sources.process import Command, find_tool

MAINTENANCE_DATABASE = "postgres"
# a table locked exclusively (a long migration) fails the dump after 10 minutes instead of hanging it
DUMP_OPTIONS = ("--format=plain", "--no-password", "--clean", "--if-exists", "--lock-wait-timeout=600s")
CLIENT_OPTIONS = ("--no-psqlrc", "--quiet", "--no-password", "--set=ON_ERROR_STOP=1")
# psql fills in :'db' as a quoted literal; \gexec runs the statement the query builds, if any
CREATE_SQL = (
    "SELECT format('CREATE DATABASE %I TEMPLATE template0 ENCODING %L', :'db', 'UTF8')\n"
    "WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \\gexec\n"
)


def conninfo(database: str) -> str:
    """A connection string naming only the database: a name holding "=" stays a name."""
    return "dbname='" + database.replace("\\", "\\\\").replace("'", "\\'") + "'"


def environment(login: Login) -> dict[str, str]:
    env = dict(os.environ)
    if login.password is not None:
        env["PGPASSWORD"] = login.password
    env.setdefault("PGCONNECT_TIMEOUT", "20")
    return env


def command(tool: str, login: Login, database: str, *options: str) -> Command:
    return Command(
        [tool, f"--host={login.host}", f"--port={login.port}", f"--username={login.user}", *options,
         f"--dbname={conninfo(database)}"],
        environment(login),
    )


class PostgreSQLSource(DatabaseSource):
    """PostgreSQL; `host` may be a socket folder ("/var/run/postgresql")."""

    kind = SourceKind.POSTGRESQL
    label = "PostgreSQL"
    default_port = 5432
    default_user = "postgres"
    trailer = b"-- PostgreSQL database dump complete"

    @contextmanager
    def dump_command(self) -> Iterator[Command]:
        yield command(find_tool("pg_dump"), self.login, self.database, *DUMP_OPTIONS)

    @classmethod
    def create_database(cls, login: Login, database: str, timeout: float | None) -> None:
        psql = command(find_tool("psql"), login, MAINTENANCE_DATABASE, *CLIENT_OPTIONS, f"--set=db={database}")
        run_sql(psql, CREATE_SQL, timeout, f"creating database {database!r}")

    @classmethod
    @contextmanager
    def restore_command(cls, login: Login, database: str) -> Iterator[Command]:
        yield command(find_tool("psql"), login, database, *CLIENT_OPTIONS, "--single-transaction")
