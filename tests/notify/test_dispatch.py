"""Routing, deliveries, retries through the periodic job, and what the activity log records."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from jagaweb.activity.models import Event
from jagaweb.inventory.models import Organisation
from jagaweb.jobs.registry import JOBS
from jagaweb.notify.choices import DeliveryStatus, MessageKind
from jagaweb.notify.dispatch import MAX_ATTEMPTS, deliver, notify, send_test
from jagaweb.notify.jobs import retry_deliveries
from jagaweb.notify.models import Delivery, DeliveryAttempt, Message
from jagaweb.people.choices import RoleKind
from jagaweb.people.models import Role


def later(minutes: int) -> timezone.datetime:
    return timezone.now() + timedelta(minutes=minutes)


def hook(make_channel, receiver, **fields):
    fields.setdefault("allow_private", True)
    return make_channel("webhook", {"url": receiver.url + "/hook"}, **fields)


def routed(message: Message) -> set[str]:
    return set(message.deliveries.values_list("channel_name", flat=True))


def test_routing_by_severity(make_channel, receiver):
    hook(make_channel, receiver, name="all", min_severity="info")
    hook(make_channel, receiver, name="warn", min_severity="warning")
    hook(make_channel, receiver, name="crit", min_severity="critical")
    hook(make_channel, receiver, name="off", enabled=False)
    assert routed(notify("a", severity="info")) == {"all"}
    assert routed(notify("b", severity="warning")) == {"all", "warn"}
    assert routed(notify("c", severity="critical")) == {"all", "warn", "crit"}


def test_routing_by_role(make_channel, receiver):
    operators = Role.objects.get(kind=RoleKind.OPERATOR)
    executives = Role.objects.get(kind=RoleKind.EXECUTIVE)
    hook(make_channel, receiver, name="anyone")
    hook(make_channel, receiver, name="ops").roles.set([operators])
    hook(make_channel, receiver, name="execs").roles.set([executives])
    assert routed(notify("to all")) == {"anyone", "ops", "execs"}
    assert routed(notify("to ops", audience=[operators])) == {"anyone", "ops"}
    assert routed(notify("to execs by kind", audience=[RoleKind.EXECUTIVE])) == {"anyone", "execs"}
    message = notify("both", audience=[RoleKind.EXECUTIVE, operators])
    assert routed(message) == {"anyone", "ops", "execs"}
    assert set(message.audience_roles.all()) == {operators, executives}


def test_routing_by_organisation_includes_units(make_channel, receiver, site_a, site_b, org_a):
    unit = Organisation.objects.create(name="Bidang Aplikasi", code="aptika", parent=org_a)
    unit_site = unit.sites.create(slug="aptika", name="Aptika", url="https://aptika.example.go.id/")
    hook(make_channel, receiver, name="everyone")
    hook(make_channel, receiver, name="kominfo").organisations.set([org_a])
    hook(make_channel, receiver, name="unit").organisations.set([unit])
    assert routed(notify("a", site=site_a)) == {"everyone", "kominfo"}
    assert routed(notify("b", site=site_b)) == {"everyone"}
    assert routed(notify("c", site=unit_site)) == {"everyone", "kominfo", "unit"}
    assert routed(notify("no site")) == {"everyone"}
    assert notify("org only", organisation=org_a).organisation == org_a


def test_notify_enqueues_after_commit_and_delivers(webhook_channel, receiver, site_a, immediate_tasks,
                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = notify("Situs lambat", "5 detik", severity="warning", site=site_a)
    assert receiver.requests == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    assert receiver.requests[0].json()["title"] == "Situs lambat"
    delivery = message.deliveries.get()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (DeliveryStatus.SENT, 1, None)
    event = Event.objects.get(verb="notify.message_sent")
    assert (event.site, event.job, event.target_label) == (site_a, "notify", "Situs lambat")
    assert "Webhook" in event.message


def test_failed_delivery_is_retried_by_the_periodic_job(webhook_channel, receiver):
    receiver.answer(500, "boom")
    message = notify("Down", severity="critical")
    delivery = message.deliveries.get()
    assert deliver(delivery) is False
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.RETRYING
    assert later(0) < delivery.next_attempt_at <= later(1)
    assert "HTTP 500 boom" in delivery.last_error
    assert retry_deliveries() == "0 due, 0 sent, 0 given up"  # not due yet
    assert retry_deliveries(now=later(2)) == "1 due, 1 sent, 0 given up"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
    assert list(delivery.attempt_log.values_list("ok", flat=True)) == [False, True]
    assert len(receiver.requests) == 2


def test_gives_up_after_five_attempts_with_backoff_and_records_it(webhook_channel, receiver, site_a):
    receiver.default.status = 500
    delivery = notify("Down", severity="critical", site=site_a).deliveries.get()
    deliver(delivery)
    waits = []
    for _ in range(MAX_ATTEMPTS - 1):
        delivery.refresh_from_db()
        waits.append(round((delivery.next_attempt_at - timezone.now()).total_seconds() / 60))
        retry_deliveries(now=later(24 * 60))
    assert waits == [1, 5, 15, 60]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (DeliveryStatus.FAILED, 5, None)
    assert DeliveryAttempt.objects.filter(delivery=delivery, ok=False).count() == MAX_ATTEMPTS
    assert retry_deliveries(now=later(48 * 60)).startswith("0 due")
    assert len(receiver.requests) == MAX_ATTEMPTS
    event = Event.objects.get(verb="notify.delivery_failed")
    assert (event.severity, event.site, event.data["attempts"]) == ("warning", site_a, 5)
    assert "HTTP 500" in event.data["error"]


def test_private_target_fails_without_leaking_and_is_retried(make_channel, receiver):
    make_channel("webhook", {"url": receiver.url + "/hook"}, name="local")
    delivery = notify("x", severity="critical").deliveries.get()
    deliver(delivery)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.RETRYING
    assert "loopback addresses are not allowed" in delivery.last_error
    assert receiver.requests == []


def test_an_attempt_is_made_only_once(webhook_channel, receiver):
    delivery = notify("x").deliveries.get()
    stale = Delivery.objects.get(pk=delivery.pk)
    assert deliver(delivery) is True
    assert deliver(stale) is True  # already sent: no second request
    assert len(receiver.requests) == 1


def test_deleted_or_disabled_channel_fails_at_once(webhook_channel, receiver):
    delivery = notify("x").deliveries.get()
    webhook_channel.enabled = False
    webhook_channel.save()
    delivery.refresh_from_db()
    deliver(delivery)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_error) == (DeliveryStatus.FAILED, "The channel is disabled.")
    second = notify("y", organisation=None)
    assert not second.deliveries.exists()  # disabled channels get nothing new


def test_pending_delivery_whose_task_was_lost_is_picked_up(webhook_channel, receiver):
    delivery = notify("lost").deliveries.get()  # the on-commit enqueue never ran in this test
    assert retry_deliveries().startswith("0 due")
    assert retry_deliveries(now=later(3)) == "1 due, 1 sent, 0 given up"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT


def test_send_test_records_the_person(webhook_channel, receiver, operator):
    delivery = send_test(webhook_channel, operator)
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.message.kind == MessageKind.TEST
    event = Event.objects.get(verb="notify.test_sent")
    assert (event.actor, event.data["ok"]) == (operator, True)
    assert not Event.objects.filter(verb="notify.message_sent").exists()


def test_failed_test_send_is_not_retried(webhook_channel, receiver, operator):
    receiver.answer(503)
    delivery = send_test(webhook_channel, operator)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    event = Event.objects.get(verb="notify.test_sent")
    assert event.data["ok"] is False and "HTTP 503" in event.data["result"]


def test_the_retry_job_is_declared():
    job = JOBS["notify.retry_deliveries"]
    assert job.every == timedelta(minutes=1)
    assert not job.per_site
    assert job.function is retry_deliveries


@pytest.mark.parametrize("severity", ["info", "warning", "critical"])
def test_message_fields(severity, site_a):
    message = notify("t" * 250, "body", severity=severity, site=site_a, kind=MessageKind.REPORT)
    assert (len(message.title), message.organisation, message.kind) == (200, site_a.organisation, "report")


@pytest.mark.django_db(transaction=True)
def test_the_database_queue_and_worker_deliver(make_channel, receiver):
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    make_channel("webhook", {"url": receiver.url + "/hook"}, allow_private=True)
    message = notify("Lewat antrean", severity="warning")
    task = DBTaskResult.objects.get()
    assert (task.queue_name, task.args_kwargs["args"]) == ("notify", [message.deliveries.get().pk])
    call_command("db_worker", "--batch", "--queue-name", "notify", "--no-reload", verbosity=0)
    assert receiver.requests[0].json()["title"] == "Lewat antrean"
    assert message.deliveries.get().status == DeliveryStatus.SENT
