"""Loading a database dump from a snapshot into a database, which may have another name than the
one dumped (a restore test beside the live site, a new server).

The dump's chunks are read in order and streamed into the engine's client (`mariadb`, or `psql
--single-transaction -v ON_ERROR_STOP=1`); every chunk is checked against its id as it is read, and
the whole stream against the manifest's content hash before the client's stdin is closed. On a
mismatch or a damaged chunk the client is killed: psql then commits nothing; MariaDB may keep the
statements already run (DDL commits by itself there), so restore MariaDB into a new database and
switch over only after the restore succeeded.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from jagaweb.backup.sources.base import DatabaseRestoreFailed, SourceKind
from jagaweb.backup.sources.database import PREFIX, DatabaseSource, Login, check_name
from jagaweb.backup.sources.dumps import ContentCheck, feed
from jagaweb.backup.sources.mysql import MySQLSource
from jagaweb.backup.sources.postgresql import PostgreSQLSource
from jagaweb.backup.store.manifest import Entry, EntryKind, Manifest
from jagaweb.backup.store.repository import Repository
from jagaweb.backup.store.sealing import DamagedData

ENGINES: dict[str, type[DatabaseSource]] = {
    SourceKind.MYSQL: MySQLSource,
    SourceKind.POSTGRESQL: PostgreSQLSource,
}


@dataclass
class DatabaseRestore:
    engine: str
    database: str
    bytes: int


def dump_entry(manifest: Manifest, entry_path: str, engine: str) -> Entry:
    entry = manifest.get(entry_path)
    if entry is None or entry.kind != EntryKind.FILE:
        raise DatabaseRestoreFailed(f"the snapshot holds no database dump {entry_path!r}")
    folder, _, name = entry.path.partition("/")
    dumped_by = name.split("-", 1)[0]
    if folder == PREFIX and dumped_by in ENGINES and dumped_by != engine:
        raise DatabaseRestoreFailed(f"{entry.path} is a {dumped_by} dump; it cannot be restored into {engine}")
    return entry


def blobs(repo: Repository, entry: Entry) -> Iterator[bytes]:
    for chunk_id in entry.chunks:
        yield repo.read_blob(bytes.fromhex(chunk_id))


def restore_database(
    repo: Repository, manifest: Manifest, entry_path: str, *, engine: str, host: str, port: int, user: str,
    password: str | None, database: str, create: bool = True, timeout: float | None = None,
) -> DatabaseRestore:
    """Load the dump `entry_path` into `database` (created first when `create`); raises
    DatabaseRestoreFailed with the client's own message when anything goes wrong."""
    if engine not in ENGINES:
        raise DatabaseRestoreFailed(f"unknown database engine {engine!r} (known: {', '.join(ENGINES)})")
    source = ENGINES[engine]
    entry = dump_entry(manifest, entry_path, engine)
    login = Login(host, port, user, password)
    check_name(database)
    what = f"{entry.path} into {source.label} database {database!r} on {login.address()}"
    if create:
        source.create_database(login, database, timeout)
    try:
        with source.restore_command(login, database) as command:
            written = feed(command, blobs(repo, entry), ContentCheck(entry.hash, entry.path), timeout, what)
    except DamagedData as exc:
        raise DatabaseRestoreFailed(f"restoring {what} stopped: the backup is damaged: {exc}") from exc
    return DatabaseRestore(engine=engine, database=database, bytes=written)
