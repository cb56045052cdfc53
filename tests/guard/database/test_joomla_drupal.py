"""The Joomla scanner on MariaDB and the Drupal scanner on PostgreSQL, against the SQL fixtures."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from jagaweb.guard.database import DatabaseReport, scan_database
from tests.guard.database.conftest import Throwaway

MakeDatabase = Callable[..., Throwaway]

JOOMLA = {
    "content id=3 introtext": ("judol", "high", "judol.title"),
    "modules id=3 content": ("judol", "critical", "judol.hidden"),
    "menu id=103 link": ("judol", "critical", "db.gambling_address"),
    "users id=44 (sysupdate)": ("suspicious", "high", "db.admin_recent"),
}
DRUPAL = {
    "node_field_data nid=4 langcode=id (with node__body)": ("judol", "high", "judol.title"),
    "node_revision__body entity_id=1 revision_id=2 deleted=0 delta=0 langcode=id body_value":
        ("judol", "medium", "judol.hidden"),
    "block_content__body entity_id=2 deleted=0 delta=0 langcode=id body_value":
        ("suspicious", "high", "db.foreign_script"),
    "path_alias id=3 alias": ("judol", "high", "judol.slugs"),
    "users_field_data uid=3 langcode=id (drupal_maint)": ("suspicious", "high", "db.admin_recent"),
}


def summary(report: DatabaseReport) -> dict[str, tuple[str, str, list[str]]]:
    return {f.locator: (str(f.verdict), str(f.severity), f.codes) for f in report.findings}


def check(report: DatabaseReport, expected: dict[str, tuple[str, str, str]], prefix: str = "") -> None:
    found = summary(report)
    assert sorted(found) == sorted(prefix + locator for locator in expected), found
    for locator, (verdict, severity, code) in expected.items():
        assert found[prefix + locator][:2] == (verdict, severity), found[prefix + locator]
        assert code in found[prefix + locator][2]


def test_joomla_on_mariadb(mariadb_database: MakeDatabase) -> None:
    db = mariadb_database("joomla.sql", "jx7f2_")
    report = scan_database(db.login, "joomla", site_host="sukamaju.desa.id")
    assert report.errors == [] and report.prefixes == ["jx7f2_"]
    check(report, JOOMLA, "jx7f2_")
    assert report.scanned == {"jx7f2_content": 4, "jx7f2_modules": 4, "jx7f2_menu": 4, "jx7f2_users": 3}
    admins = sorted((entry["login"], entry["roles"]) for entry in report.inventory["administrators"])
    assert admins == [("admindesa", ["Super Users"]), ("sysupdate", ["Super Users"])]


def test_drupal_on_postgres(postgres_database: MakeDatabase) -> None:
    db = postgres_database("drupal_postgres.sql")
    report = scan_database(db.login, "drupal", site_host="dinkes.contohprov.go.id")
    assert report.errors == [] and report.prefixes == [""]
    check(report, DRUPAL)
    assert report.scanned["users_field_data"] == 3  # the anonymous account (uid 0) is not one
    assert {entry["login"] for entry in report.inventory["administrators"]} == {"admin", "drupal_maint"}
    json.dumps(report.to_dict())


@pytest.mark.parametrize("batch_size", [1, 3])
def test_drupal_composite_keys_page_correctly(postgres_database: MakeDatabase, batch_size: int) -> None:
    db = postgres_database("drupal_postgres.sql")
    whole = scan_database(db.login, "drupal", site_host="dinkes.contohprov.go.id")
    paged = scan_database(db.login, "drupal", site_host="dinkes.contohprov.go.id", batch_size=batch_size)
    assert summary(paged) == summary(whole)
    assert paged.scanned == whole.scanned


def test_drupal_7_layout_with_a_prefix(postgres_database: MakeDatabase) -> None:
    db = postgres_database()
    db.admin("""
        CREATE TABLE d7_node (nid serial PRIMARY KEY, vid integer, type varchar(32), title varchar(255),
                              status integer, created integer);
        CREATE TABLE d7_field_data_body (entity_type varchar(128), bundle varchar(128), deleted smallint DEFAULT 0,
                              entity_id integer, revision_id integer, language varchar(32), delta integer,
                              body_value text, body_summary text,
                              PRIMARY KEY (entity_type, entity_id, deleted, delta, language));
        CREATE TABLE d7_block_custom (bid serial PRIMARY KEY, body text, info varchar(128), format varchar(255));
        CREATE TABLE d7_users (uid integer PRIMARY KEY, name varchar(60), mail varchar(254), created integer);
        CREATE TABLE d7_users_roles (uid integer, rid integer, PRIMARY KEY (uid, rid));
        CREATE TABLE d7_role (rid serial PRIMARY KEY, name varchar(64));
        INSERT INTO d7_node (nid, vid, type, title, status, created) VALUES
            (1, 1, 'article', 'Jadwal Posyandu Balita', 1, 1600000000),
            (2, 2, 'article', 'Agen Slot Gacor Terpercaya', 1, 1600000000);
        INSERT INTO d7_field_data_body VALUES
            ('node', 'article', 0, 1, 1, 'und', 0, '<p>Posyandu buka setiap tanggal 5.</p>', ''),
            ('node', 'article', 0, 2, 2, 'und', 0, '<p>Daftar slot gacor, rtp live, bonus new member.</p>', ''),
            ('comment', 'comment', 0, 2, 2, 'und', 0, '<p>komentar lain dengan id sama</p>', '');
        INSERT INTO d7_block_custom (body, info) VALUES ('<p>Kontak: 0271-123</p>', 'Kontak');
        INSERT INTO d7_role (rid, name) VALUES (2, 'authenticated user'), (3, 'administrator');
        INSERT INTO d7_users VALUES (0, '', '', 0), (1, 'admin', 'admin@x.go.id', 1500000000),
            (7, 'tamu', 'tamu@mail.invalid', CAST(EXTRACT(EPOCH FROM now()) AS integer));
        INSERT INTO d7_users_roles VALUES (1, 3), (7, 2);
    """)
    report = scan_database(db.login, "drupal")
    assert report.prefixes == ["d7_"] and report.errors == []
    found = summary(report)
    assert sorted(found) == ["d7_node nid=2 (with d7_field_data_body)"]
    assert found["d7_node nid=2 (with d7_field_data_body)"][0] == "judol"
    assert [entry["login"] for entry in report.inventory["administrators"]] == ["admin"]
    assert "d7_url_alias: no such table" in report.notes
