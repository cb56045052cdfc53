"""The backup pages: what an operator sees, scoping, queued backups and verifies, the restore with its
mandatory dry run, media with write-only secrets, plans and trusted snapshots."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from typing import Any

import paramiko
import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from jagaweb.activity.log import SystemJob
from jagaweb.activity.models import Event
from jagaweb.backup import operations, verbs
from jagaweb.backup.choices import Operation, RunState, TargetKind
from jagaweb.backup.models import BackupPlan, BackupRun, BackupTarget, Snapshot
from jagaweb.inventory.models import Site
from jagaweb.jobs.models import ScheduleEntry
from jagaweb.people.choices import RoleKind

pytestmark = pytest.mark.django_db
SYSTEM = SystemJob("test")
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
RUN = ("backup.add_backuprun",)
RESTORE = ("backup.add_backuprun", "inventory.change_site")


@pytest.fixture(autouse=True)
def english(settings: Any) -> Iterator[None]:
    """Assertions read the English source strings, whatever translations exist."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def grant(user: Any, *names: str) -> Any:
    for name in names:
        app_label, codename = name.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return user


@pytest.fixture
def web_root(tmp_path):
    root = tmp_path / "htdocs"
    (root / "css").mkdir(parents=True)
    (root / "index.html").write_text("<h1>Portal Kominfo</h1>")
    (root / "css" / "site.css").write_text("body { color: navy; }")
    (root / "berita.html").write_text("<p>Berita hari ini</p>")
    return root


@pytest.fixture
def medium(tmp_path) -> BackupTarget:
    return BackupTarget.objects.create(name="Cakram USB", kind=TargetKind.LOCAL, path=str(tmp_path / "backups"))


@pytest.fixture
def planned_site(site_a: Site, web_root, medium: BackupTarget) -> Site:
    site_a.web_root = str(web_root)
    site_a.save()
    BackupPlan.objects.create(site=site_a, target=medium, include_database=False)
    return site_a


@pytest.fixture
def backed_up(planned_site: Site) -> BackupRun:
    return operations.run_backup(planned_site, SYSTEM)


@pytest.fixture
def org_a_operator(make_user, org_a) -> Any:
    """An operator limited to organisation A (and so to site_a)."""
    return make_user(RoleKind.OPERATOR, organisation=org_a, username="operator-kominfo")


def test_pages_render_for_an_operator(operator_client, backed_up, planned_site, medium, make_user, client_for):
    snapshot = Snapshot.objects.get(site=planned_site)
    index = operator_client.get(reverse("backup:index"))
    assert index.status_code == 200
    assert planned_site.name.encode() in index.content and b"Cakram USB" in index.content

    page = operator_client.get(reverse("backup:site", args=[planned_site.slug]))
    assert page.status_code == 200
    body = page.content.decode()
    assert snapshot.short_id in body and "<svg" in body and "Cakram USB" in body
    assert reverse("backup:run_detail", args=[backed_up.pk]) in body

    run = operator_client.get(reverse("backup:run_detail", args=[backed_up.pk]))
    assert run.status_code == 200 and backed_up.snapshot_id[:8].encode() in run.content
    assert operator_client.get(reverse("backup:site_runs", args=[planned_site.slug])).status_code == 200
    assert operator_client.get(reverse("backup:target_list")).status_code == 200
    assert operator_client.get(reverse("backup:target_detail", args=[medium.pk])).status_code == 200
    assert "Back up now" in body and reverse("backup:restore", args=[planned_site.slug]) in body
    # An executive reads: without the permissions to change anything, no buttons that would be refused.
    reader = client_for(make_user(RoleKind.EXECUTIVE)).get(reverse("backup:site", args=[planned_site.slug]))
    assert "Back up now" not in reader.content.decode()
    assert reverse("backup:restore", args=[planned_site.slug]) not in reader.content.decode()


def test_the_site_page_shows_a_backup_panel(operator_client, backed_up, planned_site):
    page = operator_client.get(planned_site.get_absolute_url())
    assert b'id="panel-backup"' in page.content
    assert reverse("backup:site", args=[planned_site.slug]).encode() in page.content


