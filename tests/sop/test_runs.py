"""The SOP engine with fixed times: steps opened for the right roles, due times in working hours (weekends
and holidays skipped), decisions taking their branch, waiting for the requester stopping the clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jagaweb.activity.log import SystemJob
from jagaweb.activity.models import Event
from jagaweb.people.choices import RoleKind
from jagaweb.sop.assignment import assignees, can_act, open_tasks
from jagaweb.sop.choices import Decision, RunState, StepState
from jagaweb.sop.models import DayOff, DayOffKind
from jagaweb.sop.runs import RunError, assign_step, cancel_run, complete_step, pause_step, resume_step, start_run
from tests.sop.world import COMPLAINT_SOP, REQUEST_SOP, at, complaint_people

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
CLI = SystemJob("test")


def test_a_run_opens_its_start_and_each_completion_opens_the_next_step(site_a, make_user):
    people = complaint_people(make_user)
    monday = at(2026, 3, 2, 9, 0)
    run = start_run(COMPLAINT_SOP, CLI, site=site_a, now=monday)
    first = run.current_step()
    assert (first.number, first.role_kind, first.due_at) == (1, "", at(2026, 3, 2, 9, 3))
    second = complete_step(first, CLI, note="Halaman layanan tidak bisa dibuka", now=at(2026, 3, 2, 9, 2))
    assert (second.number, second.role_kind, second.due_at) == (2, RoleKind.EXECUTIVE, None)  # no Waktu: no due
    assert [user.username for user in assignees(second)] == ["direktur"]
    third = complete_step(second, people["direktur"], now=at(2026, 3, 2, 9, 10))
    assert third.number == 3 and third.role_kind == RoleKind.SUPERVISOR
    assert third.due_at == at(2026, 3, 2, 9, 13) and third.started_at == at(2026, 3, 2, 9, 10)
    first.refresh_from_db()
    assert first.state == StepState.DONE and first.completed_by_label == "sistem:test"
    verbs = list(Event.objects.filter(target_id__in=[str(run.pk), str(second.pk)]).values_list("verb", flat=True))
    assert "sop.run_started" in verbs and "sop.step_completed" in verbs
    assert Event.objects.filter(verb="sop.step_completed", actor=people["direktur"]).exists()


def test_due_time_skips_the_weekend_and_a_national_holiday(site_a):
    # Step 7 (20 minutes) opened at 16:20 on Friday 14 August 2026: ten minutes that day (Friday closes at
    # 16:30), then the weekend and Monday 17 August (Independence Day), so ten more minutes on Tuesday.
    run = start_run(COMPLAINT_SOP, CLI, site=site_a, at_step=7, now=at(2026, 8, 14, 16, 20))
    assert run.current_step().due_at == at(2026, 8, 18, 7, 40)


def test_due_time_skips_a_local_holiday_entered_by_an_administrator(site_a):
    DayOff.objects.create(date=at(2026, 8, 18).date(), name="Hari Jadi Kabupaten", kind=DayOffKind.LOCAL_HOLIDAY)
    run = start_run(COMPLAINT_SOP, CLI, site=site_a, at_step=7, now=at(2026, 8, 14, 16, 20))
    assert run.current_step().due_at == at(2026, 8, 19, 7, 40)


def test_the_end_step_finishes_the_run(site_a):
    run = start_run(COMPLAINT_SOP, CLI, site=site_a, at_step=9, now=at(2026, 3, 2, 9))
    assert complete_step(run.current_step(), CLI, now=at(2026, 3, 2, 9, 4)) is None
    run.refresh_from_db()
    assert run.state == RunState.DONE and run.finished_at == at(2026, 3, 2, 9, 4)
    with pytest.raises(RunError):
        complete_step(run.steps.get(), CLI)


def test_request_decision_yes_goes_on_to_the_build_and_no_to_the_end(org_a):
    approved = start_run(REQUEST_SOP, CLI, organisation=org_a, at_step=5, now=at(2026, 3, 2, 9))
    with pytest.raises(RunError):
        complete_step(approved.current_step(), CLI)  # a decision needs its answer
    assert complete_step(approved.current_step(), CLI, decision=Decision.YES).number == 6
    rejected = start_run(REQUEST_SOP, CLI, organisation=org_a, at_step=5, now=at(2026, 3, 2, 9))
    end = complete_step(rejected.current_step(), CLI, decision=Decision.NO, note="Anggaran belum tersedia")
    assert end.number == 11
    with pytest.raises(RunError):
        complete_step(end, CLI, decision=Decision.YES)  # not a decision
    assert complete_step(end, CLI) is None
    rejected.refresh_from_db()
    assert rejected.state == RunState.DONE
    assert list(rejected.steps.values_list("number", flat=True)) == [5, 11]


def test_waiting_for_the_requester_stops_the_clock(org_a):
    # Step 7 of the request SOP (3 days) opens Monday 2 March 2026 10:00: due Thursday 10:00. It waits for the
    # requester from Monday 10:00 to Tuesday 10:00: 8.5 working hours (Monday until 16:00, Tuesday from 07:30),
    # so the due time moves 8.5 working hours on: Thursday 16:00 plus 2.5 hours on Friday, 10:00.
    run = start_run(REQUEST_SOP, CLI, organisation=org_a, at_step=7, now=at(2026, 3, 2, 10))
    step = run.current_step()
    assert step.due_at == at(2026, 3, 5, 10)
    pause_step(step, CLI, reason="Menunggu data kebutuhan informasi dari OPD", now=at(2026, 3, 2, 10))
    step.refresh_from_db()
    assert step.state == StepState.WAITING and not step.is_overdue(at(2026, 3, 9))
    with pytest.raises(RunError):
        pause_step(step, CLI)
    resume_step(step, CLI, now=at(2026, 3, 3, 10))
    step.refresh_from_db()
    assert step.state == StepState.OPEN and step.due_at == at(2026, 3, 6, 10)
    assert step.paused_for == timedelta(hours=8, minutes=30)
    assert step.pauses.get().ended_at == at(2026, 3, 3, 10)


def test_only_a_step_the_sop_lets_wait_can_wait(site_a):
    run = start_run(COMPLAINT_SOP, CLI, site=site_a, at_step=4, now=at(2026, 3, 2, 9))
    with pytest.raises(RunError):
        pause_step(run.current_step(), CLI)


def test_completing_a_waiting_step_ends_its_pause(org_a):
    run = start_run(REQUEST_SOP, CLI, organisation=org_a, at_step=7, now=at(2026, 3, 2, 10))
    step = run.current_step()
    pause_step(step, CLI, now=at(2026, 3, 2, 11))
    complete_step(step, CLI, now=at(2026, 3, 2, 12))
    step.refresh_from_db()
    assert step.paused_for == timedelta(hours=1) and step.pauses.get().ended_at == at(2026, 3, 2, 12)


def test_who_may_act_on_a_step(site_a, org_b, make_user):
    people = complaint_people(make_user)
    outsider = make_user(RoleKind.SUPERVISOR, username="kasi-disdik", organisation=org_b)
    scoped = make_user(RoleKind.SUPERVISOR, username="kasi-kominfo", organisation=site_a.organisation)
    member = make_user(RoleKind.ORG_MEMBER, username="staf", organisation=site_a.organisation)
    run = start_run(COMPLAINT_SOP, CLI, site=site_a, at_step=4, now=at(2026, 3, 2, 9))
    step = run.current_step()
    assert can_act(people["kasi"], step) and can_act(scoped, step)
    assert not can_act(people["jfu"], step) and not can_act(outsider, step) and not can_act(member, step)
    assert {user.username for user in assignees(step)} == {"kasi", "kasi-kominfo"}
    assert list(open_tasks(scoped)) == [step] and not open_tasks(outsider).exists()
    assign_step(step, people["jfu"], people["kasi"])
    step.refresh_from_db()
    assert can_act(people["jfu"], step) and list(open_tasks(people["jfu"])) == [step]
    assert assignees(step) == [people["jfu"]] and not open_tasks(scoped).exists()


def test_cancelling_a_run_closes_its_open_step(site_a):
    run = start_run(COMPLAINT_SOP, CLI, site=site_a, at_step=4, now=at(2026, 3, 2, 9))
    cancel_run(run, CLI, "Keluhan ganda")
    run.refresh_from_db()
    assert run.state == RunState.CANCELLED and run.steps.get().state == StepState.CANCELLED


def test_a_third_party_called_in_is_recorded_with_its_answer(site_a, hosting):
    from jagaweb.sop.evidence import involve, record_answer

    run = start_run("pemeliharaan_website", CLI, site=site_a, at_step=7, now=at(2026, 3, 2, 9))
    step = run.current_step()
    involvement = involve(step, hosting, CLI, request="Server tidak merespons sejak 08:40", now=at(2026, 3, 2, 9, 5))
    record_answer(involvement, "Disk penuh; sudah dibersihkan", CLI, now=at(2026, 3, 2, 11))
    involvement.refresh_from_db()
    assert (involvement.third_party, involvement.contacted_at, involvement.answered_at) == (
        hosting, at(2026, 3, 2, 9, 5), at(2026, 3, 2, 11))
    verbs = set(Event.objects.filter(site=site_a).values_list("verb", flat=True))
    assert {"sop.third_party_contacted", "sop.third_party_answered"} <= verbs
