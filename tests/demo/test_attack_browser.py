"""In a browser: the demo's operator presses the attack button on a sample site's page, follows the guard's
check to the guard's page of the site, sees the webshell among the findings and restores the site."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Worker

from jagaweb.demo.attack import WEBSHELL
from jagaweb.demo.setup import OPERATOR
from jagaweb.guard.choices import RunKind, RunState, Verdict
from jagaweb.guard.models import GuardRun
from tests.browser.conftest import browser as browser  # the browser tests' fixtures, requested by name
from tests.browser.conftest import page as page
from tests.demo.attack_world import PASSWORD, DemoWorld
from tests.demo.attack_world import demo_world as demo_world  # a fixture, requested by name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "test-results"


def run_queued_tasks() -> None:
    """What the demo's worker does, here: every queued task, then return."""
    Worker(queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
           max_tasks=None, worker_id="test-worker", excluded_queue_names=[]).run()


def test_attack_check_and_restore_from_the_pages(page: Any, live_server: Any, demo_world: DemoWorld,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)  # keep the test's connection
    site = demo_world.prepare()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", OPERATOR)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}{site.get_absolute_url()}")
    page.locator("#demo-attack button[type=submit]").click()
    page.wait_for_url(re.compile(rf".*/demo/sites/{site.slug}/attack/\?task=.+"))
    assert WEBSHELL in page.locator("table.list").inner_text()

    run_queued_tasks()  # the guard's check
    page.wait_for_url(re.compile(rf".*/guard/sites/{site.slug}/$"))
    findings = page.locator("#findings ~ *").first
    assert WEBSHELL in page.content() and findings.count() == 1
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "demo-attack-findings.png"), full_page=True)

    page.locator(f"form[action$='/guard/sites/{site.slug}/restore/'] button").click()
    page.wait_for_url(re.compile(rf".*/guard/sites/{site.slug}/pending/.*"))
    run_queued_tasks()  # the restore and its verification
    page.wait_for_url(re.compile(r".*/guard/runs/\d+/$"))
    restore = GuardRun.objects.get(site=site, kind=RunKind.RESTORE)
    assert restore.state == RunState.SUCCEEDED and restore.verdict == Verdict.CLEAN
    assert page.url.endswith(restore.get_absolute_url())
    assert not (demo_world.attacked.web_root / WEBSHELL).exists()
