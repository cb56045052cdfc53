from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from jagaweb.env import env_bool, env_hosts, env_int, env_list, env_mapping, load_env_file, parse_database_url


def test_tests_use_a_throwaway_data_dir():
    assert "jagaweb-test-" in str(settings.DATA_DIR)


@pytest.mark.parametrize("raw,expected", [("1", True), ("yes", True), ("Ya", True), ("off", False), ("tidak", False)])
def test_env_bool_accepts_words(raw, expected):
    assert env_bool("X", False, {"X": raw}) is expected


def test_env_bool_rejects_other_words_naming_the_variable():
    with pytest.raises(ImproperlyConfigured, match="JAGAWEB_DEBUG must be true or false, got 'maybe'"):
        env_bool("JAGAWEB_DEBUG", False, {"JAGAWEB_DEBUG": "maybe"})


def test_env_int_range_and_type():
    assert env_int("P", 1, environ={"P": "80"}) == 80
    with pytest.raises(ImproperlyConfigured, match="P must be a whole number"):
        env_int("P", 1, environ={"P": "eighty"})
    with pytest.raises(ImproperlyConfigured, match="P must be at most 65535"):
        env_int("P", 1, maximum=65535, environ={"P": "70000"})


def test_env_list_splits_and_defaults():
    assert env_list("H", "a,b", {}) == ["a", "b"]
    assert env_list("H", "", {"H": " x , ,y "}) == ["x", "y"]


def test_database_url_postgres():
    db = parse_database_url("postgres://jw:p%40ss@db.local:5433/jagaweb?sslmode=require", Path("/x"))
    fields = (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"])
    assert fields == ("jagaweb", "jw", "p@ss", "db.local", "5433")
    assert db["OPTIONS"] == {"sslmode": "require"}


@pytest.mark.parametrize("url,message", [
    ("mysql://root@localhost/x", "unsupported scheme 'mysql'"),
    ("postgres://localhost/", "database name is missing"),
    ("postgres://localhost:port/x", "port is not a number"),
])
def test_database_url_errors(url, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        parse_database_url(url, Path("/x"))


def test_database_url_sqlite_uses_wal(tmp_path):
    db = parse_database_url(f"sqlite:///{tmp_path}/j.sqlite3", tmp_path / "default.sqlite3")
    assert db["NAME"] == f"{tmp_path}/j.sqlite3"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]


def test_env_file_fills_unset_variables_only(tmp_path):
    env_file = tmp_path / "jagaweb.env"
    env_file.write_text("# comment\nexport A=1\nB='two words'\nC=3\n")
    environ = {"C": "kept"}
    load_env_file(env_file, environ)
    assert environ == {"A": "1", "B": "two words", "C": "kept"}


def test_env_file_bad_line_names_file_and_line(tmp_path):
    env_file = tmp_path / "bad.env"
    env_file.write_text("A=1\nthis is wrong\n")
    with pytest.raises(ImproperlyConfigured, match=r"bad.env:2: expected KEY=VALUE"):
        load_env_file(env_file, {})


def test_env_hosts_maps_names_to_addresses_and_refuses_non_addresses():
    hosts = env_hosts("H", {"H": "Portal.go.id=10.0.0.5 10.0.0.6, intranet=::1"})
    assert hosts == {"portal.go.id": ["10.0.0.5", "10.0.0.6"], "intranet": ["::1"]}
    with pytest.raises(ImproperlyConfigured, match=r"'portal\.go\.id' is not an IP address"):
        env_hosts("H", {"H": "x=portal.go.id"})
    with pytest.raises(ImproperlyConfigured, match="H must look like name=address"):
        env_hosts("H", {"H": "portal.go.id"})


def test_env_mapping_reads_key_value_pairs():
    assert env_mapping("W", {"W": "id=whois.id, go.id=whois.example:43"}) == {
        "id": "whois.id", "go.id": "whois.example:43"}
    with pytest.raises(ImproperlyConfigured, match="W must look like key=value"):
        env_mapping("W", {"W": "whois.id"})
