"""Database dumps into the store and back, against the real MariaDB and PostgreSQL servers.

Each test makes its own throwaway databases (jw_test_<random>) and drops them afterwards, also when
it fails. Broken dump tools are simulated by wrapper scripts put first on PATH, around the real tool.
"""

import os
import secrets
import shutil
import time
from pathlib import Path

import pytest

from jagaweb.backup.sources import (
    DatabaseRestoreFailed,
    DumpFailed,
    MySQLSource,
    PostgreSQLSource,
    SourceError,
    restore_database,
)
from jagaweb.backup.sources.database import dump_path
from jagaweb.backup.sources.dumps import ends_with_trailer
from jagaweb.backup.store.archiver import Archiver
from jagaweb.backup.store.repository import Repository
from jagaweb.backup.targets.local import LocalTarget
from tests.backup.databases import (
    AWKWARD,
    BLOB,
    HOST,
    TITLE,
    PasswordRefusingServer,
    fill_mariadb,
    fill_postgres,
    mariadb,
    mariadb_content,
    pg_connect,
    postgres_content,
)
from tests.services import port_open, unavailable

MYSQL = {"engine": "mysql", "host": HOST, "port": 3306, "user": "root", "password": None}
POSTGRES = {"engine": "postgresql", "host": HOST, "port": 5432, "user": "postgres", "password": None}


# ---- throwaway databases ----
@pytest.fixture
def mariadb_names():
    if not (shutil.which("mariadb") and shutil.which("mariadb-dump")):
        unavailable("MariaDB", "the mariadb client tools are not installed (apt-get install mariadb-client)")
    if not port_open(HOST, 3306):
        unavailable("MariaDB", f"nothing listens on {HOST}:3306")
    names: list[str] = []

    def new() -> str:
        names.append(f"jw_test_{secrets.token_hex(4)}")
        return names[-1]

    yield new
    for name in names:
        mariadb(f"DROP DATABASE IF EXISTS `{name}`")


@pytest.fixture
def pg_names():
    if not (shutil.which("pg_dump") and shutil.which("psql")):
        unavailable("PostgreSQL", "pg_dump/psql are not installed (apt-get install postgresql-client)")
    if not port_open(HOST, 5432):
        unavailable("PostgreSQL", f"nothing listens on {HOST}:5432")
    names: list[str] = []

    def new() -> str:
        names.append(f"jw_test_{secrets.token_hex(4)}")
        return names[-1]

    yield new
    with pg_connect() as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ---- backing up ----
def back_up(tmp_path: Path, source):
    repo = Repository.open_or_init(LocalTarget(tmp_path / "repo"))
    with repo.locked():
        archiver = Archiver(repo)
        report = source.add_to(archiver)
        info = archiver.finish(source="portal")
    _, manifest = repo.load_snapshot(info.id)
    return repo, manifest, report


def failed_backup(tmp_path: Path, source) -> DumpFailed:
    """The caller's side of a failed dump: abort, never finish; so no snapshot exists."""
    repo = Repository.open_or_init(LocalTarget(tmp_path / "repo"))
    with repo.locked():
        archiver = Archiver(repo)
        with pytest.raises(DumpFailed) as caught:
            source.add_to(archiver)
        archiver.abort()
        assert archiver.entries == []
        assert archiver.stats.files == 0
    assert repo.snapshot_ids() == []
    return caught.value


def wrap(tmp_path: Path, monkeypatch, tool: str, body: str) -> None:
    """Put a script named `tool` first on PATH; $REAL in `body` is the real tool."""
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    script = folder / tool
    script.write_text(f'#!/bin/sh\nREAL="{shutil.which(tool)}"\n{body}\n')
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}:{os.environ['PATH']}")


