"""Backup operations as the platform runs them: runs recorded, failures alerted, schedule per plan."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from jagaweb.activity.log import SystemJob
from jagaweb.activity.models import Event
from jagaweb.backup import operations
from jagaweb.backup.choices import Operation, RunState
from jagaweb.backup.jobs import watch_missed_backups
from jagaweb.backup.models import BackupPlan, BackupRun, BackupTarget, Snapshot
from jagaweb.backup.targets.base import TargetError
from jagaweb.jobs.models import ScheduleEntry
from jagaweb.jobs.scheduler import sync_entries
from jagaweb.notify.models import Message
from jagaweb.steps import StepFailed

JOB = SystemJob("test")


@pytest.fixture
def web_root(tmp_path: Path) -> Path:
    root = tmp_path / "www"
    (root / "berita").mkdir(parents=True)
    (root / "index.html").write_text("<h1>Dinas Kominfo</h1>")
    (root / "berita/satu.html").write_text("<p>Berita satu</p>")
    (root / ".htaccess").write_text("RewriteEngine On\n")
    return root


@pytest.fixture
def planned_site(site_a, web_root, tmp_path):
    site_a.web_root = str(web_root)
    site_a.save()
    target = BackupTarget.objects.create(name="usb", path=str(tmp_path / "usb"))
    BackupPlan.objects.create(site=site_a, target=target, include_database=False)
    return site_a


def test_backup_records_run_snapshot_and_activity(planned_site):
    run = operations.run_backup(planned_site, JOB)
    assert run.state == RunState.SUCCEEDED and run.files == 3 and run.snapshot_id
    assert Snapshot.objects.get(site=planned_site).snapshot_id == run.snapshot_id
    assert Event.objects.filter(verb="backup.succeeded", site=planned_site, job="test").exists()
    again = operations.run_backup(planned_site, JOB)
    assert again.report["summary"]["unchanged_files"] == 3


def test_failed_dump_fails_the_backup_alerts_and_saves_no_snapshot(planned_site):
    if not shutil.which("mariadb-dump") and not shutil.which("mysqldump"):
        pytest.skip("no MariaDB dump tool")
    from tests.services import port_open, unavailable

    if not port_open("127.0.0.1", 3306):
        unavailable("MariaDB", "nothing listens on 127.0.0.1:3306")
    planned_site.db_engine, planned_site.db_host, planned_site.db_port = "mysql", "127.0.0.1", 3306
    planned_site.db_name, planned_site.db_user = "jagaweb_tidak_ada", "root"
    planned_site.save()
    BackupPlan.objects.filter(site=planned_site).update(include_database=True)
    planned_site.refresh_from_db()
    with pytest.raises(StepFailed) as failure:
        operations.run_backup(planned_site, JOB)
    assert failure.value.step == "dump the database"
    run = BackupRun.objects.get(site=planned_site)
    assert run.state == RunState.FAILED and run.step == "dump the database" and "jagaweb_tidak_ada" in run.error
    assert not Snapshot.objects.exists()
    repo = operations.open_repository(planned_site)
    assert repo.snapshot_ids() == []
    assert Event.objects.filter(verb="backup.failed", severity="critical", site=planned_site).exists()
    assert Message.objects.filter(site=planned_site, severity="critical").exists()


def test_restore_in_place_brings_back_the_original_state(planned_site, web_root):
    snapshot = operations.run_backup(planned_site, JOB).snapshot_id
    (web_root / "index.html").write_text("HACKED BY SOMEONE")
    (web_root / "berita/satu.html").unlink()
    (web_root / "wp-shell.php").write_text("<?php eval($_POST['x']); ?>")
    dry = operations.restore_files(planned_site, snapshot, JOB, dry_run=True, delete=True)
    assert dry.report["replace"] == ["index.html"] and dry.report["create"] == ["berita/satu.html"]
    assert dry.report["delete"] == ["wp-shell.php"] and (web_root / "wp-shell.php").exists()
    operations.restore_files(planned_site, snapshot, JOB, delete=True)
    assert (web_root / "index.html").read_text() == "<h1>Dinas Kominfo</h1>"
    assert (web_root / "berita/satu.html").read_text() == "<p>Berita satu</p>"
    assert not (web_root / "wp-shell.php").exists()


def test_verify_names_damage_and_alerts(planned_site, tmp_path):
    operations.run_backup(planned_site, JOB)
    pack = next(p for p in (tmp_path / "usb" / planned_site.slug / "data").rglob("*") if p.is_file())
    content = bytearray(pack.read_bytes())
    content[10] ^= 0xFF
    pack.write_bytes(bytes(content))
    with pytest.raises(operations.VerifyFailed, match=pack.name):
        operations.verify_backups(planned_site, JOB, read_data=True)
    run = BackupRun.objects.get(operation=Operation.VERIFY)
    assert run.state == RunState.FAILED and run.report["damage"][0]["pack"] == pack.name
    assert Message.objects.filter(site=planned_site, severity="critical").exists()


def test_missed_backup_alerts_once_a_day(planned_site):
    BackupPlan.objects.filter(site=planned_site).update(max_age=timedelta(hours=1))
    type(planned_site).objects.filter(pk=planned_site.pk).update(created_at=timezone.now() - timedelta(hours=2))
    assert watch_missed_backups() == "1 site(s) without a recent good backup"
    assert watch_missed_backups() == "0 site(s) without a recent good backup"
    assert Event.objects.filter(verb="backup.missed", site=planned_site).count() == 1
    operations.run_backup(planned_site, JOB)
    assert "0 site" in watch_missed_backups()


def test_backup_jobs_are_scheduled_only_for_sites_with_an_enabled_plan(planned_site, site_b):
    sync_entries()
    assert set(ScheduleEntry.objects.filter(job="backup.run").values_list("site__slug", flat=True)) == {"kominfo"}
    BackupPlan.objects.filter(site=planned_site).update(enabled=False)
    sync_entries()
    assert not ScheduleEntry.objects.filter(job="backup.run").exists()


@pytest.fixture
def full_disk(tmp_path):
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount_point)], capture_output=True)
    if done.returncode:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.decode().strip()}")
    yield mount_point
    subprocess.run(["umount", str(mount_point)], check=False)


def test_full_target_disk_gives_a_clear_error_and_keeps_the_repository(planned_site, web_root, full_disk):
    target = BackupTarget.objects.create(name="flashdisk", path=str(full_disk))
    BackupPlan.objects.filter(site=planned_site).update(target=target)
    planned_site.refresh_from_db()
    first = operations.run_backup(planned_site, JOB).snapshot_id
    (web_root / "big.bin").write_bytes(os.urandom(3 * 1024 * 1024))
    with pytest.raises(StepFailed) as failure:
        operations.run_backup(planned_site, JOB)
    assert isinstance(failure.value.cause, TargetError) and "is full" in str(failure.value.cause)
    assert BackupRun.objects.filter(state=RunState.FAILED).get().error.startswith("TargetError")
    (web_root / "big.bin").unlink()
    operations.verify_backups(planned_site, JOB, read_data=True)
    (web_root / "index.html").write_text("changed")
    operations.restore_files(planned_site, first, JOB)
    assert (web_root / "index.html").read_text() == "<h1>Dinas Kominfo</h1>"
    assert operations.run_backup(planned_site, JOB).state == RunState.SUCCEEDED


def test_prune_applies_the_plan_and_frees_data(planned_site, web_root):
    BackupPlan.objects.filter(site=planned_site).update(keep_last=1, keep_daily=0, keep_weekly=0, keep_monthly=0,
                                                        keep_yearly=0)
    planned_site.refresh_from_db()
    for n in range(3):
        (web_root / f"file{n}.bin").write_bytes(os.urandom(200_000))
        operations.run_backup(planned_site, JOB)
    assert Snapshot.objects.filter(site=planned_site).count() == 1  # retention after each backup
    (web_root / "file0.bin").unlink()
    operations.run_backup(planned_site, JOB)
    result = operations.prune_backups(planned_site, JOB)
    assert result.report["bytes_freed"] > 150_000 and "freed" in result.report["summary"]
    operations.verify_backups(planned_site, JOB, read_data=True)


def test_sftp_medium_trusted_on_first_use_then_backed_up_and_restored(planned_site, web_root, tmp_path):
    from tests.backup.sshd import running_sshd

    with running_sshd(tmp_path / "sshd") as server:
        target = operations.save_target(
            JOB, name="nas", kind="sftp", path=str(tmp_path / "remote"), host="127.0.0.1", port=server.port,
            username=server.username, credentials={"private_key": server.client_keys["ed25519"]},
        )
        with pytest.raises(StepFailed, match="host key"):
            BackupPlan.objects.filter(site=planned_site).update(target=target)
            planned_site.refresh_from_db()
            operations.run_backup(planned_site, JOB)
        fingerprint = operations.trust_host_key(target, JOB)
        assert fingerprint.startswith("SHA256:") and BackupTarget.objects.get(name="nas").host_key
        planned_site.refresh_from_db()
        snapshot = operations.run_backup(planned_site, JOB).snapshot_id
        (web_root / "index.html").write_text("deface")
        operations.restore_files(planned_site, snapshot, JOB)
        assert (web_root / "index.html").read_text() == "<h1>Dinas Kominfo</h1>"


def test_retention_never_forgets_a_trusted_snapshot(planned_site, web_root):
    plan = planned_site.backup_plan
    plan.keep_last, plan.keep_daily, plan.keep_weekly, plan.keep_monthly, plan.keep_yearly = 1, 0, 0, 0, 0
    plan.save()
    first = operations.run_backup(planned_site, JOB)
    Snapshot.objects.filter(snapshot_id=first.snapshot_id).update(trusted=True)
    for number in range(3):
        (web_root / f"berita/baru-{number}.html").write_text(f"<p>Berita {number}</p>")
        latest = operations.run_backup(planned_site, JOB)
    kept = set(Snapshot.objects.filter(site=planned_site).values_list("snapshot_id", flat=True))
    assert kept == {first.snapshot_id, latest.snapshot_id}
    from jagaweb.backup.operations_admin import prune_backups

    prune_backups(planned_site, JOB)
    repo = operations.open_repository(planned_site)
    try:
        assert {info.id for info in repo.snapshots()} == kept
    finally:
        repo.target.close()
