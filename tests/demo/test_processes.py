import random
import sys
import time

import pytest

from jagaweb.demo.runner import child_environment
from jagaweb.demo.sites import plan_sites, save_state, state_file
from jagaweb.demo.siteserver import serve_in_thread, shutdown
from jagaweb.demo.supervision import Announcer, DemoSupervisor, EnvChild
from jagaweb.demo.traffic import Target, load_targets, pick_request, run
from tests.demo.helpers import log_lines, parse_combined

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def test_child_environment_keeps_the_users_own_jagaweb_away(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://prod/jagaweb")
    monkeypatch.setenv("JAGAWEB_SMTP_HOST", "mail.example.go.id")
    monkeypatch.setenv("JAGAWEB_ENV_FILE", "/etc/jagaweb/env")
    monkeypatch.setenv("JAGAWEB_LANGUAGE", "en")
    env = child_environment(tmp_path, 18000)
    assert "DATABASE_URL" not in env and "JAGAWEB_SMTP_HOST" not in env and "JAGAWEB_ENV_FILE" not in env
    assert env["JAGAWEB_LANGUAGE"] == "en"
    assert env["JAGAWEB_DATA_DIR"] == str(tmp_path)
    assert env["JAGAWEB_BASE_URL"] == "http://127.0.0.1:18000"
    assert env["DJANGO_SETTINGS_MODULE"] == "jagaweb.settings"


def test_a_held_child_is_stopped_and_started_again(tmp_path):
    hold = tmp_path / "stopped"
    child = EnvChild("sleeper", SLEEPER, env={}, output=tmp_path / "sleeper.log", hold_file=hold)
    never = Announcer([lambda: False], on_ready=lambda: None, on_timeout=lambda: None)
    supervisor = DemoSupervisor([child], never)
    try:
        child.start()
        first = child.process
        hold.touch()
        supervisor.check_children(time.monotonic())
        assert child.process is None and first.poll() is not None
        assert child.restarts == []  # switched off on purpose, not a crash
        supervisor.check_children(time.monotonic())
        assert child.process is None
        hold.unlink()
        supervisor.check_children(time.monotonic())
        assert child.process is not None and child.process.poll() is None
    finally:
        supervisor.stop_all()


def test_announcer_waits_for_every_probe():
    calls = []
    ready = {"web": False}
    announcer = Announcer(
        [lambda: ready["web"], lambda: True], on_ready=lambda: calls.append("ready"),
        on_timeout=lambda: calls.append("late"),
    )
    announcer.poll(time.monotonic())
    assert calls == []
    ready["web"] = True
    announcer.poll(time.monotonic())
    announcer.poll(time.monotonic())
    assert calls == ["ready"]
    late = Announcer([lambda: False], lambda: None, lambda: calls.append("late"), deadline=0)
    late.poll(time.monotonic())
    assert calls == ["ready", "late"]


@pytest.fixture
def running_site(tmp_path):
    site = plan_sites(tmp_path, [0, 0, 0])[2]
    site.install_content()
    server = serve_in_thread(site.web_root, 0, site.access_log)
    yield site, server
    shutdown(server)


def test_traffic_visits_pages_of_the_demo_sites(tmp_path, running_site):
    site, server = running_site
    save_state(tmp_path, 18000, [site])
    [target] = load_targets(state_file(tmp_path))
    assert "/" in target.paths and "/berita/" in target.paths and "/feed.xml" in target.paths
    live = Target(server.port, target.paths)
    run([live], interval=0.01, max_requests=8, rng=random.Random(7))
    hits = [parse_combined(line) for line in log_lines(site.access_log, 8)]
    assert len(hits) == 8
    assert all(hit["request"].startswith("GET /") for hit in hits)
    assert {hit["status"] for hit in hits} <= {200, 404}


def test_traffic_only_ever_asks_loopback():
    rng = random.Random(1)
    targets = [Target(8081, ("/", "/profil.html")), Target(8082, ())]
    for _ in range(200):
        target, path, referer = pick_request(targets, rng)
        assert path.startswith("/")
        assert referer is None or referer.startswith(("https://www.", f"http://127.0.0.1:{target.port}/"))