# ---- round trips ----
def test_mariadb_round_trip_into_a_new_database(tmp_path, mariadb_names):
    original, copy = mariadb_names(), mariadb_names()
    fill_mariadb(original)
    source = MySQLSource(original, host=HOST, port=3306, user="root")
    repo, manifest, report = back_up(tmp_path, source)
    path = f"database/mysql-{original}.sql"
    assert manifest.get(path) is not None and report.files == 1 and report.warnings == []
    dump = repo.read_bytes(manifest.get(path).chunks)
    assert b"CREATE DATABASE" not in dump and b"\nUSE " not in dump  # so it loads under any name

    restored = restore_database(repo, manifest, path, database=copy, **MYSQL)
    assert restored.bytes == manifest.get(path).size
    content = mariadb_content(copy)
    assert content == mariadb_content(original)
    first = content["pengumuman"].splitlines()[0].split("\t")
    assert first == ["1", TITLE.encode().hex().upper(), BLOB.hex().upper(), "2024-08-17 10:00:00.123456"]
    assert content["pengumuman"].splitlines()[1].split("\t")[1] == AWKWARD.encode().hex().upper()
    assert content["triggers"].split() == ["catat"] and content["call"].strip() == "3"
    assert len(content["angka"].splitlines()) == 5000

    restore_database(repo, manifest, path, database=copy, **MYSQL)  # again, over the first restore
    assert mariadb_content(copy) == content


def test_postgres_round_trip_into_a_new_database(tmp_path, pg_names):
    original, copy = pg_names(), pg_names()
    fill_postgres(original)
    source = PostgreSQLSource(original, host=HOST, port=5432, user="postgres")
    repo, manifest, _ = back_up(tmp_path, source)
    path = f"database/postgresql-{original}.sql"

    restore_database(repo, manifest, path, database=copy, **POSTGRES)
    content = postgres_content(copy)
    assert content == postgres_content(original)
    assert content["pengumuman"][0][1:3] == (TITLE, BLOB)
    assert content["pengumuman"][1][1] == AWKWARD
    assert content["pengumuman"][0][4] == {"status": "terbit ✓"}
    assert [row[1] for row in content["jejak"]] == ["baru 1", "baru 2", "baru 3"]
    with pg_connect(copy) as conn:  # the trigger came along and still works
        conn.execute("INSERT INTO pengumuman (judul) VALUES ('baru')")
        assert conn.execute("SELECT pesan FROM jejak ORDER BY id DESC LIMIT 1").fetchone() == ("baru 4",)

    restore_database(repo, manifest, path, database=copy, **POSTGRES)  # --clean: over an existing one
    assert postgres_content(copy) == content


def test_restore_without_create_into_a_missing_database_fails(tmp_path, mariadb_names, pg_names):
    mysql_db, pg_db = mariadb_names(), pg_names()
    fill_mariadb(mysql_db)
    fill_postgres(pg_db)
    for source, login, name in ((MySQLSource(mysql_db, host=HOST), MYSQL, mariadb_names()),
                                (PostgreSQLSource(pg_db, host=HOST), POSTGRES, pg_names())):
        repo, manifest, _ = back_up(tmp_path / login["engine"], source)
        with pytest.raises(DatabaseRestoreFailed, match="the database does not exist"):
            restore_database(repo, manifest, source.entry_path, database=name, create=False, **login)


def test_damaged_dump_is_not_committed_by_psql(tmp_path, pg_names):
    original, copy = pg_names(), pg_names()
    fill_postgres(original)
    repo, manifest, _ = back_up(tmp_path, PostgreSQLSource(original, host=HOST))
    entry = manifest.get(f"database/postgresql-{original}.sql")
    entry.hash = "0" * 64  # as if the manifest and the chunks disagreed
    with pytest.raises(DatabaseRestoreFailed, match="does not match its content hash"):
        restore_database(repo, manifest, entry.path, database=copy, **POSTGRES)
    with pg_connect(copy) as conn:
        assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone() == (0,)


def test_restore_client_dying_midway_fails(tmp_path, monkeypatch, mariadb_names):
    original, copy = mariadb_names(), mariadb_names()
    fill_mariadb(original)
    mariadb(f"CREATE DATABASE `{copy}`")
    repo, manifest, _ = back_up(tmp_path, MySQLSource(original, host=HOST))
    wrap(tmp_path, monkeypatch, "mariadb",
         'head -c 1000 > /dev/null\necho "ERROR 2013 (HY000) at line 9: Lost connection to server" >&2\nexit 1')
    with pytest.raises(DatabaseRestoreFailed) as caught:
        restore_database(repo, manifest, f"database/mysql-{original}.sql", database=copy, create=False, **MYSQL)
    assert "exit status 1; the client stopped reading the dump before its end" in str(caught.value)
    assert "Lost connection to server" in str(caught.value)


