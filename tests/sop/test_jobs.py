"""The SOP app's periodic jobs as the scheduler calls them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from jagaweb.jobs.registry import JOBS
from jagaweb.monitor.choices import CheckKind, Status
from jagaweb.monitor.models import Check, Incident
from jagaweb.sop import jobs
from jagaweb.sop.choices import AutomationState, StartKind
from jagaweb.sop.models import Case, Run
from tests.sop.world import MAINTENANCE_SOP

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_the_jobs_are_declared():
    assert {"sop.overdue", "sop.automations", "sop.events", "sop.daily_round"} <= set(JOBS)
    assert JOBS["sop.daily_round"].per_site and JOBS["sop.daily_round"].every == timedelta(days=1)


def test_the_daily_round_starts_once_until_it_is_finished(site_a):
    assert jobs.daily_round(site_a).startswith("run ")
    run = Run.objects.get()
    assert run.definition_name == MAINTENANCE_SOP and run.started_via == StartKind.SCHEDULE
    first = run.current_step()
    assert first.number == 1 and first.automation_state == AutomationState.PENDING
    assert jobs.daily_round(site_a) == "the previous round is still open" and Run.objects.count() == 1


def test_the_event_job_and_the_automation_job_report_what_they_did(site_a):
    check = Check.objects.create(site=site_a, kind=CheckKind.HTTP, status=Status.DOWN)
    Incident.objects.create(site=site_a, check_ref=check, opened_at=timezone.now(), cause="HTTP 502")
    assert jobs.start_from_events() == "1 monitoring, 0 guard, 0 visitor-log cases opened"
    assert Case.objects.get().run.current_step().number == 5
    assert jobs.run_automations() == "0 steps"  # step 5 (the report) is a person's
    assert jobs.remind_and_escalate() == "0 reminded, 0 escalated"
