"""Reminders at 60/30/14/7/1 days before a period ends and once when it has ended: each sent once per period,
only the tightest when several are reached at once, and a recorded renewal starts the series again."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from jagaweb.activity.choices import Severity
from jagaweb.activity.models import Event
from jagaweb.jobs.registry import JOBS
from jagaweb.notify.models import Channel, Delivery, Message
from jagaweb.people.choices import RoleKind
from jagaweb.renewals import verbs
from jagaweb.renewals.models import Reminder
from jagaweb.renewals.operations import RenewalInput, record_renewal
from jagaweb.renewals.reminders import ENDED, THRESHOLDS, send_reminders, threshold_for

END = date(2026, 7, 1)


def day(days_before_end: int) -> date:
    return END - timedelta(days=days_before_end)


def test_threshold_for():
    assert THRESHOLDS == (60, 30, 14, 7, 1)
    assert threshold_for(61) is None
    assert threshold_for(60) == 60 and threshold_for(31) == 60
    assert threshold_for(30) == 30 and threshold_for(8) == 14 and threshold_for(5) == 7
    assert threshold_for(1) == 1 and threshold_for(0) == ENDED and threshold_for(-40) == ENDED


def test_each_threshold_is_sent_once(site_a, make_service):
    service = make_service(site=site_a, name="Hosting portal", identifier="paket-gold")
    sent_per_day = {}
    for days_before in range(70, -6, -1):  # every day from 70 days before the end to 5 days after
        sent_per_day[days_before] = [r.threshold for r in send_reminders(day(days_before))]
        assert send_reminders(day(days_before)) == []  # a second run the same day sends nothing
    sent = {days: thresholds for days, thresholds in sent_per_day.items() if thresholds}
    assert sent == {60: [60], 30: [30], 14: [14], 7: [7], 1: [1], 0: [ENDED]}
    messages = list(Message.objects.order_by("pk"))
    assert len(messages) == 6
    assert messages[0].title == "Hosting portal (paket-gold) ends in 60 days, on 2026-07-01"
    assert messages[5].title == "Hosting portal (paket-gold) ended on 2026-07-01 and has not been renewed"
    assert [m.severity for m in messages] == [Severity.INFO, Severity.WARNING, Severity.WARNING, Severity.CRITICAL,
                                              Severity.CRITICAL, Severity.CRITICAL]
    assert all(m.site == site_a and m.organisation == site_a.organisation for m in messages)
    assert "http" in messages[0].body and f"/renewals/{service.pk}/" in messages[0].body
    assert {role.kind for role in messages[0].audience_roles.all()} == {RoleKind.OPERATOR, RoleKind.SUPERVISOR}
    assert Event.objects.filter(verb=verbs.REMINDED, target_id=str(service.pk)).count() == 5
    ended = Event.objects.get(verb=verbs.ENDED)
    assert ended.job == "renewals.remind" and ended.data["period_end"] == "2026-07-01"


def test_only_the_tightest_threshold_reached_is_sent(site_a, make_service):
    make_service(site=site_a)
    assert [r.threshold for r in send_reminders(day(5))] == [7]  # first seen 5 days before: not 60, 30, 14 too
    assert send_reminders(day(4)) == [] and send_reminders(day(2)) == []
    assert [r.threshold for r in send_reminders(day(1))] == [1]
    assert Message.objects.count() == 2


def test_a_recorded_renewal_starts_the_series_again(site_a, make_service, operator, invoice_pdf):
    service = make_service(site=site_a)
    assert [r.threshold for r in send_reminders(day(7))] == [7]
    record_renewal(service, operator, RenewalInput(period_start=END, period_end=date(2027, 7, 1),
                                                   invoice=invoice_pdf))
    assert send_reminders(day(1)) == []  # the old period's 1-day reminder no longer applies
    new_end = date(2027, 7, 1)
    assert [r.threshold for r in send_reminders(new_end - timedelta(days=60))] == [60]
    assert [r.threshold for r in send_reminders(new_end - timedelta(days=7))] == [7]
    assert list(Reminder.objects.filter(service=service).order_by("pk").values_list("period_end", "threshold")) == [
        (END, 7), (new_end, 60), (new_end, 7)]


def test_services_not_in_use_get_no_reminders_and_auto_renewals_are_informational(org_a, site_a, make_service):
    make_service(site=site_a, is_active=False)
    assert send_reminders(day(7)) == []
    make_service(organisation=org_a, name="Sewa jaringan", kind="connection", auto_renew=True)
    [reminder] = send_reminders(day(7))
    message = Message.objects.get()
    assert message.severity == Severity.INFO and message.site is None and message.organisation == org_a
    assert reminder.days_left == 7


def test_reminders_reach_matching_channels(site_a, make_service):
    channel = Channel.objects.create(name="Grup Admin", kind="webhook", config={"url": "https://hooks.example/x"})
    make_service(site=site_a)
    send_reminders(day(14))
    assert Delivery.objects.get().channel == channel


def test_the_daily_job(site_a, make_service):
    job = JOBS["renewals.remind"]
    assert job.every == timedelta(days=1) and not job.per_site
    make_service(site=site_a, period_end=timezone.localdate() + timedelta(days=14))
    assert job.call(None) == "1 reminders sent"
    assert job.call(None) == "0 reminders sent"
