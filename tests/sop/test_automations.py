"""Automation steps: the capability's domain function runs for the run's site and its record becomes the
step's system evidence; a good result completes the step, a bad one leaves it to a person."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from jagaweb.activity.log import SystemJob
from jagaweb.activity.models import Event
from jagaweb.backup.models import BackupPlan, BackupRun, BackupTarget
from jagaweb.guard.models import GuardProfile, GuardRun
from jagaweb.guard.operations import mark_known_good
from jagaweb.monitor.choices import CheckKind
from jagaweb.monitor.models import Check, Result
from jagaweb.renewals.models import Service
from jagaweb.sop.automations import run_automations, run_pending
from jagaweb.sop.choices import AutomationState, EvidenceKind, StepState
from jagaweb.sop.runs import start_run
from tests.guard.page_fixtures import html
from tests.guard.siteserver import GuardSite
from tests.monitor.servers import WebServer
from tests.sop.world import MAINTENANCE_SOP

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
ROUND = SystemJob("test")


def step_of(site, number, sop=MAINTENANCE_SOP):
    return start_run(sop, ROUND, site=site, at_step=number).current_step()


@pytest.fixture
def planned_site(site_a, tmp_path: Path):
    root = tmp_path / "www"
    (root / "berita").mkdir(parents=True)
    (root / "index.html").write_text("<h1>Dinas Kominfo</h1>")
    (root / "berita/satu.html").write_text("<p>Berita satu</p>")
    site_a.web_root = str(root)
    site_a.save()
    target = BackupTarget.objects.create(name="usb", path=str(tmp_path / "usb"))
    BackupPlan.objects.create(site=site_a, target=target, include_database=False)
    return site_a


def test_a_backup_step_links_its_backup_run_and_completes(planned_site):
    step = step_of(planned_site, 2)
    assert step.automation_state == AutomationState.PENDING
    assert run_pending() == 1
    step.refresh_from_db()
    evidence = step.evidence.get()
    backup = BackupRun.objects.get(site=planned_site)
    assert evidence.kind == EvidenceKind.SYSTEM and evidence.target() == backup and evidence.ok
    assert evidence.data["snapshot"] == backup.snapshot_id and backup.actor == "sistem:sop.automation"
    assert step.state == StepState.DONE and step.automation_state == AutomationState.SUCCEEDED
    following = step.run.current_step()
    assert following.number == 3 and following.automation_state == AutomationState.PENDING
    assert run_pending() == 1 and run_pending() == 0  # each step's automations run once
    following.refresh_from_db()
    assert following.automation_state == AutomationState.FAILED  # no visitor logs: a person takes over
    assert Event.objects.filter(verb="sop.automation_ran", job="sop.automation").exists()


def test_a_backup_step_of_a_site_without_a_plan_waits_for_a_person(site_a):
    step = step_of(site_a, 2)
    run_automations(step)
    step.refresh_from_db()
    assert step.state == StepState.OPEN and step.automation_state == AutomationState.FAILED
    assert not step.evidence.get().ok and "backup plan" in step.evidence.get().label


SPAM = html("<h2>Slot gacor maxwin hari ini</h2><p>Daftar situs slot gacor, bonus new member 100, "
            "link alternatif judi online terpercaya, deposit pulsa tanpa potongan, RTP live tertinggi.</p>")


def test_a_guard_step_against_a_local_site(site_a, operator):
    with GuardSite() as web:
        web.page("/", html("<p>Selamat datang di portal resmi Dinas Contoh.</p>"))
        site_a.url = web.url("/")
        site_a.save()
        GuardProfile.objects.create(site=site_a, allow_private=True, visual=False, files=False, database=False,
                                    sitemap_sample=0)
        mark_known_good(site_a, operator)
        clean = step_of(site_a, 4, sop="penjagaan_website")
        run_automations(clean)
        clean.refresh_from_db()
        assert clean.state == StepState.DONE and clean.evidence.get().target() == GuardRun.objects.get()
        web.page("/", SPAM)
        attacked = step_of(site_a, 4, sop="penjagaan_website")
        run_automations(attacked)
    attacked.refresh_from_db()
    evidence = attacked.evidence.get()
    assert attacked.state == StepState.OPEN and not evidence.ok and evidence.data["verdict"] == "judol"
    assert evidence.target() == GuardRun.objects.latest("pk")


def test_a_check_now_step_links_the_stored_result(site_a):
    with WebServer() as web:
        web.route("/", "<h1>Portal</h1>")
        check = Check.objects.create(site=site_a, kind=CheckKind.HTTP, target=web.url("/"), allow_private=True)
        step = step_of(site_a, 1)
        run_automations(step)
    step.refresh_from_db()
    evidence = step.evidence.get()
    assert evidence.ok and evidence.target() == Result.objects.get(check_ref=check)
    assert step.state == StepState.DONE


def test_a_renewals_step_keeps_the_review_as_evidence(site_a):
    today = timezone.localdate()
    Service.objects.create(organisation=site_a.organisation, site=site_a, kind="domain", name="kominfo.go.id",
                           period_end=today + timedelta(days=10))
    step = step_of(site_a, 4)
    run_automations(step)
    step.refresh_from_db()
    evidence = step.evidence.get()
    assert not evidence.ok and evidence.data["services"][0]["name"].startswith("kominfo.go.id")
    assert step.state == StepState.OPEN  # a domain ending within a month needs a person
    Service.objects.update(period_end=today + timedelta(days=200))
    again = step_of(site_a, 4)
    run_automations(again)
    again.refresh_from_db()
    assert again.state == StepState.DONE


def test_a_visitor_log_step_reports_the_latest_day(site_a):
    from jagaweb.logwatch.models import DailyVisitors

    step = step_of(site_a, 3)
    run_automations(step)
    step.refresh_from_db()
    assert step.state == StepState.OPEN and "No visitor statistics" in step.evidence.get().label
    day = DailyVisitors.objects.create(site=site_a, date=date(2026, 3, 1), requests=1200, visitors=340)
    again = step_of(site_a, 3)
    run_automations(again)
    again.refresh_from_db()
    assert again.state == StepState.DONE and again.evidence.get().target() == day