def test_restore_refuses_a_dump_of_the_other_engine(tmp_path, pg_names):
    original = pg_names()
    fill_postgres(original)
    repo, manifest, _ = back_up(tmp_path, PostgreSQLSource(original, host=HOST))
    with pytest.raises(DatabaseRestoreFailed, match="is a postgresql dump"):
        restore_database(repo, manifest, f"database/postgresql-{original}.sql", database="x", **MYSQL)
    with pytest.raises(DatabaseRestoreFailed, match="no database dump"):
        restore_database(repo, manifest, "database/postgresql-other.sql", database="x", **POSTGRES)


# ---- failures: no snapshot is saved ----
def test_dump_of_a_missing_database_fails(tmp_path, mariadb_names, pg_names):
    error = failed_backup(tmp_path / "m", MySQLSource("jw_test_does_not_exist", host=HOST))
    assert "Unknown database 'jw_test_does_not_exist'" in str(error)
    assert error.reason == "the database does not exist" and error.exit_code != 0
    error = failed_backup(tmp_path / "p", PostgreSQLSource("jw_test_does_not_exist", host=HOST))
    assert 'database "jw_test_does_not_exist" does not exist' in str(error)
    assert error.reason == "the database does not exist" and error.exit_code != 0


CUT_SHORT = {
    "dies midway": '"$REAL" "$@" | head -c 2000\nexit 1',
    "exits 0 without the trailer": '"$REAL" "$@" | grep -v -e "Dump completed" -e "dump complete"',
    "error on stderr": '"$REAL" "$@"\necho "$0: Got error: 2013: Lost connection to server during query" >&2',
}


@pytest.mark.parametrize("case", CUT_SHORT)
@pytest.mark.parametrize("engine", ["mysql", "postgresql"])
def test_dump_cut_short_fails(tmp_path, monkeypatch, mariadb_names, pg_names, engine, case):
    name = (mariadb_names if engine == "mysql" else pg_names)()
    (fill_mariadb if engine == "mysql" else fill_postgres)(name)
    source = (MySQLSource if engine == "mysql" else PostgreSQLSource)(name, host=HOST)
    wrap(tmp_path, monkeypatch, "mariadb-dump" if engine == "mysql" else "pg_dump", CUT_SHORT[case])
    error = failed_backup(tmp_path, source)
    expected = {"dies midway": "exit status 1", "exits 0 without the trailer": "the dump is incomplete",
                "error on stderr": "exit status 0 but errors on stderr"}[case]
    assert expected in str(error)


def test_dump_that_hangs_is_stopped_at_the_time_limit(tmp_path, monkeypatch, mariadb_names):
    name = mariadb_names()
    fill_mariadb(name)
    wrap(tmp_path, monkeypatch, "mariadb-dump", '"$REAL" "$@" | head -c 1000\nsleep 60')
    started = time.monotonic()
    error = failed_backup(tmp_path, MySQLSource(name, host=HOST, timeout=1))
    assert time.monotonic() - started < 15  # the sleeping grandchild was killed with its group
    assert error.reason == "timed out" and "time limit of 1 s" in str(error)


def test_mariadb_wrong_password_names_authentication(tmp_path, mariadb_names):
    error = failed_backup(tmp_path, MySQLSource("mysql", host=HOST, user="root", password="salah"))
    assert error.reason.startswith("authentication failed")
    assert "Access denied for user 'root'" in str(error)


