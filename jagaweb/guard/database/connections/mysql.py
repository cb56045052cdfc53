"""MariaDB/MySQL through PyMySQL (pure Python), read-only and time-limited.

The session is opened with SET SESSION TRANSACTION READ ONLY and every query runs inside START TRANSACTION
READ ONLY ... COMMIT: the server refuses writes and DDL ("Cannot execute statement in a READ ONLY
transaction"), and the snapshot lasts one batch, so a long scan never holds back the live site's purge.
Statements are stopped by the server after `Timeouts.statement` (max_statement_time on MariaDB,
MAX_EXECUTION_TIME on MySQL), and multi-statement queries are off (PyMySQL's default).

The TCP connection is made by `jagaweb.net` (address policy, timeout) to the address it checked and handed
to PyMySQL; a Unix socket path is local and needs no policy.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Sequence
from typing import Any

import pymysql

from jagaweb import net
from jagaweb.guard.database.connections.base import ReadOnlyConnection, Timeouts
from jagaweb.guard.database.errors import DatabaseScanError
from jagaweb.guard.database.login import DbLogin
from jagaweb.inventory.choices import DatabaseEngine


def open_socket(login: DbLogin, timeouts: Timeouts) -> socket.socket:
    """A TCP connection to the database server through the network policy.

    Database servers of government sites sit on internal networks as often as not (and on the web server
    itself), so private addresses are allowed, as for SSH backup media; the name is resolved once, by
    `net`, and the connection goes to the address that was checked."""
    port = login.effective_port
    addresses = net.check_host(login.host, allow_private=True, port=port)
    return net.connect_tcp(str(addresses[0]), port, timeout=timeouts.connect, allow_private=True)


class MySQLConnection(ReadOnlyConnection):
    engine = DatabaseEngine.MYSQL
    quote_char = "`"

    def __init__(self, login: DbLogin, timeouts: Timeouts, connection: pymysql.connections.Connection) -> None:
        super().__init__(login, timeouts)
        self._connection = connection

    @classmethod
    def open(cls, login: DbLogin, timeouts: Timeouts) -> MySQLConnection:
        options: dict[str, Any] = {
            "user": login.effective_user, "password": login.password or "", "database": login.database,
            "charset": "utf8mb4", "connect_timeout": timeouts.connect, "read_timeout": timeouts.read,
            "write_timeout": timeouts.read, "autocommit": True, "local_infile": False,
        }
        try:
            if login.is_socket:
                connection = pymysql.connect(unix_socket=login.host, **options)
            else:
                sock = open_socket(login, timeouts)
                connection = pymysql.connections.Connection(host=login.host, port=login.effective_port,
                                                            defer_connect=True, **options)
                try:
                    connection.connect(sock)
                except BaseException:
                    sock.close()
                    raise
        except net.NetError as error:
            raise DatabaseScanError(str(error)) from error
        except (pymysql.MySQLError, OSError) as error:
            raise DatabaseScanError(f"cannot connect to {login.describe()}: {_message(error)}") from error
        opened = cls(login, timeouts, connection)
        try:
            opened._start_session()
        except BaseException:
            connection.close()
            raise
        return opened

    def _start_session(self) -> None:
        mariadb = "mariadb" in self._connection.get_server_info().lower()
        limit = (f"SET SESSION max_statement_time = {self.timeouts.statement:.3f}" if mariadb
                 else f"SET SESSION MAX_EXECUTION_TIME = {int(self.timeouts.statement * 1000)}")
        with self._connection.cursor() as cursor:
            try:
                cursor.execute("SET SESSION TRANSACTION READ ONLY")
                cursor.execute(limit)
            except pymysql.MySQLError as error:
                raise DatabaseScanError(f"cannot make the session read-only: {_message(error)}") from error

    @property
    def raw(self) -> pymysql.connections.Connection:
        return self._connection

    def _run(self, sql: str, params: Sequence[Any] | None) -> list[tuple[Any, ...]]:
        with self._connection.cursor() as cursor:
            try:
                cursor.execute("START TRANSACTION READ ONLY")
                try:
                    cursor.execute(sql, tuple(params) if params is not None else None)
                    return list(cursor.fetchall())
                finally:
                    cursor.execute("COMMIT")
            except pymysql.MySQLError as error:
                raise DatabaseScanError(_message(error)) from error

    def tables(self) -> list[str]:
        rows = self.query("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() "
                          "AND table_type = 'BASE TABLE'")
        return sorted(_text(row[0]) for row in rows)

    def columns(self, table: str) -> list[str]:
        rows = self.query("SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() "
                          "AND table_name = %s ORDER BY ordinal_position", (table,))
        return [_text(row[0]) for row in rows]

    def close(self) -> None:
        with contextlib.suppress(pymysql.MySQLError):  # already closed by the server: nothing to release
            self._connection.close()


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes | bytearray) else str(value)


def _message(error: BaseException) -> str:
    args: tuple[Any, ...] = tuple(getattr(error, "args", ()))
    if len(args) == 2 and isinstance(args[0], int):
        return f"{args[1]} ({args[0]})"
    return str(error) or type(error).__name__
