"""The demo attack: what it plants, how the sample site then answers each kind of visitor, and the whole
response in-process: the guard detects it, alerts, restores the site from its trusted backup and verifies."""

from __future__ import annotations

import http.client
import unicodedata
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from jagaweb.activity.models import Event
from jagaweb.demo.attack import (
    DOORWAY,
    FANCY_DOORWAY,
    HOME,
    VERIFICATION_FILE,
    WEBSHELL,
    AttackRefused,
    attack_site,
    plant,
)
from jagaweb.demo.backups import BACKUP_EVERY
from jagaweb.demo.guarding import CHECK_EVERY, prepare_site
from jagaweb.demo.runner import DemoError, attack_demo
from jagaweb.demo.setup import ACTOR, register_demo_sites
from jagaweb.demo.siteserver import serve_in_thread, shutdown
from jagaweb.guard.checking import run_check
from jagaweb.guard.choices import FindingState, Identity, RunState, Severity, Source, Verdict
from jagaweb.guard.identities import headers_for
from jagaweb.guard.models import GuardProfile
from jagaweb.guard.restoring import run_restore
from jagaweb.inventory.models import Site
from jagaweb.jobs.choices import Trigger
from jagaweb.jobs.models import JobRun, ScheduleEntry
from jagaweb.notify.models import Message
from tests.demo.attack_world import BROWSER, GOOGLEBOT, PASSWORD, DemoWorld
from tests.demo.attack_world import demo_world as demo_world  # a fixture, requested by name

KIT_PATHS = {".htaccess", "index.php", DOORWAY, FANCY_DOORWAY, WEBSHELL, VERIFICATION_FILE, HOME}


