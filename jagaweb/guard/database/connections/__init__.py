"""Read-only connections to a site's database: one module per engine, one registry.

    with open_readonly(login) as db:
        db.query("SELECT option_value FROM wp_options WHERE option_name = %s", ("siteurl",))
"""

from __future__ import annotations

from jagaweb.guard.database.connections.base import QueryRefused, ReadOnlyConnection, Timeouts
from jagaweb.guard.database.connections.mysql import MySQLConnection
from jagaweb.guard.database.connections.postgresql import PostgresConnection
from jagaweb.guard.database.errors import DatabaseScanError
from jagaweb.guard.database.login import DbLogin

ENGINES: dict[str, type[ReadOnlyConnection]] = {
    connection.engine: connection for connection in (MySQLConnection, PostgresConnection)
}


def open_readonly(login: DbLogin, timeouts: Timeouts | None = None) -> ReadOnlyConnection:
    engine = ENGINES.get(login.engine)
    if engine is None:
        raise DatabaseScanError(f"unsupported database engine {login.engine!r}")
    return engine.open(login, timeouts or Timeouts())


__all__ = ["ENGINES", "QueryRefused", "ReadOnlyConnection", "Timeouts", "open_readonly"]
