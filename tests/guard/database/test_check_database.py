"""The database view as part of a site's guard check: findings stored with the run, notes when it cannot run."""

from __future__ import annotations

import pytest

from jagaweb.activity.log import SystemJob
from jagaweb.guard.checking import run_check
from jagaweb.guard.choices import RunState, Source, Verdict
from jagaweb.guard.models import GuardProfile
from jagaweb.inventory.models import Site

pytestmark = pytest.mark.django_db


def test_a_check_stores_the_database_findings(site_a: Site, mariadb_database) -> None:
    db = mariadb_database("wordpress.sql", "wp_")
    site_a.url, site_a.cms = "http://127.0.0.1:9/", "wordpress"
    site_a.db_engine, site_a.db_host, site_a.db_port = "mysql", db.login.host, db.login.port
    site_a.db_name, site_a.db_user = db.login.database, db.login.user
    site_a.save()
    GuardProfile.objects.create(site=site_a, allow_private=True, visual=False, files=False, identities=["normal"],
                                sitemap_sample=0)
    run = run_check(site_a, SystemJob("guard.check"))
    assert run.state == RunState.SUCCEEDED
    found = run.findings.filter(source=Source.DATABASE)
    assert found.filter(verdict=Verdict.JUDOL).exists()
    assert found.filter(location__startswith="wp_posts").exists()
    assert run.counts["rows"] > 0


def test_a_site_without_a_database_gets_a_note(site_a: Site) -> None:
    GuardProfile.objects.create(site=site_a, allow_private=True, visual=False, files=False, identities=["normal"])
    run = run_check(site_a, SystemJob("guard.check"))
    assert run.state == RunState.SUCCEEDED
    assert any(note.startswith("database: not scanned") for note in run.report["notes"])
