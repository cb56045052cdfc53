"""The heartbeat check judges the last ping against the clock: on time, late within grace, missed, never."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from jagaweb.monitor.checks.heartbeat import DEFAULT_GRACE, HeartbeatCheck
from jagaweb.monitor.choices import Status
from tests.monitor.servers import run, spec_for

BEAT = HeartbeatCheck()
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


def judge(last_ping_at=None, *, config=None, interval=3600, facts=None):
    spec = spec_for(BEAT, "", site_url="https://portal.example.go.id/", config=config, interval=interval,
                    last_ping_at=last_ping_at, facts=facts or {})
    return run(BEAT, spec, now=NOW)


def test_ping_on_time_is_up():
    outcome = judge(NOW - timedelta(minutes=20))
    assert outcome.status == Status.UP
    assert outcome.message == "Last ping 20\xa0minutes ago."
    assert outcome.facts["age_seconds"] == 1200
    due = NOW - timedelta(minutes=20) + timedelta(seconds=3600 + DEFAULT_GRACE)
    assert outcome.facts["due_by"] == due.isoformat()


def test_late_within_grace_is_still_up():
    outcome = judge(NOW - timedelta(minutes=62), config={"grace_seconds": 600})
    assert outcome.status == Status.UP
    assert outcome.facts["late"] is True
    assert "2\xa0minutes late" in outcome.message


def test_missed_beyond_grace_is_down():
    outcome = judge(NOW - timedelta(minutes=71), config={"grace_seconds": 600})
    assert outcome.status == Status.DOWN
    assert outcome.message == "No ping for 1\xa0hour, 11\xa0minutes; expected every 1\xa0hour plus 10\xa0minutes grace."


def test_boundary_is_inclusive():
    assert judge(NOW - timedelta(seconds=3600 + 600), config={"grace_seconds": 600}).status == Status.UP
    assert judge(NOW - timedelta(seconds=3601 + 600), config={"grace_seconds": 600}).status == Status.DOWN


def test_period_separate_from_the_interval():
    """A daily job judged every minute: 25 hours without a ping is down, 23 hours is fine."""
    config = {"period_seconds": 86400, "grace_seconds": 1800}
    assert judge(NOW - timedelta(hours=23), config=config, interval=60).status == Status.UP
    assert judge(NOW - timedelta(hours=25), config=config, interval=60).status == Status.DOWN


def test_a_ping_from_the_future_counts_as_now():
    outcome = judge(NOW + timedelta(minutes=3))
    assert outcome.status == Status.UP and outcome.facts["age_seconds"] == 0


def test_waiting_for_the_first_ping_is_unknown_then_down():
    first = judge(None)
    assert first.status == Status.UNKNOWN
    assert first.message.startswith("Waiting for the first ping (expected by ")
    assert first.facts == {"waiting_since": NOW.isoformat()}
    still_waiting = judge(None, facts={"waiting_since": (NOW - timedelta(minutes=30)).isoformat()})
    assert still_waiting.status == Status.UNKNOWN
    assert still_waiting.facts["waiting_since"] == (NOW - timedelta(minutes=30)).isoformat()
    overdue = judge(None, facts={"waiting_since": (NOW - timedelta(hours=2)).isoformat()})
    assert overdue.status == Status.DOWN
    assert overdue.message.startswith("No ping received yet; expected every 1\xa0hour")


def test_reported_failure_stays_down_until_a_good_ping():
    last = NOW - timedelta(minutes=5)
    failed = judge(last, facts={"last_ping": last.isoformat(), "last_ping_failed": True})
    assert failed.status == Status.DOWN
    assert failed.message == "The job reported a failure 5\xa0minutes ago."
    assert failed.facts["last_ping_failed"] is True  # carried over for the next run
    good = judge(last, facts={"last_ping": last.isoformat(), "last_ping_failed": False})
    assert good.status == Status.UP
    older_failure = judge(last, facts={"last_ping": (last - timedelta(hours=1)).isoformat(), "last_ping_failed": True})
    assert older_failure.status == Status.UP


def test_each_heartbeat_has_its_own_host_key():
    spec = spec_for(BEAT, "", site_url="https://portal.example.go.id/")
    assert BEAT.host_key(spec) == "heartbeat:1"


def test_clean_config():
    assert BEAT.clean_config({}) == {"grace_seconds": DEFAULT_GRACE}
    assert BEAT.clean_config({"period_seconds": "86400", "grace_seconds": 0}) == {
        "period_seconds": 86400, "grace_seconds": 0}
    with pytest.raises(ValidationError) as caught:
        BEAT.clean_config({"period_seconds": 5, "grace_seconds": -1, "colour": "red"})
    assert caught.value.messages == [
        "Unknown option: colour.", "The period must be whole seconds, from 10 to 400 days.",
        "The grace must be whole seconds, from 0 to 400 days.",
    ]
