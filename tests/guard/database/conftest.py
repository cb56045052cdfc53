"""Throwaway MariaDB and PostgreSQL databases filled from the SQL fixtures in tests/fixtures/guard/database/.

Each database has a unique name and is dropped when the test ends. The test's own administrative connection
(`admin`) fills and changes it; the scanner only ever gets its read-only connection.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pymysql
import pytest
from pymysql.constants import CLIENT

from jagaweb.guard.database import DbLogin
from tests.services import port_open, unavailable

HOST = "127.0.0.1"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "guard" / "database"
SITE_HOST = "diskominfo.contohkab.go.id"


def fixture_sql(name: str, prefix: str = "") -> str:
    return (FIXTURES / name).read_text(encoding="utf-8").replace("{{prefix}}", prefix)


@dataclass
class Throwaway:
    login: DbLogin
    admin: Callable[[str], None]  # runs SQL as the test's administrator (writes allowed)
    read: Callable[[str], list[tuple[Any, ...]]]  # rows of one query, as the administrator


def _mariadb_admin(database: str | None = None) -> pymysql.connections.Connection:
    return pymysql.connect(host=HOST, port=3306, user="root", password="", database=database, charset="utf8mb4",
                           autocommit=True, client_flag=CLIENT.MULTI_STATEMENTS, connect_timeout=5)


@pytest.fixture(scope="session")
def mariadb_server() -> None:
    if not port_open(HOST, 3306):
        unavailable("MariaDB", f"nothing listens on {HOST}:3306")
    try:
        _mariadb_admin().close()
    except pymysql.MySQLError as error:
        unavailable("MariaDB", f"cannot log in as root without a password: {error}")


@pytest.fixture(scope="session")
def postgres_server() -> None:
    if not port_open(HOST, 5432):
        unavailable("PostgreSQL", f"nothing listens on {HOST}:5432")


@pytest.fixture
def mariadb_database(mariadb_server: None) -> Iterator[Callable[..., Throwaway]]:
    """make(fixture_name=None, prefix="") -> a fresh database, filled from the fixture when one is named."""
    created: list[str] = []

    def make(fixture: str | None = None, prefix: str = "") -> Throwaway:
        name = f"jagaweb_guarddb_{uuid.uuid4().hex[:12]}"
        with _mariadb_admin() as conn, conn.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci")
        created.append(name)

        def admin(sql: str) -> None:
            with _mariadb_admin(name) as conn, conn.cursor() as cursor:
                cursor.execute(sql)
                while cursor.nextset():  # every statement of a script must run (and report its error)
                    pass

        def read(sql: str) -> list[tuple[Any, ...]]:
            with _mariadb_admin(name) as conn, conn.cursor() as cursor:
                cursor.execute(sql)
                return list(cursor.fetchall())

        if fixture:
            admin(fixture_sql(fixture, prefix))
        return Throwaway(DbLogin(engine="mysql", database=name, host=HOST, port=3306, user="root"), admin, read)

    yield make
    with _mariadb_admin() as conn, conn.cursor() as cursor:
        for name in created:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")


def _pg_admin(database: str = "postgres") -> psycopg.Connection[Any]:
    return psycopg.connect(host=HOST, port=5432, user="postgres", dbname=database, autocommit=True, connect_timeout=5)


@pytest.fixture
def postgres_database(postgres_server: None) -> Iterator[Callable[..., Throwaway]]:
    created: list[str] = []

    def make(fixture: str | None = None, prefix: str = "") -> Throwaway:
        name = f"jagaweb_guarddb_{uuid.uuid4().hex[:12]}"
        with _pg_admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\''.encode())
        created.append(name)

        def admin(sql: str) -> None:
            with _pg_admin(name) as conn:
                conn.execute(sql.encode())

        def read(sql: str) -> list[tuple[Any, ...]]:
            with _pg_admin(name) as conn:
                return list(conn.execute(sql.encode()).fetchall())

        if fixture:
            admin(fixture_sql(fixture, prefix))
        return Throwaway(DbLogin(engine="postgresql", database=name, host=HOST, port=5432, user="postgres"), admin,
                         read)

    yield make
    with _pg_admin() as conn:
        for name in created:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())
