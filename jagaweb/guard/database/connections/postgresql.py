"""PostgreSQL through psycopg 3, read-only and time-limited.

The session starts with default_transaction_read_only=on and a statement_timeout (startup options, so
they hold from the first statement), in autocommit mode: every query is its own read-only transaction, and
writes and DDL are refused by the server ("cannot execute INSERT in a read-only transaction").

The host name is checked and resolved by `jagaweb.net` (private addresses allowed: database servers are
internal) and libpq connects to that address (`hostaddr`), keeping the name for TLS; a socket folder is
local and needs no policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg

from jagaweb import net
from jagaweb.guard.database.connections.base import ReadOnlyConnection, Timeouts
from jagaweb.guard.database.errors import DatabaseScanError
from jagaweb.guard.database.login import DbLogin
from jagaweb.inventory.choices import DatabaseEngine

MIN_CONNECT_TIMEOUT = 2  # libpq treats smaller values as 2 seconds anyway


class PostgresConnection(ReadOnlyConnection):
    engine = DatabaseEngine.POSTGRESQL
    quote_char = '"'

    def __init__(self, login: DbLogin, timeouts: Timeouts, connection: psycopg.Connection[Any]) -> None:
        super().__init__(login, timeouts)
        self._connection = connection

    @classmethod
    def open(cls, login: DbLogin, timeouts: Timeouts) -> PostgresConnection:
        statement_ms = int(timeouts.statement * 1000)
        options: dict[str, Any] = {
            "host": login.host, "port": login.effective_port, "user": login.effective_user,
            "dbname": login.database, "connect_timeout": max(MIN_CONNECT_TIMEOUT, round(timeouts.connect)),
            "application_name": "jagaweb-guard",
            "options": f"-c default_transaction_read_only=on -c statement_timeout={statement_ms}"
                       f" -c idle_in_transaction_session_timeout={int(timeouts.read * 1000)}",
        }
        if login.password:
            options["password"] = login.password
        try:
            if not login.is_socket:
                addresses = net.check_host(login.host, allow_private=True, port=login.effective_port)
                options["hostaddr"] = str(addresses[0])
            connection = psycopg.connect(autocommit=True, **options)
        except net.NetError as error:
            raise DatabaseScanError(str(error)) from error
        except psycopg.Error as error:
            raise DatabaseScanError(f"cannot connect to {login.describe()}: {_message(error)}") from error
        return cls(login, timeouts, connection)

    @property
    def raw(self) -> psycopg.Connection[Any]:
        return self._connection

    def _run(self, sql: str, params: Sequence[Any] | None) -> list[tuple[Any, ...]]:
        try:
            with self._connection.cursor() as cursor:
                cursor.execute(sql.encode(), tuple(params) if params is not None else None)
                return list(cursor.fetchall())
        except psycopg.Error as error:
            raise DatabaseScanError(_message(error)) from error

    def tables(self) -> list[str]:
        rows = self.query("SELECT table_name FROM information_schema.tables WHERE table_schema = "
                          "ANY(current_schemas(false)) AND table_type = 'BASE TABLE'")
        return sorted(str(row[0]) for row in rows)

    def columns(self, table: str) -> list[str]:
        rows = self.query("SELECT column_name FROM information_schema.columns WHERE table_schema = "
                          "ANY(current_schemas(false)) AND table_name = %s ORDER BY ordinal_position", (table,))
        return [str(row[0]) for row in rows]

    def close(self) -> None:
        self._connection.close()


def _message(error: psycopg.Error) -> str:
    diag = getattr(error, "diag", None)
    primary = diag.message_primary if diag is not None else None
    if primary:
        return primary[:500]
    lines = str(error).strip().splitlines()
    return lines[0][:500] if lines else type(error).__name__