def test_the_overview_costs_the_same_few_queries_for_more_sites(operator_client, org_a, medium):
    def sites_with_backups(count: int, start: int) -> None:
        for number in range(start, start + count):
            site = Site.objects.create(slug=f"situs-{number}", name=f"Situs {number}", url="http://127.0.0.1/",
                                       organisation=org_a)
            BackupPlan.objects.create(site=site, target=medium)
            for operation in (Operation.BACKUP, Operation.BACKUP, Operation.VERIFY):
                BackupRun.objects.create(site=site, operation=operation, state=RunState.SUCCEEDED)
            Snapshot.objects.create(site=site, target=medium, snapshot_id=f"{number:064x}",
                                    taken_at="2026-01-01T00:00:00Z")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert operator_client.get(reverse("backup:index")).status_code == 200
        return len(captured)

    sites_with_backups(3, 0)
    few = queries()
    sites_with_backups(40, 3)
    assert queries() == few


def test_the_overview_searches_and_filters(operator_client, backed_up, planned_site, site_b):
    found = operator_client.get(reverse("backup:index"), {"q": "kominfo"})
    assert planned_site.name.encode() in found.content and site_b.name.encode() not in found.content
    no_plan = operator_client.get(reverse("backup:index"), {"state": "no_plan"})
    assert site_b.name.encode() in no_plan.content and planned_site.name.encode() not in no_plan.content
    ok = operator_client.get(reverse("backup:index"), {"state": "succeeded"}, HTTP_HX_REQUEST="true")
    assert planned_site.name.encode() in ok.content and b"<html" not in ok.content


def test_someone_of_another_organisation_gets_404(client_for, org_a_operator, backed_up, planned_site, site_b,
                                                   medium):
    client = client_for(grant(org_a_operator, *RESTORE, "backup.change_backupplan", "backup.change_snapshot"))
    other_medium = BackupTarget.objects.create(name="Cakram Disdik", path="/srv/disdik")
    BackupPlan.objects.create(site=site_b, target=other_medium)
    other_run = BackupRun.objects.create(site=site_b, operation=Operation.BACKUP)
    other_snapshot = Snapshot.objects.create(site=site_b, target=other_medium, snapshot_id="cd" * 32,
                                             taken_at="2026-01-01T00:00:00Z")
    for name in ("backup:site", "backup:site_runs", "backup:plan_edit", "backup:restore", "backup:pending"):
        assert client.get(reverse(name, args=[site_b.slug])).status_code == 404, name
    for name in ("backup:run_now", "backup:verify_now", "backup:restore_database"):
        assert client.post(reverse(name, args=[site_b.slug])).status_code == 404, name
    assert client.get(reverse("backup:run_detail", args=[other_run.pk])).status_code == 404
    assert client.get(reverse("backup:target_detail", args=[other_medium.pk])).status_code == 404
    assert client.post(reverse("backup:snapshot_trust", args=[other_snapshot.pk])).status_code == 404
    assert not DBTaskResult.objects.exists()
    # Their own site's pages and medium are there; the other one is not listed.
    assert client.get(reverse("backup:site", args=[planned_site.slug])).status_code == 200
    media = client.get(reverse("backup:target_list")).content
    assert b"Cakram USB" in media and b"Cakram Disdik" not in media
    assert site_b.name.encode() not in client.get(reverse("backup:index")).content