@pytest.fixture(autouse=True)
def english(settings: Any) -> Iterator[None]:
    """The messages asserted here are the English source strings (the default language is Indonesian)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def get(port: int, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode("utf-8")
    finally:
        connection.close()


@pytest.fixture
def web_root(tmp_path: Path) -> Path:
    root = tmp_path / "htdocs"
    (root / "berita").mkdir(parents=True)
    (root / "index.html").write_text('<html lang="id"><body><h1>Beranda Dinas</h1>\n<footer><p>Kabupaten Contoh</p>'
                                     "</footer></body></html>", encoding="utf-8")
    (root / "berita" / "satu.html").write_text("<h1>Berita satu</h1>", encoding="utf-8")
    return root


def test_planting_writes_the_kit_once(web_root: Path) -> None:
    planted = plant(web_root, site_name="Dinas Contoh", site_url="http://127.0.0.1:9/")
    assert {item.path for item in planted} == KIT_PATHS
    assert "RewriteCond %{HTTP_USER_AGENT}" in (web_root / ".htaccess").read_text()
    php = (web_root / "index.php").read_text()
    assert "HTTP_USER_AGENT" in php and "include('http://" in php
    assert "eval(base64_decode($_POST" in (web_root / WEBSHELL).read_text()
    assert (web_root / VERIFICATION_FILE).read_text().startswith("google-site-verification:")
    doorway = (web_root / DOORWAY).read_text()
    assert "slot gacor" in doorway.lower() and "Dinas Contoh" in doorway and "[[" not in doorway
    fancy = (web_root / FANCY_DOORWAY).read_text()
    heading = fancy.split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert not any("a" <= char.lower() <= "z" for char in heading)  # no plain letters left in the text ...
    folded = unicodedata.normalize("NFKC", heading).replace("\u200b", "").lower()
    assert folded.startswith("slot gacor")  # ... but the same words once look-alikes are folded
    home = (web_root / HOME).read_text()
    assert home.count("gacor-maxwin88.example") == 1 and home.index("left:-9999px") < home.index("</footer>")
    before = tree(web_root)
    plant(web_root, site_name="Dinas Contoh", site_url="http://127.0.0.1:9/")
    assert tree(web_root) == before


def test_after_the_attack_googlebot_and_google_visitors_see_spam_and_a_browser_does_not(web_root: Path,
                                                                                       tmp_path: Path) -> None:
    server = serve_in_thread(web_root, 0, tmp_path / "access.log")
    try:
        assert "Beranda Dinas" in get(server.port, "/", {"User-Agent": GOOGLEBOT})[2]
        plant(web_root, site_name="Dinas Contoh", site_url=f"http://127.0.0.1:{server.port}/")
        status, _headers, browser_home = get(server.port, "/", headers_for(Identity.NORMAL))
        assert status == 200 and "Beranda Dinas" in browser_home and "SLOT GACOR" not in browser_home
        for identity in (Identity.GOOGLEBOT, Identity.SEARCH):
            status, _headers, body = get(server.port, "/", headers_for(identity))
            assert status == 200 and "SLOT GACOR" in body and "Beranda Dinas" not in body, identity
        status, headers, _body = get(server.port, "/berita/satu.html", headers_for(Identity.SEARCH))
        assert status == 302 and headers["Location"] == "https://gacor-maxwin88.example/daftar?dari=satu.html"
        assert get(server.port, "/berita/satu.html", headers_for(Identity.MOBILE))[0] == 200
        assert get(server.port, "/index.php", {"User-Agent": BROWSER})[0] == 403  # no PHP here: never served
        assert get(server.port, "/.htaccess", {"User-Agent": BROWSER})[0] == 403
    finally:
        shutdown(server)


@pytest.mark.django_db
def test_the_demo_guards_every_sample_site_and_queues_its_preparation(tmp_path: Path) -> None:
    from jagaweb.demo.sites import plan_sites

    sites = plan_sites(tmp_path, [18091, 18092, 18093])
    start = timezone.now()
    register_demo_sites(tmp_path, sites, password=PASSWORD)
    profiles = {p.site.slug: p for p in GuardProfile.objects.select_related("site")}
    assert set(profiles) == {"diskominfo", "pn-contoh", "disdik"}
    assert all(p.allow_private and p.enabled for p in profiles.values())
    assert {slug for slug, p in profiles.items() if p.auto_restore} == {"pn-contoh"}
    checks = ScheduleEntry.objects.filter(job="guard.check")
    assert checks.count() == 3 and all(e.interval == CHECK_EVERY and e.interval_is_custom for e in checks)
    assert all(e.next_due_at >= start + CHECK_EVERY for e in checks)  # after the preparation
    backups = ScheduleEntry.objects.filter(job="backup.run")
    assert backups.count() == 3 and all(e.next_due_at >= start + BACKUP_EVERY for e in backups)  # it takes the first
    tasks = DBTaskResult.objects.filter(task_path="jagaweb.demo.tasks.prepare_guard")
    assert sorted(task.args_kwargs["args"][0] for task in tasks) == sorted(p.site.pk for p in profiles.values())
    register_demo_sites(tmp_path, sites, password=PASSWORD)  # a second start, still unprepared: queued again
    assert tasks.all().count() == 6 and GuardProfile.objects.count() == 3


@pytest.mark.django_db
def test_a_site_that_does_not_answer_is_left_unprepared(demo_world: DemoWorld) -> None:
    quiet = next(site for site in demo_world.sites if site.slug == "disdik")
    outcome = prepare_site(Site.objects.get(slug=quiet.slug), ACTOR, timeout=0.2)
    assert "not prepared" in outcome and GuardProfile.objects.get(site__slug="disdik").known_good_at is None


@pytest.mark.django_db
def test_the_attack_waits_for_the_guard_and_for_a_running_site(demo_world: DemoWorld) -> None:
    site, demo = demo_world.site, demo_world.attacked
    before = tree(demo.web_root)
    with pytest.raises(AttackRefused, match="still being prepared"):
        attack_site(site, demo, ACTOR)
    demo.stop()
    with pytest.raises(AttackRefused, match="switched off"):
        attack_site(site, demo, ACTOR)
    demo.start()
    assert tree(demo.web_root) == before
    with pytest.raises(CommandError, match="still being prepared"):
        call_command("demo_attack", demo.slug, stdout=StringIO())


@pytest.mark.django_db
def test_the_command_plants_and_queues_a_guard_check(demo_world: DemoWorld) -> None:
    site = demo_world.prepare()
    out = StringIO()
    call_command("demo_attack", site.slug, stdout=out)
    text = out.getvalue()
    assert WEBSHELL in text and "curl -s -A Googlebot" in text and f"/guard/sites/{site.slug}/" in text
    assert set(tree(demo_world.attacked.web_root)) >= KIT_PATHS
    run = JobRun.objects.get(entry__job="guard.check", entry__site=site)
    assert run.trigger == Trigger.MANUAL
    assert DBTaskResult.objects.filter(task_path="jagaweb.jobs.tasks.run_job").exists()
    attacked = Event.objects.get(verb="demo.attacked", site=site)
    assert attacked.job == "demo" and attacked.data["count"] == len(KIT_PATHS)
    with pytest.raises(CommandError, match="name one of"):
        call_command("demo_attack", "tidak-ada", stdout=StringIO())


def test_jagaweb_demo_attack_needs_a_demo(tmp_path: Path) -> None:
    with pytest.raises(DemoError, match="no demo in"):
        attack_demo(tmp_path, None, cycle=False)


@pytest.mark.django_db
def test_attack_detect_alert_restore_verify(demo_world: DemoWorld) -> None:
    site = demo_world.prepare(visual=True)
    root = demo_world.attacked.web_root
    clean = tree(root)
    assert run_check(site, ACTOR).verdict == Verdict.CLEAN  # the known-good site, as the guard saw it

    attack_site(site, demo_world.attacked, ACTOR)
    attacked = tree(root)
    check = run_check(site, ACTOR, auto_restore=False)
    assert (check.state, check.verdict, check.severity) == (RunState.SUCCEEDED, Verdict.JUDOL, Severity.CRITICAL)
    files = {f.location: f for f in check.findings.filter(source=Source.FILE)}
    assert set(files) >= KIT_PATHS
    assert files[WEBSHELL].severity == Severity.CRITICAL
    assert {"webshell.input-to-exec", "file.code_in_uploads"} <= {r["code"] for r in files[WEBSHELL].reasons}
    assert files[".htaccess"].verdict == Verdict.JUDOL and files["index.php"].verdict == Verdict.JUDOL
    pages = {(f.location, f.identity): f for f in check.findings.filter(source=Source.PAGE)}
    for identity in (Identity.GOOGLEBOT, Identity.SEARCH):
        assert pages[(site.url, identity)].verdict == Verdict.JUDOL
    assert pages[(site.url, Identity.NORMAL)].verdict == Verdict.JUDOL  # the hidden footer links
    cloaked = check.findings.get(source=Source.CLOAKING, location=site.url)
    assert cloaked.severity in (Severity.HIGH, Severity.CRITICAL)
    alert = Message.objects.get(site=site)
    assert alert.severity == "critical" and site.name in alert.title
    assert f"- page: {site.url} (judol)" in alert.body and "- file: .htaccess (judol)" in alert.body

    with translation.override("en"):
        restore = run_restore(site, ACTOR, check_run=check)
    assert restore.state == RunState.SUCCEEDED
    assert tree(root) == clean
    quarantined = {item["path"] for item in restore.report["quarantined"]}
    assert quarantined >= KIT_PATHS
    evidence = Path(restore.report["quarantine"])
    assert any(path.read_bytes() == attacked[WEBSHELL] for path in evidence.rglob("*") if path.is_file())
    verification = restore.report["verification"]
    assert verification["verdict"] == Verdict.CLEAN and restore.verdict == Verdict.CLEAN
    assert not check.findings.filter(source=Source.FILE, state=FindingState.OPEN).exists()
    status, _headers, body = get(demo_world.attacked.port, "/", headers_for(Identity.GOOGLEBOT))
    assert status == 200 and "SLOT GACOR" not in body and "Diskominfo" in body  # no cloaking any more
    verbs = set(Event.objects.filter(site=site).values_list("verb", flat=True))
    assert {"demo.guard_prepared", "demo.attacked", "guard.attack", "guard.quarantined", "guard.restored",
            "guard.verified"} <= verbs