def test_postgres_wrong_password_names_authentication(tmp_path, pg_names):
    # The real server here trusts 127.0.0.1, so a password is never refused there; this stand-in
    # speaks just enough of the protocol to ask the real pg_dump for a password and refuse it.
    with PasswordRefusingServer() as server:
        source = PostgreSQLSource("portal", host=HOST, port=server.port, password="salah ✓")
        error = failed_backup(tmp_path, source)
    assert server.passwords == ["salah ✓"]  # PGPASSWORD reached pg_dump
    assert error.reason.startswith("authentication failed")
    assert 'password authentication failed for user "postgres"' in str(error)


def test_mariadb_password_travels_in_a_private_option_file(tmp_path, monkeypatch, mariadb_names):
    name, user, password = mariadb_names(), f"jw_{secrets.token_hex(4)}", "p@ss \"kutip\" \\ #bukan'komentar"
    fill_mariadb(name)
    quoted = password.replace("\\", "\\\\").replace("'", "\\'")
    mariadb(f"CREATE USER '{user}'@'%' IDENTIFIED BY '{quoted}';"
            f"GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES ON `{name}`.* TO '{user}'@'%';")
    try:
        log = tmp_path / "args"
        wrap(tmp_path, monkeypatch, "mariadb-dump",
             f'echo "$@" > {log}\nstat -c %a "${{1#--defaults-extra-file=}}" >> {log}\nexec "$REAL" "$@"')
        repo, manifest, _ = back_up(tmp_path, MySQLSource(name, host=HOST, user=user, password=password))
    finally:
        mariadb(f"DROP USER IF EXISTS '{user}'@'%'")
    args, mode = log.read_text().splitlines()
    assert args.startswith("--defaults-extra-file=") and password not in args and mode == "600"
    assert not Path(args.split()[0].split("=", 1)[1]).exists()  # removed after the dump
    assert b"INSERT INTO `angka`" in repo.read_bytes(manifest.get(f"database/mysql-{name}.sql").chunks)


def test_mysqldump_is_used_when_mariadb_dump_is_absent(tmp_path, monkeypatch, mariadb_names):
    name = mariadb_names()
    fill_mariadb(name)
    folder = tmp_path / "only-mysqldump"
    folder.mkdir()
    log = tmp_path / "called"
    script = folder / "mysqldump"  # Debian's mysqldump is mariadb-dump under its old name
    script.write_text(f'#!/bin/sh\necho "$0" > {log}\nexec "{shutil.which("mariadb-dump")}" "$@"\n')
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(folder))
    _, manifest, _ = back_up(tmp_path, MySQLSource(name, host=HOST))
    assert log.read_text().strip() == str(script)
    assert manifest.get(f"database/mysql-{name}.sql").size > 0


def test_missing_tool_is_named(tmp_path, monkeypatch):
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    archiver = Archiver(Repository.init(LocalTarget(tmp_path / "repo")))
    with pytest.raises(SourceError, match="mariadb-dump is not installed"):
        MySQLSource("portal").add_to(archiver)
    with pytest.raises(SourceError, match="pg_dump is not installed"):
        PostgreSQLSource("portal").add_to(archiver)
    archiver.abort()


# ---- small parts ----
def test_trailer_must_end_the_dump():
    mariadb_end = b"UNLOCK TABLES;\n\n-- Dump completed on 2024-08-17 10:00:00\n"
    pg_end = b"SET x;\n\n--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict AbC123\n\n"
    assert ends_with_trailer(mariadb_end, b"-- Dump completed")
    assert ends_with_trailer(pg_end, b"-- PostgreSQL database dump complete")
    assert not ends_with_trailer(mariadb_end + b"INSERT INTO t VALUES (1);\n", b"-- Dump completed")
    assert not ends_with_trailer(b"INSERT INTO t VALUES ('-- Dump completed')", b"-- Dump completed")
    assert not ends_with_trailer(b"-- Dump compl", b"-- Dump completed")


def test_dump_path_keeps_names_flat():
    assert dump_path("mysql", "portal") == "database/mysql-portal.sql"
    assert dump_path("postgresql", "a/b%c") == "database/postgresql-a%2Fb%25c.sql"


def test_password_is_not_in_the_repr():
    source = MySQLSource("portal", password="rahasia")
    assert "rahasia" not in repr(source.login)
