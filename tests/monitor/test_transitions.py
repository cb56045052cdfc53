"""The incident and notice rules, as pure functions: no database, no network."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from jagaweb.activity.choices import Severity
from jagaweb.monitor.checks.base import Notice
from jagaweb.monitor.choices import Status
from jagaweb.monitor.transitions import (
    NOTICE_MEMORY,
    Change,
    Streak,
    Thresholds,
    Verdict,
    advance,
    notices_to_send,
    verdict_of,
)

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


DEFAULT = Thresholds(3, 2)


def play(statuses: list[str], thresholds: Thresholds = DEFAULT) -> tuple[Streak, list[Change]]:
    streak, changes = Streak(), []
    for status in statuses:
        streak, change = advance(streak, status, thresholds)
        changes.append(change)
    return streak, changes


def test_verdicts():
    assert verdict_of(Status.DOWN) is Verdict.FAILURE
    assert verdict_of(Status.UP) is Verdict.SUCCESS
    assert verdict_of(Status.DEGRADED) is Verdict.SUCCESS
    assert verdict_of(Status.UNKNOWN) is Verdict.NEITHER


def test_incident_opens_on_the_nth_consecutive_failure_only():
    streak, changes = play([Status.DOWN, Status.DOWN])
    assert changes == [Change.NONE, Change.NONE] and not streak.incident_open
    streak, changes = play([Status.DOWN, Status.DOWN, Status.DOWN, Status.DOWN])
    assert changes == [Change.NONE, Change.NONE, Change.OPEN, Change.NONE]
    assert streak == Streak(failures=4, successes=0, incident_open=True)


def test_a_success_breaks_the_failure_streak():
    streak, changes = play([Status.DOWN, Status.DOWN, Status.UP, Status.DOWN, Status.DOWN])
    assert Change.OPEN not in changes and streak.failures == 2


def test_unknown_neither_counts_nor_breaks_a_streak():
    streak, changes = play([Status.DOWN, Status.UNKNOWN, Status.DOWN, Status.UNKNOWN, Status.DOWN])
    assert changes[-1] is Change.OPEN and streak.failures == 3
    streak, changes = play([Status.DOWN] * 3 + [Status.UP, Status.UNKNOWN, Status.DEGRADED])
    assert changes[-1] is Change.RESOLVE


def test_incident_resolves_after_m_successes_and_degraded_counts_as_success():
    streak, changes = play([Status.DOWN] * 3 + [Status.UP])
    assert streak.incident_open and changes[-1] is Change.NONE
    streak, changes = play([Status.DOWN] * 3 + [Status.UP, Status.DEGRADED, Status.UP])
    assert changes[3:] == [Change.NONE, Change.RESOLVE, Change.NONE]
    assert streak == Streak(failures=0, successes=3, incident_open=False)


def test_thresholds_of_one_open_and_resolve_at_once():
    _streak, changes = play([Status.DOWN, Status.UP, Status.DOWN], Thresholds(1, 1))
    assert changes == [Change.OPEN, Change.RESOLVE, Change.OPEN]


def test_thresholds_from_a_profile():
    assert Thresholds.of(None, None) == Thresholds(3, 2)
    assert Thresholds.of(0, 0) == Thresholds(1, 1)  # zero would never wait: at least one run
    assert Thresholds.of(5, 4) == Thresholds(5, 4)


def notice(key: str) -> Notice:
    return Notice(key=key, verb="monitor.test_notice", severity=Severity.WARNING, data={})


def test_a_notice_is_sent_once_per_key():
    sent, fresh = notices_to_send({}, [notice("cert:30")], Status.DEGRADED, NOW)
    assert [n.key for n in fresh] == ["cert:30"] and sent == {"cert:30": NOW.isoformat()}
    later = NOW + timedelta(hours=1)
    sent2, fresh = notices_to_send(sent, [notice("cert:30")], Status.DEGRADED, later)
    assert fresh == [] and sent2 == sent
    sent3, fresh = notices_to_send(sent2, [notice("cert:30"), notice("cert:14")], Status.DEGRADED, later)
    assert [n.key for n in fresh] == ["cert:14"] and set(sent3) == {"cert:30", "cert:14"}


def test_keys_no_longer_raised_are_forgotten_only_after_the_memory():
    sent = {"stale:2026-10-01": NOW.isoformat()}
    kept, _ = notices_to_send(sent, [], Status.UP, NOW + timedelta(days=1))
    assert kept == sent, "one run without the notice must not make it fire again"
    kept, _ = notices_to_send(sent, [], Status.UP, NOW + NOTICE_MEMORY + timedelta(seconds=1))
    assert kept == {}
    kept, _ = notices_to_send(sent, [], Status.UNKNOWN, NOW + NOTICE_MEMORY * 2)
    assert kept == sent, "a run that could not judge forgets nothing"
    kept, _ = notices_to_send(sent, [notice("stale:2026-10-01")], Status.DEGRADED, NOW + NOTICE_MEMORY * 2)
    assert kept == sent, "a key still raised is kept however old"


def test_unreadable_sent_entries_are_dropped():
    kept, fresh = notices_to_send({"x": "not a date"}, [], Status.UP, NOW)
    assert kept == {} and fresh == []
