"""The chain: the operator issues, the supervisor acknowledges and forwards, the executive acknowledges."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from jagaweb.activity.models import Event
from jagaweb.inventory.models import Site
from jagaweb.notify.models import Message
from jagaweb.people.choices import RoleKind
from jagaweb.reports.acknowledge import AcknowledgeError, acknowledge, may_acknowledge
from jagaweb.reports.choices import ReportKind, ReportState
from jagaweb.reports.documents import redraw
from jagaweb.reports.issue import issue_report
from jagaweb.reports.models import Report


@pytest.fixture
def report(tiny_report: None, site_a: Site, make_user: Callable[..., Any]) -> Report:
    operator = named(make_user(RoleKind.OPERATOR, username="operator"), "Sari", "Operator")
    return issue_report(ReportKind.MONTHLY, actor=operator, month=date(2026, 10, 1), language="en")


def named(user: Any, first: str, last: str) -> Any:
    user.first_name, user.last_name = first, last
    user.save()
    return user


def pdf_text(report: Report) -> str:
    with report.pdf.open("rb") as stored:
        return subprocess.run(["pdftotext", "-", "-"], input=stored.read(), capture_output=True,
                              check=True).stdout.decode()


@pytest.mark.django_db
def test_supervisor_then_executive_acknowledge_in_turn(report: Report, make_user: Callable[..., Any],
                                                       django_capture_on_commit_callbacks: Any) -> None:
    supervisor = named(make_user(RoleKind.SUPERVISOR, username="kasubag"), "Budi", "Santoso")
    executive = named(make_user(RoleKind.EXECUTIVE, username="sekretaris"), "Dewi", "Lestari")
    assert report.prepared_by_label == "Sari Operator"
    assert not may_acknowledge(report, executive)  # the supervisor reads it first
    assert may_acknowledge(report, supervisor)

    with django_capture_on_commit_callbacks() as callbacks:
        acknowledge(report, supervisor, "Sudah dibaca, diteruskan ke Sekretaris.")
    assert len(callbacks) == 1  # the PDF is drawn again by the worker
    assert report.state == ReportState.SUPERVISOR
    assert Message.objects.filter(title__startswith="Report to acknowledge").count() == 2  # supervisor, executive
    assert may_acknowledge(report, executive) and not may_acknowledge(report, supervisor)

    acknowledge(report, executive)
    report.refresh_from_db()
    assert report.state == ReportState.EXECUTIVE
    assert list(report.acknowledgements.values_list("user__username", "state")) == [
        ("kasubag", ReportState.SUPERVISOR), ("sekretaris", ReportState.EXECUTIVE)]
    assert Event.objects.filter(verb="reports.acknowledged").count() == 2

    redraw(report)
    text = pdf_text(report)
    assert "Budi Santoso" in text and "Dewi Lestari" in text and "Sudah dibaca" in text


@pytest.mark.django_db
def test_people_outside_the_chain_cannot_acknowledge(report: Report, make_user: Callable[..., Any]) -> None:
    operator = make_user(RoleKind.OPERATOR)
    with pytest.raises(AcknowledgeError, match="not waiting for your acknowledgement"):
        acknowledge(report, operator)
    supervisor = make_user(RoleKind.SUPERVISOR)
    acknowledge(report, supervisor)
    with pytest.raises(AcknowledgeError):
        acknowledge(report, supervisor)  # once is enough; the executive is next
    assert Report.objects.get(pk=report.pk).acknowledgements.count() == 1


@pytest.mark.django_db
def test_a_failed_report_waits_for_nobody(broken_report: None, site_a: Site, make_user: Callable[..., Any]) -> None:
    failed = issue_report(ReportKind.MONTHLY, actor=make_user(RoleKind.OPERATOR), month=date(2026, 10, 1))
    assert not may_acknowledge(failed, make_user(RoleKind.SUPERVISOR))
