"""A site's database, as the backup sources see it: from the connection stored with the site."""

from __future__ import annotations

from jagaweb.backup.sources import SourceError
from jagaweb.backup.sources.database import DatabaseSource, dump_path
from jagaweb.backup.sources.restore import ENGINES, restore_database
from jagaweb.backup.store.manifest import Entry, Manifest
from jagaweb.backup.store.repository import Repository
from jagaweb.inventory.models import Site


def database_source(site: Site) -> DatabaseSource | None:
    """The dump source of the site's database, or None when the site has no database."""
    if not site.db_engine:
        return None
    if site.db_engine not in ENGINES:
        raise SourceError(f"{site.name}: unsupported database engine {site.db_engine!r}")
    if not site.db_name:
        raise SourceError(f"{site.name}: the database name is missing in the site's settings")
    return ENGINES[site.db_engine](
        site.db_name, host=site.db_host or "localhost", port=site.db_port, user=site.db_user or None,
        password=site.db_password or None,
    )


def restore_site_database(repo: Repository, manifest: Manifest, site: Site, database: str) -> Entry:
    """Load the site's dump from this snapshot into `database` on the site's database server."""
    source = database_source(site)
    if source is None:
        raise SourceError(f"{site.name} has no database in its settings")
    path = dump_path(site.db_engine, site.db_name)
    entry = manifest.get(path)
    if entry is None:
        raise SourceError(f"this snapshot has no dump of {site.db_name} ({path})")
    restore_database(repo, manifest, path, engine=site.db_engine, host=source.login.host, port=source.login.port,
                     user=source.login.user, password=source.login.password, database=database)
    return entry
