"""The WordPress scanner against a real MariaDB filled from tests/fixtures/guard/database/wordpress.sql."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import pytest

from jagaweb.guard.database import DatabaseReport, DbLogin, Finding, UnsupportedCms, scan_database
from jagaweb.guard.database.connections import Timeouts
from tests.guard.database.conftest import SITE_HOST, Throwaway, fixture_sql

MakeDatabase = Callable[..., Throwaway]

# locator (without the prefix) -> verdict, severity, a reason code that must be among the finding's reasons
EXPECTED = {
    "options option_name=siteurl": ("suspicious", "critical", "db.site_address_foreign"),
    "options option_name=widget_text [3]": ("judol", "critical", "judol.hidden"),
    "options option_name=widget_block [2]": ("judol", "critical", "judol.hidden"),
    "options option_name=theme_mods_pemda-contoh": ("judol", "critical", "judol.links"),
    "options option_name=ihaf_insert_header": ("judol", "critical", "script.gambling_source"),
    "posts ID=9 post_content": ("judol", "high", "judol.title"),
    "posts ID=10 post_content": ("judol", "medium", "judol.title"),  # a revision: stored, not shown
    "posts ID=11 post_content": ("suspicious", "medium", "db.foreign_script"),
    "postmeta post_id=5 meta_key=_yoast_wpseo_title": ("judol", "high", "judol.title"),
    "users ID=4 (wp_support_adm)": ("suspicious", "high", "db.admin_recent"),
    "users ID=3 (warga_01)": ("suspicious", "high", "db.user_level"),
    "comments comment_ID=2 comment_content": ("judol", "low", "db.gambling_address"),  # pending moderation
}


def by_locator(report: DatabaseReport) -> dict[str, Finding]:
    return {finding.locator: finding for finding in report.findings}


@pytest.mark.parametrize("prefix", ["wp_", "xyz_"])
def test_finds_every_injection_and_nothing_clean(mariadb_database: MakeDatabase, prefix: str) -> None:
    db = mariadb_database("wordpress.sql", prefix)
    report = scan_database(db.login, "wordpress", site_host=SITE_HOST)
    assert report.errors == []
    assert report.prefixes == [prefix]
    found = by_locator(report)
    assert sorted(found) == sorted(prefix + locator for locator in EXPECTED)
    for locator, (verdict, severity, code) in EXPECTED.items():
        finding = found[prefix + locator]
        assert (str(finding.verdict), str(finding.severity)) == (verdict, severity), finding.to_dict()
        assert code in finding.codes, finding.to_dict()
    assert report.scanned[f"{prefix}posts"] == 12
    assert report.scanned[f"{prefix}comments"] == 2  # the comment already marked as spam is not read
    assert report.scanned[f"{prefix}users"] == 4
    assert f"{prefix}options: 1 cached values (transients) skipped" in report.notes
    assert report.findings[0].severity == "critical"  # most urgent first
    admins = {entry["login"] for entry in report.inventory["administrators"]}
    assert admins == {"admin_diskominfo", "wp_support_adm", "warga_01"}
    assert report.inventory["wordpress"][prefix]["active_plugins"][0] == "akismet/akismet.php"


def test_report_is_json(mariadb_database: MakeDatabase) -> None:
    db = mariadb_database("wordpress.sql", "wp_")
    data = json.loads(json.dumps(scan_database(db.login, "wordpress", site_host=SITE_HOST).to_dict()))
    spam = next(item for item in data["findings"] if item["locator"] == "wp_posts ID=9 post_content")
    assert spam["table"] == "wp_posts" and spam["key"] == {"ID": 9} and spam["column"] == "post_content"
    assert spam["exposure"] == "public"
    reason = next(reason for reason in spam["reasons"] if reason["code"] == "judol.title")
    assert "slot gacor" in reason["evidence"]
    assert data["rows"] == sum(data["scanned"].values())


def test_scan_leaves_the_database_unchanged(mariadb_database: MakeDatabase) -> None:
    db = mariadb_database("wordpress.sql", "wp_")
    tables = ", ".join(f"`wp_{name}`" for name in ("options", "posts", "postmeta", "users", "usermeta", "comments"))
    before = db.read(f"CHECKSUM TABLE {tables} EXTENDED")
    scan_database(db.login, "wordpress", site_host=SITE_HOST)
    assert db.read(f"CHECKSUM TABLE {tables} EXTENDED") == before


def test_without_site_host_the_two_addresses_disagree(mariadb_database: MakeDatabase) -> None:
    db = mariadb_database("wordpress.sql", "wp_")
    found = by_locator(scan_database(db.login, "wordpress"))
    siteurl = found["wp_options option_name=siteurl"]
    assert siteurl.codes == ["db.site_address_mismatch"] and siteurl.severity == "high"
    assert "db.foreign_script" in found["wp_posts ID=11 post_content"].codes  # home stands for the site


def test_two_installations_share_a_database(mariadb_database: MakeDatabase) -> None:
    db = mariadb_database("wordpress.sql", "wp_")
    db.admin(fixture_sql("wordpress.sql", "xyz_"))
    report = scan_database(db.login, "wordpress", site_host=SITE_HOST)
    assert report.prefixes == ["wp_", "xyz_"]
    assert {"wp_posts ID=9 post_content", "xyz_posts ID=9 post_content"} <= set(by_locator(report))


def test_anyone_may_register_as_administrator(mariadb_database: MakeDatabase) -> None:
    db = mariadb_database("wordpress.sql", "wp_")
    db.admin("UPDATE wp_options SET option_value = 'administrator' WHERE option_name = 'default_role';"
             "UPDATE wp_options SET option_value = '1' WHERE option_name = 'users_can_register';")
    report = scan_database(db.login, "wordpress", site_host=SITE_HOST)
    finding = by_locator(report)["wp_options option_name=default_role"]
    assert finding.codes == ["db.registration_role"] and finding.severity == "critical"


def test_plugins_and_roles(mariadb_database: MakeDatabase) -> None:
    db = mariadb_database("wordpress.sql", "wp_")
    plugins = ["akismet/akismet.php", "slot-gacor-maxwin/slot-gacor.php", "wp-cache-helper.php"]
    serialized = "a:3:{" + "".join(f'i:{i};s:{len(p)}:"{p}";' for i, p in enumerate(plugins)) + "}"
    db.admin(f"UPDATE wp_options SET option_value = '{serialized}' WHERE option_name = 'active_plugins';"
             "UPDATE wp_options SET option_value = REPLACE(option_value, "
             "'s:10:\"subscriber\";a:2:{s:4:\"name\";s:10:\"Subscriber\";s:12:\"capabilities\";a:2:{', "
             "'s:10:\"subscriber\";a:2:{s:4:\"name\";s:10:\"Subscriber\";s:12:\"capabilities\";a:3:{"
             "s:15:\"install_plugins\";b:1;') WHERE option_name = 'wp_user_roles';")
    known = ["akismet/akismet.php", "classic-editor/classic-editor.php"]
    found = by_locator(scan_database(db.login, "wordpress", site_host=SITE_HOST, known_plugins=known))
    plugin = found["wp_options option_name=active_plugins"]
    assert set(plugin.codes) == {"db.plugin_gambling", "db.plugin_odd", "db.plugin_unknown"}
    assert plugin.verdict == "judol"
    roles = found["wp_options option_name=wp_user_roles"]
    assert roles.codes == ["db.role_takeover"]
    assert roles.reasons[0].evidence == ("subscriber: install_plugins",)


def test_limit_reads_the_newest_rows(mariadb_database: MakeDatabase) -> None:
    db = mariadb_database("wordpress.sql", "wp_")
    report = scan_database(db.login, "wordpress", site_host=SITE_HOST, limit=2)
    assert report.scanned["wp_posts"] == 2
    found = by_locator(report)
    assert "wp_posts ID=11 post_content" in found  # IDs 12 and 11: the newest
    assert "wp_posts ID=9 post_content" not in found


def test_small_batches_give_the_same_answer(mariadb_database: MakeDatabase) -> None:
    db = mariadb_database("wordpress.sql", "wp_")
    whole = scan_database(db.login, "wordpress", site_host=SITE_HOST)
    calls: list[tuple[int, int]] = []
    paged = scan_database(db.login, "wordpress", site_host=SITE_HOST, batch_size=2,
                          progress=lambda done, planned: calls.append((done, planned)))
    assert sorted(by_locator(paged)) == sorted(by_locator(whole))
    assert paged.scanned == whole.scanned
    assert len(calls) > 10  # every batch reports
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    settings = 11  # read at once while planning, before the progress starts
    assert calls[-1][0] == calls[-1][1] == sum(paged.scanned.values()) - settings


def test_missing_tables_are_notes(mariadb_database: MakeDatabase) -> None:
    db = mariadb_database("wordpress.sql", "wp_")
    db.admin("DROP TABLE wp_comments; DROP TABLE wp_usermeta;")
    report = scan_database(db.login, "wordpress", site_host=SITE_HOST)
    assert report.errors == []
    assert "wp_comments: no such table" in report.notes
    assert any(note.startswith("wp_usermeta") for note in report.notes)
    assert "wp_posts ID=9 post_content" in by_locator(report)


def test_no_cms_tables(mariadb_database: MakeDatabase) -> None:
    empty = scan_database(mariadb_database().login, "wordpress")
    assert empty.findings == [] and empty.errors == [] and empty.prefixes == []
    assert empty.notes == ["no WordPress tables: no <prefix>options table with a siteurl row"]
    other = scan_database(mariadb_database("wordpress.sql", "wp_").login, "joomla")
    assert other.findings == [] and other.notes[0].startswith("no Joomla tables")


def test_unsupported_cms() -> None:
    with pytest.raises(UnsupportedCms):
        scan_database(DbLogin(engine="mysql", database="x"), "static")


def test_a_user_without_every_grant_gets_errors_not_a_crash(mariadb_database: MakeDatabase) -> None:
    db = mariadb_database("wordpress.sql", "wp_")
    user, password = f"jgw_{uuid.uuid4().hex[:10]}", "Sandi-Baca-Saja-9"
    name = db.login.database
    db.admin(f"CREATE USER '{user}'@'%' IDENTIFIED BY '{password}';"
             f"GRANT SELECT ON `{name}`.`wp_options` TO '{user}'@'%';"
             f"GRANT SELECT ON `{name}`.`wp_posts` TO '{user}'@'%';")
    try:
        login = DbLogin(engine="mysql", database=name, host=db.login.host, port=3306, user=user,
                               password=password)
        report = scan_database(login, "wordpress", site_host=SITE_HOST, timeouts=Timeouts(statement=10))
    finally:
        db.admin(f"DROP USER '{user}'@'%'")
    assert "wp_posts ID=9 post_content" in by_locator(report)
    assert report.errors == []  # tables the user cannot see are missing tables to it
    assert "wp_users: no such table (WordPress users not checked)" in report.notes
    assert password not in json.dumps(report.to_dict())
