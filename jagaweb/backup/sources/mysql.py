"""A MariaDB/MySQL database, dumped with `mariadb-dump` (or `mysqldump`) into
``database/mysql-<dbname>.sql``.

The dump is made WITHOUT ``--databases``: it then holds no ``CREATE DATABASE`` or ``USE`` line, so
it can be loaded into a database of any name (a restore test next to the live site, a new server).
Restore creates the target itself (utf8mb4; every table keeps the character set and collation the
dump states for it) and connects to it by name. The one thing of the original database the dump
does not carry is its default collation, which only applies to tables created later.

The password goes into a 0600 option file in a private temporary folder, passed as the first
argument; never on the command line (visible in `ps`) and never in the dump.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from jagaweb.backup.sources.base import SourceError, SourceKind
from jagaweb.backup.sources.database import DatabaseSource, Login
from jagaweb.backup.sources.dumps import run_sql
from jagaweb.backup.sources.process import Command, find_tool

DUMP_TOOLS = ("mariadb-dump", "mysqldump")
CLIENT_TOOLS = ("mariadb", "mysql")
CHARSET = "--default-character-set=utf8mb4"
PACKET = "--max-allowed-packet=1G"  # a row with a big BLOB must fit, on dump and on restore
DUMP_OPTIONS = (
    "--single-transaction", "--quick", "--routines", "--triggers", "--events", "--hex-blob", CHARSET,
    # tablespaces belong to the server, not to one database; MySQL 8 refuses them without PROCESS
    "--no-tablespaces", PACKET,
)
CLIENT_OPTIONS = ("--batch", "--binary-mode", CHARSET, PACKET, "--connect-timeout=20")


def option_value(value: str) -> str:
    if "\n" in value or "\r" in value:
        raise SourceError("a MariaDB password cannot contain a line break")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@contextmanager
def client_command(tool: str, login: Login, *options: str) -> Iterator[Command]:
    env = dict(os.environ)
    if login.password is None:
        yield Command([tool, *connection(login), *options], env)
        return
    env.pop("MYSQL_PWD", None)
    with tempfile.TemporaryDirectory(prefix="jagaweb-mysql-") as folder:  # the folder is 0700
        path = os.path.join(folder, "client.cnf")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(f"[client]\npassword={option_value(login.password)}\n")
        # --defaults-extra-file is only understood as the very first argument
        yield Command([tool, f"--defaults-extra-file={path}", *connection(login), *options], env)


def connection(login: Login) -> list[str]:
    if login.host.startswith("/"):
        return [f"--socket={login.host}", f"--user={login.user}"]
    return [f"--host={login.host}", f"--port={login.port}", f"--user={login.user}"]


def quote_name(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


class MySQLSource(DatabaseSource):
    """MariaDB or MySQL; `host` may be a socket path ("/run/mysqld/mysqld.sock")."""

    kind = SourceKind.MYSQL
    label = "MariaDB/MySQL"
    default_port = 3306
    default_user = "root"
    trailer = b"-- Dump completed"

    @contextmanager
    def dump_command(self) -> Iterator[Command]:
        tool = find_tool(*DUMP_TOOLS)
        with client_command(tool, self.login, *DUMP_OPTIONS, "--", self.database) as command:
            yield command

    @classmethod
    def create_database(cls, login: Login, database: str, timeout: float | None) -> None:
        sql = f"CREATE DATABASE IF NOT EXISTS {quote_name(database)} CHARACTER SET utf8mb4"
        with client_command(find_tool(*CLIENT_TOOLS), login, *CLIENT_OPTIONS) as command:
            run_sql(command, sql, timeout, f"creating database {database!r}")

    @classmethod
    @contextmanager
    def restore_command(cls, login: Login, database: str) -> Iterator[Command]:
        with client_command(find_tool(*CLIENT_TOOLS), login, *CLIENT_OPTIONS, "--", database) as command:
            yield command

