"""Scheduled reports: which slot is due, issuing it once, and delivery as a PDF attachment by e-mail."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from jagaweb.inventory.models import Site
from jagaweb.notify.choices import DeliveryStatus
from jagaweb.notify.models import Channel
from jagaweb.reports.choices import Cadence, ReportKind, ReportState
from jagaweb.reports.models import Report, ReportSchedule
from jagaweb.reports.schedules import due_slot, issue_due, latest_slot
from tests.notify.receiver import SmtpServer

JAKARTA = ZoneInfo("Asia/Jakarta")


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=JAKARTA)


def schedule(kind: str, cadence: str, created: datetime, **fields: Any) -> ReportSchedule:
    made = ReportSchedule.objects.create(name=f"{kind} {cadence}", kind=kind, cadence=cadence, language="en",
                                         **fields)
    ReportSchedule.objects.filter(pk=made.pk).update(created_at=created)
    made.refresh_from_db()
    return made


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.mark.django_db
def test_slots_follow_the_cadence_and_the_hour() -> None:
    daily = schedule(ReportKind.DAILY_LOG, Cadence.DAILY, at(2026, 1, 1))
    weekly = schedule(ReportKind.SITUATION, Cadence.WEEKLY, at(2026, 1, 1))
    monthly = schedule(ReportKind.MONTHLY, Cadence.MONTHLY, at(2026, 1, 1))
    assert latest_slot(daily, at(2026, 11, 21, 6, 59)) == date(2026, 11, 20)  # before 07:00: yesterday's slot
    assert latest_slot(daily, at(2026, 11, 21, 7, 0)) == date(2026, 11, 21)
    assert latest_slot(weekly, at(2026, 11, 21, 9)) == date(2026, 11, 16)  # the Monday
    assert latest_slot(monthly, at(2026, 11, 21, 9)) == date(2026, 11, 1)
    assert latest_slot(monthly, at(2026, 11, 1, 6)) == date(2026, 10, 1)


@pytest.mark.django_db
def test_a_new_schedule_does_not_issue_a_slot_from_before_it_existed() -> None:
    monthly = schedule(ReportKind.MONTHLY, Cadence.MONTHLY, at(2026, 11, 15))
    assert due_slot(monthly, at(2026, 11, 21, 9)) is None
    assert due_slot(monthly, at(2026, 12, 1, 7, 5)) == date(2026, 12, 1)


@pytest.mark.django_db
def test_each_slot_is_issued_once_and_covers_the_period_before_it(tiny_report: None, site_a: Site) -> None:
    monthly = schedule(ReportKind.MONTHLY, Cadence.MONTHLY, at(2026, 10, 20))
    daily = schedule(ReportKind.DAILY_LOG, Cadence.DAILY, at(2026, 10, 20))
    now = at(2026, 11, 1, 7, 30)

    issued = issue_due(now)
    assert {report.kind for report in issued} == {ReportKind.MONTHLY, ReportKind.DAILY_LOG}
    assert issue_due(now + timedelta(minutes=10)) == []  # the next run of the job finds nothing due
    month = Report.objects.get(schedule=monthly)
    assert (month.slot, month.state, month.prepared_by_label) == (date(2026, 11, 1), ReportState.ISSUED,
                                                                  "sistem:reports.issue_scheduled")
    assert month.period_start == at(2026, 10, 1) and month.period_end == at(2026, 11, 1)
    log = Report.objects.get(schedule=daily)
    assert log.period_start == at(2026, 10, 31) and log.period_end == at(2026, 11, 1)


@pytest.mark.django_db
def test_a_slot_taken_by_another_worker_is_skipped(tiny_report: None, site_a: Site) -> None:
    monthly = schedule(ReportKind.MONTHLY, Cadence.MONTHLY, at(2026, 10, 20))
    now = at(2026, 11, 1, 8)
    # What a second worker sees when the first one has just claimed the slot: the unique row is there.
    from jagaweb.reports.schedules import issue_slot

    first = issue_slot(monthly, date(2026, 11, 1), now)
    assert first is not None and first.state == ReportState.ISSUED
    assert issue_slot(monthly, date(2026, 11, 1), now) is None
    assert Report.objects.filter(schedule=monthly).count() == 1


@pytest.mark.django_db
def test_a_scheduled_report_reaches_the_smtp_server_as_a_pdf_attachment(
    tiny_report: None, site_a: Site, smtp_server: SmtpServer, settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                                  "QUEUES": ["default", "notify"]}}
    channel = Channel(name="Kepala Dinas", kind="email", allow_private=True, config={
        "recipients": ["kadis@kominfo.go.id"], "smtp_host": "127.0.0.1", "smtp_port": smtp_server.port,
        "smtp_security": "none", "from_email": "jagaweb@kominfo.go.id"})
    channel.save()
    monthly = schedule(ReportKind.MONTHLY, Cadence.MONTHLY, at(2026, 10, 20))
    monthly.channels.set([channel])

    with django_capture_on_commit_callbacks(execute=True):
        [report] = issue_due(at(2026, 11, 1, 7, 30))

    message = report_message(report)
    assert message.deliveries.get().status == DeliveryStatus.SENT
    # The channel hears both the report and the request to acknowledge it (it is not limited to a role).
    [mail] = [mail for mail in smtp_server.mailbox.messages if mail.is_multipart()]
    assert mail["Subject"] == f"[Info] {report.title}"
    attachments = [part for part in mail.walk() if part.get_filename()]
    assert [part.get_filename() for part in attachments] == [f"{report.number.replace('/', '-')}.pdf"]
    assert attachments[0].get_content_type() == "application/pdf"
    with report.pdf.open("rb") as stored:
        assert attachments[0].get_payload(decode=True) == stored.read()


def report_message(report: Report) -> Any:
    from jagaweb.notify.models import Message

    return Message.objects.get(title=report.title, kind="report", attachment_name__endswith=".pdf")
