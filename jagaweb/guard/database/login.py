"""Where a site's database is and how to log in: the same fields the backup's database source reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from jagaweb.inventory.choices import DatabaseEngine

if TYPE_CHECKING:
    from jagaweb.inventory.models import Site

DEFAULT_PORTS = {DatabaseEngine.MYSQL: 3306, DatabaseEngine.POSTGRESQL: 5432}
DEFAULT_USERS = {DatabaseEngine.MYSQL: "root", DatabaseEngine.POSTGRESQL: "postgres"}


@dataclass(frozen=True)
class DbLogin:
    """`host` may be a Unix socket path (MariaDB) or socket folder (PostgreSQL) when it starts with "/"."""

    engine: str  # a DatabaseEngine value
    database: str
    host: str = "localhost"
    port: int | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)  # never in reprs, logs or reports

    @property
    def effective_port(self) -> int:
        return self.port or DEFAULT_PORTS.get(DatabaseEngine(self.engine), 0)

    @property
    def effective_user(self) -> str:
        return self.user or DEFAULT_USERS.get(DatabaseEngine(self.engine), "")

    @property
    def is_socket(self) -> bool:
        return self.host.startswith("/")

    def describe(self) -> str:
        where = self.host if self.is_socket else f"{self.host}:{self.effective_port}"
        return f"{self.engine} database {self.database!r} on {where} as {self.effective_user!r}"


def login_for_site(site: Site) -> DbLogin | None:
    """The login stored with the site, or None when the site has no database (or no database name)."""
    if not site.db_engine or not site.db_name:
        return None
    return DbLogin(
        engine=site.db_engine, database=site.db_name, host=site.db_host or "localhost", port=site.db_port,
        user=site.db_user or None, password=site.db_password or None,
    )