def test_back_up_now_queues_a_task_and_runs_nothing_in_the_request(client_for, operator, planned_site):
    client = client_for(grant(operator, *RUN))
    response = client.post(reverse("backup:run_now", args=[planned_site.slug]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"queued" in response.content and b'hx-swap-oob="true"' in response.content
    task = DBTaskResult.objects.get()
    assert task.task_path == "jagaweb.backup.tasks.backup_now"
    assert task.args_kwargs["args"] == [planned_site.pk, operator.pk]
    assert not BackupRun.objects.exists()
    assert Event.objects.filter(verb=verbs.REQUESTED, actor=operator, site=planned_site).exists()
    # The run list keeps asking while the task waits.
    assert f"task={task.id}".encode() in response.content and b'hx-trigger="every 3s"' in response.content


def test_back_up_now_needs_the_permission_and_a_plan(client_for, operator, site_b, make_user):
    reader = make_user(RoleKind.EXECUTIVE)
    assert client_for(reader).post(reverse("backup:run_now", args=[site_b.slug])).status_code == 403
    response = client_for(grant(operator, *RUN)).post(reverse("backup:run_now", args=[site_b.slug]), follow=True)
    assert b"has no backup plan" in response.content and not DBTaskResult.objects.exists()


def test_the_queued_backup_runs_in_the_users_name(client_for, operator, planned_site, settings):
    settings.TASKS = IMMEDIATE
    client = client_for(grant(operator, *RUN))
    response = client.post(reverse("backup:run_now", args=[planned_site.slug]))
    assert response.status_code == 302
    run = BackupRun.objects.get(operation=Operation.BACKUP)
    assert run.state == RunState.SUCCEEDED and run.actor == operator.username and run.files >= 3
    assert Snapshot.objects.filter(site=planned_site, snapshot_id=run.snapshot_id).exists()
    assert Event.objects.filter(verb=verbs.SUCCEEDED, actor=operator, site=planned_site).exists()


def test_verify_now_checks_the_backups(client_for, operator, backed_up, planned_site, settings):
    settings.TASKS = IMMEDIATE
    client = client_for(grant(operator, *RUN))
    client.post(reverse("backup:verify_now", args=[planned_site.slug]), {"depth": "full"})
    run = BackupRun.objects.get(operation=Operation.VERIFY)
    assert run.state == RunState.SUCCEEDED and run.report["read_data"] and run.report["sample"] == 1.0
    page = client.get(reverse("backup:run_detail", args=[run.pk]))
    assert b"100% of the packs" in page.content


def restore_form(**fields: Any) -> dict[str, Any]:
    return {"where": "in_place", "directory": "", "paths": "", **fields}


def test_restore_shows_a_dry_run_then_restores_on_confirmation(client_for, operator, backed_up, planned_site,
                                                                web_root, settings):
    settings.TASKS = IMMEDIATE
    client = client_for(grant(operator, *RESTORE))
    (web_root / "index.html").write_text("<h1>HACKED</h1>")
    (web_root / "berita.html").unlink()
    (web_root / "shell.php").write_text("<?php system($_GET['c']); ?>")

    form = restore_form(snapshot=backed_up.snapshot_id, delete="on")
    preview = client.post(reverse("backup:restore", args=[planned_site.slug]), form)
    body = preview.content.decode()
    assert preview.status_code == 200 and "Dry run" in body
    assert "<code>index.html</code>" in body and "<code>berita.html</code>" in body
    assert "<code>shell.php</code>" in body
    # Nothing changed yet; the dry run is on record as a run.
    assert (web_root / "index.html").read_text() == "<h1>HACKED</h1>" and (web_root / "shell.php").exists()
    dry = BackupRun.objects.get(operation=Operation.RESTORE)
    assert dry.report["dry_run"] and dry.report["replace"] == ["index.html"] and dry.report["delete"] == ["shell.php"]
    runs = client.get(reverse("backup:site_runs", args=[planned_site.slug])).content.decode()
    assert runs.count('<span class="badge">dry run</span>') == 1

    token = re.search(r'name="token" value="([^"]+)"', body).group(1)
    done = client.post(reverse("backup:restore", args=[planned_site.slug]), {"token": token})
    assert done.status_code == 302 and done["Location"].startswith(reverse("backup:pending", args=[planned_site.slug]))
    assert (web_root / "index.html").read_text() == "<h1>Portal Kominfo</h1>"
    assert (web_root / "berita.html").exists() and not (web_root / "shell.php").exists()
    real = BackupRun.objects.filter(operation=Operation.RESTORE).exclude(pk=dry.pk).get()
    assert real.state == RunState.SUCCEEDED and not real.report["dry_run"] and real.actor == operator.username


def test_a_restore_cannot_be_confirmed_without_its_dry_run(client_for, operator, backed_up, planned_site):
    client = client_for(grant(operator, *RESTORE))
    response = client.post(reverse("backup:restore", args=[planned_site.slug]), {"token": "forged:token"})
    assert response.status_code == 200 and b"make a new one" in response.content
    assert not DBTaskResult.objects.exists()


def test_restore_into_a_directory_and_the_worker_leads_to_the_run(client_for, operator, backed_up, planned_site,
                                                                    tmp_path, monkeypatch):
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.management.commands.db_worker import Worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    client = client_for(grant(operator, *RESTORE))
    out = tmp_path / "pulih"
    form = restore_form(snapshot=backed_up.snapshot_id, where="directory", directory=str(out),
                        paths="webroot/index.html")
    preview = client.post(reverse("backup:restore", args=[planned_site.slug]), form)
    assert b"<code>webroot/index.html</code>" in preview.content
    token = re.search(r'name="token" value="([^"]+)"', preview.content.decode()).group(1)
    pending = client.post(reverse("backup:restore", args=[planned_site.slug]), {"token": token})["Location"]
    # Still queued: the page waits (htmx gets "no content" and asks again).
    assert client.get(pending).status_code == 200
    assert client.get(pending, HTTP_HX_REQUEST="true").status_code == 204

    Worker(queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False, max_tasks=None,
           worker_id="test-worker", excluded_queue_names=[]).run()

    assert (out / "webroot" / "index.html").read_text() == "<h1>Portal Kominfo</h1>"
    real = BackupRun.objects.filter(operation=Operation.RESTORE, report__dry_run=False).get()
    finished = client.get(pending, HTTP_HX_REQUEST="true")
    assert finished["HX-Redirect"] == reverse("backup:run_detail", args=[real.pk])


def test_restore_refuses_system_directories_and_needs_its_permissions(client_for, make_user, operator, backed_up,
                                                                       planned_site):
    url = reverse("backup:restore", args=[planned_site.slug])
    reader = grant(make_user(RoleKind.EXECUTIVE), *RUN)  # may back up, may not change the site
    assert client_for(reader).get(url).status_code == 403
    editor = grant(make_user(RoleKind.EXECUTIVE), "inventory.change_site")
    assert client_for(editor).get(url).status_code == 403  # may change the site, may not run backups
    client = client_for(grant(operator, *RUN))
    response = client.post(url, restore_form(snapshot=backed_up.snapshot_id, where="directory", directory="/etc/x"))
    assert b"system directories" in response.content and not BackupRun.objects.filter(operation="restore").exists()


def test_a_database_restore_needs_a_new_name(client_for, operator, backed_up, planned_site, settings):
    planned_site.db_engine, planned_site.db_name = "mysql", "kominfo"
    planned_site.save()
    client = client_for(grant(operator, *RESTORE))
    page = client.get(reverse("backup:restore", args=[planned_site.slug]))
    assert b"Restore the database" in page.content
    url = reverse("backup:restore_database", args=[planned_site.slug])
    refused = client.post(url, {"snapshot": backed_up.snapshot_id, "database": "kominfo"})
    assert b"live database" in refused.content and not DBTaskResult.objects.exists()
    queued = client.post(url, {"snapshot": backed_up.snapshot_id, "database": "kominfo_pulih"})
    assert queued.status_code == 302
    task = DBTaskResult.objects.get()
    assert task.task_path == "jagaweb.backup.tasks.restore_database_now"
    assert task.args_kwargs["args"][2:] == [backed_up.snapshot_id, "kominfo_pulih"]


HOST_KEY = f"ssh-rsa {paramiko.RSAKey.generate(1024).get_base64()}"


def sftp_medium_form(**fields: Any) -> dict[str, Any]:
    return {
        "name": "Server cadangan", "kind": "sftp", "path": "/backup", "host": "cadangan.example.go.id", "port": 22,
        "username": "jagaweb", "host_key": HOST_KEY, "notes": "",
        "password": "Sandi-SFTP-Rahasia-1", "private_key": "", "key_passphrase": "",
        "passphrase": "Frasa-Enkripsi-Rahasia-2", **fields,
    }


def test_medium_secrets_are_write_only(client_for, operator):
    client = client_for(grant(operator, "backup.add_backuptarget", "backup.change_backuptarget"))
    response = client.post(reverse("backup:target_create"), sftp_medium_form())
    target = BackupTarget.objects.get(name="Server cadangan")
    assert response.status_code == 302 and target.secrets() == {"password": "Sandi-SFTP-Rahasia-1"}
    assert target.passphrase == "Frasa-Enkripsi-Rahasia-2"
    assert Event.objects.filter(verb=verbs.TARGET_CREATED, actor=operator).exists()

    pages = [client.get(reverse("backup:target_detail", args=[target.pk])),
             client.get(reverse("backup:target_update", args=[target.pk])),
             client.get(reverse("backup:target_list"))]
    # A form with errors does not echo the secrets either.
    pages.append(client.post(reverse("backup:target_update", args=[target.pk]),
                             sftp_medium_form(host="", password="Sandi-Baru-Salah", private_key="not a key")))
    for page in pages:
        assert b"Sandi-SFTP-Rahasia-1" not in page.content and b"Frasa-Enkripsi-Rahasia-2" not in page.content
        assert b"Sandi-Baru-Salah" not in page.content
    assert b"stored" in pages[0].content

    # Left empty, they keep their values.
    client.post(reverse("backup:target_update", args=[target.pk]),
                sftp_medium_form(password="", passphrase="", notes="Di ruang server"))
    target.refresh_from_db()
    assert target.notes == "Di ruang server" and target.secrets() == {"password": "Sandi-SFTP-Rahasia-1"}
    assert target.passphrase == "Frasa-Enkripsi-Rahasia-2"
    changed = Event.objects.get(verb=verbs.TARGET_CHANGED)
    assert changed.data["fields"] == "notes" and "Sandi" not in str(changed.data)


def test_a_medium_needs_a_valid_host_key(client_for, operator):
    client = client_for(grant(operator, "backup.add_backuptarget"))
    response = client.post(reverse("backup:target_create"), sftp_medium_form(host_key="ssh-rsa bm90LWEta2V5"))
    assert response.status_code == 200 and not BackupTarget.objects.exists()
    assert b"host key" in response.content


def test_someone_limited_to_some_sites_cannot_add_media(client_for, org_a_operator, planned_site):
    client = client_for(grant(org_a_operator, "backup.add_backuptarget", "backup.change_backuptarget"))
    assert client.get(reverse("backup:target_create")).status_code == 403
    assert client.post(reverse("backup:target_create"), {"name": "x", "kind": "local", "path": "/x"}).status_code == 403
    assert not BackupTarget.objects.filter(name="x").exists()


def test_someone_limited_to_some_sites_cannot_change_media(client_for, org_a_operator, planned_site, medium):
    client = client_for(grant(org_a_operator, "backup.change_backuptarget", "backup.delete_backuptarget"))
    detail = client.get(reverse("backup:target_detail", args=[medium.pk]))
    edit = reverse("backup:target_update", args=[medium.pk])
    assert detail.status_code == 200 and edit.encode() not in detail.content
    assert client.get(reverse("backup:target_update", args=[medium.pk])).status_code == 403
    assert client.post(reverse("backup:target_update", args=[medium.pk]), {"name": "x"}).status_code == 403
    assert client.post(reverse("backup:target_delete", args=[medium.pk])).status_code == 403
    assert BackupTarget.objects.get(pk=medium.pk).name == "Cakram USB"


def test_a_medium_in_use_is_not_removed(client_for, operator, planned_site, medium):
    client = client_for(grant(operator, "backup.delete_backuptarget"))
    response = client.post(reverse("backup:target_delete", args=[medium.pk]), follow=True)
    assert BackupTarget.objects.filter(pk=medium.pk).exists() and b"still use this medium" in response.content


def test_creating_a_plan_schedules_its_backups(client_for, operator, site_b, medium, make_user):
    reader = client_for(make_user(RoleKind.EXECUTIVE))
    assert reader.get(reverse("backup:plan_edit", args=[site_b.slug])).status_code == 403
    creator = grant(make_user(RoleKind.EXECUTIVE), "backup.add_backupplan")
    client = client_for(creator)
    form = {"target": medium.pk, "enabled": "on", "excludes": "cache/*\n\ntmp/*", "extra_paths": "/etc/nginx",
            "keep_last": 3, "keep_daily": 7, "keep_weekly": 4, "keep_monthly": 6, "keep_yearly": 1,
            "max_age_hours": 30}
    response = client.post(reverse("backup:plan_edit", args=[site_b.slug]), form)
    assert response.status_code == 302
    plan = BackupPlan.objects.get(site=site_b)
    assert plan.excludes == ["cache/*", "tmp/*"] and plan.extra_paths == ["/etc/nginx"]
    assert plan.max_age.total_seconds() == 30 * 3600 and not plan.include_database
    assert ScheduleEntry.objects.filter(site=site_b, job="backup.run").exists()
    assert Event.objects.filter(verb=verbs.PLAN_CHANGED, actor=creator, site=site_b).exists()
    # Changing it needs the change permission.
    assert client.post(reverse("backup:plan_edit", args=[site_b.slug]), form).status_code == 403


def test_a_plan_refuses_absolute_excludes_and_keeping_nothing(client_for, operator, site_b, medium):
    client = client_for(grant(operator, "backup.add_backupplan"))
    form = {"target": medium.pk, "excludes": "/etc/passwd", "extra_paths": "relative/path", "keep_last": 0,
            "keep_daily": 0, "keep_weekly": 0, "keep_monthly": 0, "keep_yearly": 0, "max_age_hours": 30}
    response = client.post(reverse("backup:plan_edit", args=[site_b.slug]), form)
    assert response.status_code == 200 and not BackupPlan.objects.exists()
    assert b"relative to the web root" in response.content and b"absolute path" in response.content
    assert b"Keep at least the last snapshot" in response.content


def test_marking_a_snapshot_trusted_is_recorded(client_for, operator, backed_up, planned_site, make_user):
    snapshot = Snapshot.objects.get(site=planned_site)
    url = reverse("backup:snapshot_trust", args=[snapshot.pk])
    assert client_for(make_user(RoleKind.EXECUTIVE)).post(url).status_code == 403
    client = client_for(grant(operator, "backup.change_snapshot"))
    client.post(url, {"trusted": "1"})
    snapshot.refresh_from_db()
    assert snapshot.trusted
    event = Event.objects.get(verb=verbs.TRUSTED)
    assert event.actor == operator and event.data["object"] == snapshot.short_id
    client.post(url, {"trusted": "0"})
    snapshot.refresh_from_db()
    assert not snapshot.trusted and Event.objects.filter(verb=verbs.UNTRUSTED).exists()


def test_a_failed_verify_names_the_damaged_pack(operator_client, backed_up, planned_site, medium, tmp_path):
    packs = sorted((tmp_path / "backups" / planned_site.slug / "data").rglob("*"))
    pack = next(p for p in packs if p.is_file())
    data = bytearray(pack.read_bytes())
    data[len(data) // 2] ^= 0xFF
    pack.write_bytes(bytes(data))
    with pytest.raises(operations.VerifyFailed):
        operations.verify_backups(planned_site, SYSTEM, read_data=True)
    run = BackupRun.objects.get(operation=Operation.VERIFY)
    page = operator_client.get(reverse("backup:run_detail", args=[run.pk]))
    assert page.status_code == 200 and pack.name.encode() in page.content
    assert b"Damaged data" in page.content


def test_the_chart_draws_one_bar_per_backup(operator_client, planned_site, web_root):
    operations.run_backup(planned_site, SYSTEM)
    (web_root / "gambar.bin").write_bytes(base64.b64encode(bytes(range(256)) * 400))
    operations.run_backup(planned_site, SYSTEM)
    BackupRun.objects.create(site=planned_site, operation=Operation.BACKUP, state=RunState.FAILED)
    page = operator_client.get(reverse("backup:site", args=[planned_site.slug])).content.decode()
    chart = page[page.index("<svg"):page.index("</svg>")]
    assert chart.count("<title>") == 3 and 'fill="#c62828"' in chart


def test_the_demo_backs_up_every_sample_site_every_ten_minutes(tmp_path):
    from datetime import timedelta

    from jagaweb.demo.setup import register_demo_sites
    from jagaweb.demo.sites import plan_sites

    sites = register_demo_sites(tmp_path, plan_sites(tmp_path, [18081, 18082, 18083]))
    plans = BackupPlan.objects.select_related("target")
    assert {plan.site_id for plan in plans} == {site.pk for site in sites}
    assert {plan.target.path for plan in plans} == {str(tmp_path / "demo" / "backups")}
    assert all(plan.target.passphrase for plan in plans)
    entries = ScheduleEntry.objects.filter(job="backup.run")
    assert entries.count() == 3 and all(e.interval == timedelta(minutes=10) and e.interval_is_custom for e in entries)
    verify = ScheduleEntry.objects.filter(job="backup.verify").first()
    # The first backup is taken at once by the demo's guard preparation (it becomes the trusted one); the
    # first verify comes minutes later, when it exists.
    assert verify.interval == timedelta(hours=1) and verify.next_due_at > timezone.now() + timedelta(minutes=4)
    # Running the set-up again keeps what is there.
    register_demo_sites(tmp_path, plan_sites(tmp_path, [18081, 18082, 18083]))
    assert BackupPlan.objects.count() == 3 and BackupTarget.objects.count() == 1


def test_without_the_view_permission_the_pages_refuse(client_for, make_user, org_a, planned_site):
    client = client_for(make_user(RoleKind.ORG_MEMBER, organisation=org_a))
    assert client.get(reverse("backup:index")).status_code == 403
    assert client.get(reverse("backup:site", args=[planned_site.slug])).status_code == 403
    assert b'id="panel-backup"' not in client.get(planned_site.get_absolute_url()).content


def test_restore_does_not_write_into_a_site_outside_the_scope(client_for, org_a_operator, backed_up, planned_site,
                                                              site_b, tmp_path):
    other_root = tmp_path / "disdik-htdocs"
    other_root.mkdir()
    site_b.web_root = str(other_root)
    site_b.save()
    link = tmp_path / "jalan-pintas"
    link.symlink_to(other_root)
    client = client_for(grant(org_a_operator, *RESTORE))
    url = reverse("backup:restore", args=[planned_site.slug])
    for directory in (other_root / "images", tmp_path, link):
        form = restore_form(snapshot=backed_up.snapshot_id, where="directory", directory=str(directory))
        response = client.post(url, form)
        assert b"outside your scope" in response.content, directory
    assert not BackupRun.objects.filter(operation=Operation.RESTORE).exists()


def test_only_someone_who_sees_every_site_sets_system_paths(client_for, org_a_operator, planned_site):
    client = client_for(grant(org_a_operator, "backup.change_backupplan"))
    plan = BackupPlan.objects.get(site=planned_site)
    form = {"target": plan.target_id, "enabled": "on", "excludes": "", "extra_paths": "/var/www/disdik/wp-config.php",
            "keep_last": 3, "keep_daily": 7, "keep_weekly": 4, "keep_monthly": 6, "keep_yearly": 1,
            "max_age_hours": 36}
    assert client.post(reverse("backup:plan_edit", args=[planned_site.slug]), form).status_code == 302
    plan.refresh_from_db()
    assert plan.extra_paths == [] and plan.enabled
