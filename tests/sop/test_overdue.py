"""Overdue steps: the assignees' role is reminded once, then the step escalates to the next role up (or the
step's own escalation role), through notify and into the activity log; a waiting step is never overdue."""

from __future__ import annotations

import pytest

from jagaweb.activity.log import SystemJob
from jagaweb.activity.models import Event
from jagaweb.notify.models import Message
from jagaweb.people.choices import RoleKind
from jagaweb.sop.assignment import can_act, next_role_up, open_tasks
from jagaweb.sop.overdue import overdue_pass
from jagaweb.sop.runs import pause_step, start_run
from tests.sop.world import COMPLAINT_SOP, REQUEST_SOP, at, complaint_people

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
CLI = SystemJob("test")


def test_the_ladder_follows_the_role_ranks(db):
    assert next_role_up(RoleKind.OPERATOR) == RoleKind.SUPERVISOR
    assert next_role_up(RoleKind.SUPERVISOR) == RoleKind.EXECUTIVE
    assert next_role_up(RoleKind.EXECUTIVE) is None
    assert next_role_up(RoleKind.THIRD_PARTY) == RoleKind.OPERATOR


def test_an_overdue_step_is_reminded_once_then_escalated(site_a, make_user):
    people = complaint_people(make_user)
    # Step 7 (the JFU's repair, 20 minutes) opened Monday 2 March 2026 09:00: due 09:20.
    run = start_run(COMPLAINT_SOP, CLI, site=site_a, at_step=7, now=at(2026, 3, 2, 9))
    step = run.current_step()
    assert overdue_pass(now=at(2026, 3, 2, 9, 15)).reminded == 0  # not due yet
    first = overdue_pass(now=at(2026, 3, 2, 9, 30))
    assert (first.reminded, first.escalated) == (1, 0)
    reminder = Message.objects.get()
    assert "pemeliharaan_portal_keluhan" in reminder.title and "jfu" in reminder.body
    assert list(reminder.audience_roles.values_list("kind", flat=True)) == [RoleKind.OPERATOR]
    # Still open, but less than a working hour past due: no escalation yet, and no second reminder.
    assert (overdue_pass(now=at(2026, 3, 2, 10)).reminded, Message.objects.count()) == (0, 1)
    second = overdue_pass(now=at(2026, 3, 2, 10, 30))
    assert (second.reminded, second.escalated) == (0, 1)
    escalation = Message.objects.exclude(pk=reminder.pk).get()
    assert list(escalation.audience_roles.values_list("kind", flat=True)) == [RoleKind.SUPERVISOR]
    step.refresh_from_db()
    assert step.escalated_to == RoleKind.SUPERVISOR and step.escalated_at == at(2026, 3, 2, 10, 30)
    assert step.reminded_at == at(2026, 3, 2, 9, 30)
    assert str(overdue_pass(now=at(2026, 3, 3, 12))) == "0 reminded, 0 escalated"
    assert Event.objects.filter(verb="sop.step_reminded", job="sop.overdue").count() == 1
    assert Event.objects.filter(verb="sop.step_escalated", job="sop.overdue").count() == 1
    # The supervisors now see the step among their tasks and may do it.
    assert can_act(people["kasi"], step) and step in open_tasks(people["kasi"])


def test_a_step_waiting_for_the_requester_is_not_reminded(org_a):
    run = start_run(REQUEST_SOP, CLI, organisation=org_a, at_step=7, now=at(2026, 3, 2, 10))
    pause_step(run.current_step(), CLI, now=at(2026, 3, 2, 10, 5))
    assert str(overdue_pass(now=at(2026, 4, 1, 10))) == "0 reminded, 0 escalated"
    assert not Message.objects.exists()


def test_a_step_without_time_standard_is_never_overdue(site_a):
    start_run(COMPLAINT_SOP, CLI, site=site_a, at_step=2, now=at(2026, 3, 2, 9))
    assert str(overdue_pass(now=at(2026, 6, 1, 9))) == "0 reminded, 0 escalated"
