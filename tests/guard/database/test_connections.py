"""The scanner's connections are read-only by construction, time-limited, and fail with safe messages."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
import pymysql
import pytest

from jagaweb.guard.database import DatabaseScanError, DbLogin, Timeouts, open_readonly
from jagaweb.guard.database.connections import QueryRefused
from tests.guard.database.conftest import HOST, Throwaway

TABLE = "CREATE TABLE pengumuman (id INT PRIMARY KEY, judul VARCHAR(200) NOT NULL); " \
        "INSERT INTO pengumuman VALUES (1, 'Seleksi PPPK'), (2, 'Jadwal Posyandu');"
WRITES = [
    "INSERT INTO pengumuman VALUES (3, 'slot gacor')",
    "UPDATE pengumuman SET judul = 'slot gacor' WHERE id = 1",
    "DELETE FROM pengumuman",
    "CREATE TABLE injected (id INT)",
    "DROP TABLE pengumuman",
    "ALTER TABLE pengumuman ADD COLUMN x INT",
]


@pytest.fixture(params=["mariadb", "postgres"])
def filled(request: pytest.FixtureRequest) -> Throwaway:
    make: Callable[..., Throwaway] = request.getfixturevalue(f"{request.param}_database")
    database = make()
    database.admin(TABLE)
    return database


def content(db: Throwaway) -> list[tuple[object, ...]]:
    with open_readonly(db.login) as conn:
        return conn.query("SELECT id, judul FROM pengumuman ORDER BY id")


@pytest.mark.parametrize("sql", WRITES)
def test_server_refuses_writes_on_the_scanner_connection(filled: Throwaway, sql: str) -> None:
    """Sent straight through the driver, past the client-side check: the server itself says no."""
    before = content(filled)
    with open_readonly(filled.login) as conn:
        driver_errors = (pymysql.MySQLError, psycopg.Error)
        with pytest.raises(driver_errors) as refused, conn.raw.cursor() as cursor:
            cursor.execute(sql.encode() if conn.engine == "postgresql" else sql)
        assert "read" in str(refused.value).lower() and "only" in str(refused.value).lower()
        assert conn.query("SELECT COUNT(*) FROM pengumuman")[0][0] == 2  # the connection still reads
    assert content(filled) == before


@pytest.mark.parametrize("sql", [*WRITES, "SELECT 1; DROP TABLE pengumuman", "  delete from pengumuman",
                                 "WITH x AS (DELETE FROM pengumuman RETURNING *) SELECT * FROM x"])
def test_query_refuses_anything_but_one_read(filled: Throwaway, sql: str) -> None:
    with open_readonly(filled.login) as conn, pytest.raises(QueryRefused):
        conn.query(sql)
    assert len(content(filled)) == 2


def test_statement_time_limit(filled: Throwaway) -> None:
    sleep = "SELECT SLEEP(5)" if filled.login.engine == "mysql" else "SELECT pg_sleep(5)"
    with open_readonly(filled.login, Timeouts(statement=0.5)) as conn:
        with pytest.raises(DatabaseScanError) as stopped:
            conn.query(sleep)
        assert "statement" in str(stopped.value).lower() or "interrupted" in str(stopped.value).lower()
        assert conn.query("SELECT 1")[0][0] == 1  # the session survives the stopped statement


def test_tables_and_columns(filled: Throwaway) -> None:
    with open_readonly(filled.login) as conn:
        assert conn.tables() == ["pengumuman"]
        assert conn.columns("pengumuman") == ["id", "judul"]
        assert conn.columns("missing") == []
        assert conn.quote('a"b`c') in ('"a""b`c"', "`a\"b``c`")


@pytest.mark.parametrize("engine", ["mysql", "postgresql"])
def test_wrong_password_is_a_safe_error(engine: str, mariadb_server: None, postgres_server: None) -> None:
    database = "mysql" if engine == "mysql" else "postgres"
    login = DbLogin(engine=engine, database=database, host=HOST, user="jagaweb_no_such_user",
                    password="rahasia-jangan-bocor")
    with pytest.raises(DatabaseScanError) as failed:
        open_readonly(login, Timeouts(connect=3)).close()
    assert "rahasia" not in str(failed.value)
    assert "rahasia" not in repr(login)


def test_unresolvable_host_and_closed_port(mariadb_server: None) -> None:
    with pytest.raises(DatabaseScanError):
        open_readonly(DbLogin(engine="mysql", database="x", host="db.tidak-ada.invalid"), Timeouts(connect=2))
    with pytest.raises(DatabaseScanError):  # port 9 (discard) is closed on test machines
        open_readonly(DbLogin(engine="postgresql", database="x", host=HOST, port=9), Timeouts(connect=2))


def test_unknown_engine() -> None:
    with pytest.raises(DatabaseScanError, match="unsupported database engine"):
        open_readonly(DbLogin(engine="oracle", database="x"))
