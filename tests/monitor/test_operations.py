"""Monitoring operations: spec_for, run_now, acknowledging, baselines, heartbeat pings, first-run spreading,
and the `jagaweb monitor` command."""

from __future__ import annotations

import random
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from jagaweb.activity.log import SystemJob
from jagaweb.activity.models import Event
from jagaweb.monitor import verbs
from jagaweb.monitor.choices import CheckKind, IncidentState, Status
from jagaweb.monitor.models import Check, Incident, MonitorProfile, Result
from jagaweb.monitor.operations import (
    FIRST_RUN_SPREAD,
    accept_baseline,
    acknowledge_incident,
    record_ping,
    run_now,
    schedule_new,
    spec_for,
)
from jagaweb.people.choices import RoleKind
from tests.monitor.servers import WebServer
from tests.monitor.test_engine import ProbeKind, kinds  # noqa: F401  (the fixture)


@pytest.fixture
def web():
    with WebServer() as server:
        server.route("/", "<h1>Portal</h1>")
        yield server


def test_spec_for_defaults_the_target_and_takes_the_profile(site_a):
    check = Check.objects.create(site=site_a, kind=CheckKind.HTTP, config={"method": "GET"}, interval=120)
    spec = spec_for(check)
    assert spec.target == site_a.url and spec.site_name == site_a.name and spec.interval == 120
    assert spec.stale_after_days == 14
    MonitorProfile.objects.create(site=site_a, stale_after_days=30)
    check.refresh_from_db()
    assert spec_for(Check.objects.get(pk=check.pk)).stale_after_days == 30
    tls = Check.objects.create(site=site_a, kind=CheckKind.TLS)
    assert spec_for(tls).target == "127.0.0.1:443", "the kind decides what its target is (a host:port for TLS)"


def test_run_now_stores_the_run_like_the_engine_and_records_who(site_a, web, operator):
    check = Check.objects.create(site=site_a, kind=CheckKind.HTTP, target=web.url("/"), allow_private=True)
    outcome = run_now(check, operator)
    assert outcome.status == Status.UP
    assert check.status == Status.UP and check.consecutive_successes == 1 and check.last_checked_at is not None
    assert Result.objects.get(check_ref=check).status == Status.UP
    event = Event.objects.get(verb=verbs.CHECK_RUN)
    assert event.actor == operator and event.data["status"] == Status.UP


def test_run_now_goes_through_the_incident_rules(site_a, operator, kinds):  # noqa: F811
    MonitorProfile.objects.create(site=site_a, failures_to_open=2)
    check = Check.objects.create(site=site_a, kind=CheckKind.TCP, target="probe")
    kinds(CheckKind.TCP, ProbeKind({check.pk: Status.DOWN}))
    run_now(check, operator)
    assert not Incident.objects.exists()
    run_now(check, operator)
    assert Incident.objects.get().state == IncidentState.OPEN


def test_acknowledge_once(site_a, operator, make_user):
    check = Check.objects.create(site=site_a, kind=CheckKind.HTTP)
    incident = Incident.objects.create(site=site_a, check_ref=check, opened_at=timezone.now(), cause="HTTP 500")
    assert acknowledge_incident(incident, operator)
    assert incident.acknowledged_by == operator and incident.acknowledged_at is not None
    other = make_user(RoleKind.OPERATOR)
    assert not acknowledge_incident(incident, other)
    incident.refresh_from_db()
    assert incident.acknowledged_by == operator
    assert Event.objects.filter(verb=verbs.INCIDENT_ACKNOWLEDGED).count() == 1


def test_accept_baseline_takes_what_the_check_sees_now(site_a, operator, kinds):  # noqa: F811
    check = Check.objects.create(site=site_a, kind=CheckKind.TCP, target="probe", baseline={"a": ["10.9.9.9"]},
                                 notices_sent={"dns_changed:x": timezone.now().isoformat()})
    kinds(CheckKind.TCP, ProbeKind({check.pk: "baseline"}))
    accept_baseline(check, operator)
    check.refresh_from_db()
    assert check.baseline == {"a": ["10.0.0.1"]} and check.notices_sent == {}
    event = Event.objects.get(verb=verbs.BASELINE_ACCEPTED)
    assert event.data["previous"] == {"a": ["10.9.9.9"]} and event.data["baseline"] == {"a": ["10.0.0.1"]}


def test_heartbeat_pings_count_as_runs(site_a):
    MonitorProfile.objects.create(site=site_a, failures_to_open=1, successes_to_resolve=1)
    check = Check.objects.create(site=site_a, kind=CheckKind.HEARTBEAT, interval=3600)
    assert record_ping("no-such-token") is None
    assert record_ping(check.token, failed=True).pk == check.pk
    check.refresh_from_db()
    assert check.status == Status.DOWN and check.last_ping_at is not None
    assert Incident.objects.get().state == IncidentState.OPEN
    # the heartbeat kind's own run sees the reported failure and stays DOWN until a good ping
    run_now(check, SystemJob("test"))
    check.refresh_from_db()
    assert check.status == Status.DOWN
    record_ping(check.token)
    check.refresh_from_db()
    assert check.status == Status.UP and Incident.objects.get().state == IncidentState.RESOLVED
    run_now(check, SystemJob("test"))
    assert Check.objects.get(pk=check.pk).status == Status.UP
    Check.objects.filter(pk=check.pk).update(is_active=False)
    assert record_ping(check.token) is None, "a paused heartbeat takes no pings"


def test_schedule_new_spreads_first_runs(site_a):
    now = timezone.now()
    rng = random.Random(3)
    minute_checks = [Check(site=site_a, kind=CheckKind.HTTP, interval=60) for _ in range(200)]
    for check in minute_checks:
        schedule_new(check, now, rng)
    offsets = [(c.next_due_at - now).total_seconds() for c in minute_checks]
    assert min(offsets) >= 0 and max(offsets) <= 60 and max(offsets) - min(offsets) > 50
    daily = Check.objects.create(site=site_a, kind=CheckKind.DOMAIN, interval=86400)
    schedule_new(daily, now, rng)
    assert now <= Check.objects.get(pk=daily.pk).next_due_at <= now + FIRST_RUN_SPREAD


def test_monitor_command_once_and_check(transactional_db, site_a, web):
    check = Check.objects.create(site=site_a, kind=CheckKind.HTTP, target=web.url("/"), allow_private=True,
                                 next_due_at=timezone.now() - timedelta(seconds=1))
    out = StringIO()
    call_command("monitor", "--once", stdout=out)
    assert out.getvalue().strip() == "1 check(s) run"
    out = StringIO()
    call_command("monitor", "check", str(check.pk), stdout=out)
    assert "up" in out.getvalue() and "status_code: 200" in out.getvalue()
    assert Result.objects.filter(check_ref=check).count() == 2
