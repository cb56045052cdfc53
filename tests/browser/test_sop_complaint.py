"""A complaint from the public form to closure: a visitor files it (no login), then the users holding the
complaint SOP's roles (Direktur: executive; Kasubdit and Kasi Portal: supervisor; JFU: operator) each open
their task list and do their step in turn. Due times are shown in working hours; the JFU's repair step is
left overdue (its start set to a Friday afternoon before a long weekend), reminded, then escalated to the
supervisors by the overdue job, and finally done."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from django.utils import timezone

from jagaweb.notify.models import Message
from jagaweb.people.choices import RoleKind
from jagaweb.sop.choices import CaseState, RunState, StepState
from jagaweb.sop.complaints import MIN_FILL_SECONDS
from jagaweb.sop.models import Case, Complaint, RunStep
from jagaweb.sop.overdue import overdue_pass
from jagaweb.sop.runs import due_for
from tests.sop.world import at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Rahasia-123!"  # what tests/conftest.py's make_user gives everyone
# Who does each step of SOP 003 after the complainant's own step 1 (done by the form).
DOERS = {2: "direktur", 3: "kasubdit", 4: "kasi", 5: "kasi", 6: "kasi", 7: "jfu", 8: "kasi", 9: "kasi"}
NOTES = {4: "Modul pengumuman kehabisan koneksi basis data", 5: "Naikkan batas koneksi basis data",
         7: "Batas koneksi dinaikkan; halaman pengumuman normal", 8: "Laporan JFU diterima",
         9: "Dicatat di log kegiatan harian"}
FRIDAY_BEFORE_INDEPENDENCE_DAY = at(2026, 8, 14, 16, 20)  # 20 minutes: 10 on Friday, 10 on Tuesday 18 August
DUE_AFTER_THE_LONG_WEEKEND = "2026-08-18 07:40"


def shown(moment: datetime | None) -> str:
    assert moment is not None
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def log_in(browser: Any, base: str, username: str) -> Any:
    context = browser.new_context(locale="id-ID", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.select_option("select[name=language]", "en")
    page.wait_for_load_state("networkidle")
    return page


def file_complaint(page: Any, base: str) -> str:
    page.goto(f"{base}/keluhan/kominfo/")
    page.fill("textarea[name=text]", "Halaman pengumuman beasiswa menampilkan galat 500 sejak pagi.")
    page.fill("input[name=page]", "/pengumuman/beasiswa")
    page.fill("input[name=name]", "Budi Santoso")
    page.fill("input[name=contact]", "budi@example.com")
    honeypot = page.locator("input[name=website]").bounding_box()
    assert honeypot is None or honeypot["x"] + honeypot["width"] < 0  # off the page: not for people
    page.wait_for_timeout(MIN_FILL_SECONDS * 1000 + 300)  # a person takes longer than a bot to write
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    return str(page.locator(".reference").inner_text())


def do_step(page: Any, base: str, step: RunStep, note: str) -> None:
    """From the task list to the step on the run's page: check its due time, write the note, complete it."""
    page.goto(f"{base}/sop/")
    task = page.locator(f"#task-{step.pk}")
    assert task.count() == 1, f"step {step.number} is not on the task list"
    if step.due_at is not None:
        assert shown(step.due_at) in task.inner_text()
    task.locator("a.task").click()
    page.wait_for_url(re.compile(rf".*/sop/runs/{step.run_id}/"))
    row = page.locator(f"#step-{step.pk}")
    if step.due_at is not None:
        assert f"due {shown(step.due_at)}" in row.inner_text() and "working hours" in row.inner_text()
    form = page.locator("#do-step")
    form.locator("textarea[name=note]").fill(note)
    form.locator("button[name=complete]").click()
    page.wait_for_load_state("networkidle")
    step.refresh_from_db()
    assert step.state == StepState.DONE, f"step {step.number} was not completed"


def test_a_complaint_walks_through_every_step_to_closure(browser, page, live_server, site_a, make_user):
    people = {
        "direktur": make_user(RoleKind.EXECUTIVE, username="direktur"),
        "kasubdit": make_user(RoleKind.SUPERVISOR, username="kasubdit"),
        "kasi": make_user(RoleKind.SUPERVISOR, username="kasi"),
        "jfu": make_user(RoleKind.OPERATOR, username="jfu"),
    }
    base = live_server.url
    reference = file_complaint(page, base)
    complaint = Complaint.objects.get(reference=reference)
    run = complaint.case.run
    assert run.steps.get(number=1).state == StepState.DONE  # the form stands for the complainant's step

    pages = {username: log_in(browser, base, username) for username in people}
    for _turn in range(len(DOERS)):  # bounded: one turn per step
        step = run.current_step()
        if step is None:
            break
        if step.number == 7:
            # Left overdue: its start goes back to a Friday afternoon before the Independence Day weekend.
            step.started_at = FRIDAY_BEFORE_INDEPENDENCE_DAY
            step.due_at = due_for(step)
            step.save(update_fields=["started_at", "due_at"])
            assert shown(step.due_at) == DUE_AFTER_THE_LONG_WEEKEND
            assert str(overdue_pass()) == "1 reminded, 0 escalated"
            assert str(overdue_pass()) == "0 reminded, 1 escalated"
            escalation = Message.objects.latest("pk")
            assert list(escalation.audience_roles.values_list("kind", flat=True)) == [RoleKind.SUPERVISOR]
            supervisor = pages["kasi"]
            supervisor.goto(f"{base}/sop/")
            escalated = supervisor.locator(f"#task-{step.pk}")
            assert "escalated to Supervisor" in escalated.inner_text() and "overdue" in escalated.inner_text()
            assert DUE_AFTER_THE_LONG_WEEKEND in escalated.inner_text()
        do_step(pages[DOERS[step.number]], base, step, NOTES.get(step.number, f"Langkah {step.number} selesai"))
    run.refresh_from_db()
    assert run.state == RunState.DONE
    assert list(run.steps.order_by("pk").values_list("number", flat=True)) == list(range(1, 10))
    done_by = dict(run.steps.values_list("number", "completed_by__username"))
    assert {number: done_by[number] for number in DOERS} == DOERS
    case = Case.objects.get(pk=complaint.case_id)
    assert case.state == CaseState.CLOSED
    assert (case.analysis, case.repair, case.closure) == (NOTES[4], NOTES[7], NOTES[9])
    late = run.steps.get(number=7)
    assert late.escalated_to == RoleKind.SUPERVISOR and late.within_time is False

    supervisor = pages["kasi"]
    supervisor.goto(f"{base}/sop/cases/{case.pk}/")
    assert supervisor.locator("#case-state").inner_text() == "Closed"
    assert reference in supervisor.locator("body").inner_text()
    supervisor.goto(f"{base}/sop/runs/{run.pk}/")
    assert supervisor.locator("#run-state").inner_text() == "Done"
    for opened in pages.values():
        opened.context.close()
