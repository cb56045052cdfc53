"""The login stored with a site, as the database guard reads it."""

from __future__ import annotations

from jagaweb.guard.database import DbLogin, login_for_site
from jagaweb.inventory.models import Site


def test_site_without_database(site_a: Site) -> None:
    assert login_for_site(site_a) is None
    site_a.db_engine = "mysql"  # an engine but no database name: nothing to scan either
    assert login_for_site(site_a) is None


def test_site_with_database(site_a: Site) -> None:
    site_a.db_engine, site_a.db_name, site_a.db_user, site_a.db_password = "mysql", "wp_kominfo", "kominfo", "s3cret"
    site_a.save()
    site_a.refresh_from_db()  # the password comes back decrypted
    login = login_for_site(site_a)
    assert login == DbLogin(engine="mysql", database="wp_kominfo", host="localhost", port=None, user="kominfo",
                            password="s3cret")
    assert login.effective_port == 3306
    assert "s3cret" not in repr(login) and "s3cret" not in login.describe()


def test_defaults_per_engine(site_a: Site) -> None:
    site_a.db_engine, site_a.db_name, site_a.db_host, site_a.db_port = "postgresql", "drupal", "10.0.0.5", 6432
    login = login_for_site(site_a)
    assert login is not None
    assert (login.host, login.effective_port, login.effective_user, login.password) == ("10.0.0.5", 6432, "postgres",
                                                                                           None)
    assert login.describe() == "postgresql database 'drupal' on 10.0.0.5:6432 as 'postgres'"
