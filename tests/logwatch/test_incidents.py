"""Findings grouped per client into incidents; activity entries; alerts through notify with the hourly limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from jagaweb.activity.models import Event
from jagaweb.logwatch import incidents as incident_rules
from jagaweb.logwatch.detect import FINDING_SCHEMA
from jagaweb.logwatch.incidents import close_quiet, record_findings, send_alerts
from jagaweb.logwatch.ingest import ingest_site
from jagaweb.logwatch.models import Incident, IncidentState, LogFinding, WatchState
from jagaweb.logwatch.operations import LogwatchError, close_incident
from jagaweb.notify.models import Message
from tests.logwatch.test_ingest_support import BASE, combined, logged_site, text

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 13, 2, 0, tzinfo=UTC)


def frame(rows: list[tuple[str, datetime, str, str, str]]) -> pl.DataFrame:
    """Findings as detection hands them over: (ip, time, category, rule, severity) each."""
    return pl.DataFrame({
        "file": ["/var/log/nginx/access.log"] * len(rows), "line": list(range(1, len(rows) + 1)),
        "ip": [row[0] for row in rows], "time": [row[1] for row in rows], "category": [row[2] for row in rows],
        "rule": [row[3] for row in rows], "severity": [row[4] for row in rows],
        "request": [f"GET /x?{index} HTTP/1.1" for index in range(len(rows))], "detail": [""] * len(rows),
    }, schema=FINDING_SCHEMA)


@pytest.fixture
def site(org_a, tmp_path):
    site = logged_site(org_a, [tmp_path / "access.log"])
    WatchState.objects.create(site=site)
    return site


def alerts(site):
    return list(Message.objects.filter(site=site).order_by("pk").values_list("title", flat=True))


def test_one_incident_per_client_until_it_goes_quiet(site):
    result = record_findings(site, frame([
        ("45.13.7.7", T0, "sqli", "union-select", "high"),
        ("45.13.7.7", T0 + timedelta(hours=1), "xss", "script-tag", "medium"),
        ("45.13.7.7", T0 + timedelta(hours=8), "scanner", "sqlmap", "medium"),  # quiet for 7 h before this
        ("103.1.1.1", T0 + timedelta(minutes=5), "sensitive-file", "dotenv", "high"),
    ]))
    assert (result.findings, result.stored, result.opened) == (4, 4, 3)
    first, later = Incident.objects.filter(ip="45.13.7.7").order_by("first_seen")
    assert (first.state, first.finding_count, first.categories, first.severity) == (
        IncidentState.CLOSED, 2, {"sqli": 1, "xss": 1}, "high")
    assert first.closed_at == T0 + timedelta(hours=7)  # its last finding plus the quiet time
    assert (later.state, later.finding_count, later.severity) == (IncidentState.OPEN, 1, "medium")
    assert LogFinding.objects.filter(incident=first).count() == 2
    other = Incident.objects.get(ip="103.1.1.1")
    assert other.rules == {"dotenv": 1} and other.state == IncidentState.OPEN


def test_a_client_back_after_a_quiet_spell_in_a_later_run_opens_a_new_incident(site):
    record_findings(site, frame([("45.13.7.7", T0, "sqli", "union-select", "high")]))
    result = record_findings(site, frame([("45.13.7.7", T0 + timedelta(hours=7), "sqli", "union-select", "high"),
                                          ("45.13.7.7", T0 + timedelta(hours=14), "xss", "script-tag", "medium")]))
    assert result.opened == 2
    states = list(Incident.objects.order_by("first_seen").values_list("state", "finding_count", "closed_at"))
    assert states == [(IncidentState.CLOSED, 1, T0 + timedelta(hours=6)),
                      (IncidentState.CLOSED, 1, T0 + timedelta(hours=13)), (IncidentState.OPEN, 1, None)]


def test_findings_of_later_runs_join_the_open_incident_and_raise_it(site):
    record_findings(site, frame([("45.13.7.7", T0, "probing", "admin-path", "low")]))
    assert not Event.objects.filter(verb__startswith="logwatch.").exists()  # low: not for the activity log
    record_findings(site, frame([("45.13.7.7", T0 + timedelta(minutes=3), "sqli", "union-select", "high")]))
    record_findings(site, frame([("45.13.7.7", T0 + timedelta(minutes=9), "rce", "shellshock", "critical")]))
    incident = Incident.objects.get()
    assert (incident.finding_count, incident.severity, incident.first_seen) == (3, "critical", T0)
    events = list(Event.objects.filter(verb__startswith="logwatch.").order_by("pk"))
    assert [(event.verb, event.severity, event.job) for event in events] == [
        ("logwatch.incident_opened", "critical", "logwatch.ingest"),
        ("logwatch.incident_escalated", "critical", "logwatch.ingest")]
    assert events[0].data["ip"] == "45.13.7.7" and events[0].data["summary"] == "probing 1, sqli 1"


def test_stored_findings_are_capped_but_all_counted(site, monkeypatch):
    monkeypatch.setattr(incident_rules, "MAX_STORED_FINDINGS", 3)
    rows = [("45.13.7.7", T0 + timedelta(seconds=second), "sqli", "union-select", "high") for second in range(5)]
    record_findings(site, frame(rows))
    record_findings(site, frame(rows))
    incident = Incident.objects.get()
    assert (incident.finding_count, incident.stored_findings, LogFinding.objects.count()) == (10, 3, 3)


def test_alert_when_opened_and_when_severity_rises(site):
    state = WatchState.objects.get(site=site)
    touched = record_findings(site, frame([("45.13.7.7", T0, "xss", "script-tag", "medium")])).touched
    assert send_alerts(site, touched, state, T0) == 1
    touched = record_findings(site, frame([("45.13.7.7", T0, "xss", "script-tag", "medium")])).touched
    assert send_alerts(site, touched, state, T0) == 0  # the same severity again: no news
    touched = record_findings(site, frame([("45.13.7.7", T0, "sqli", "union-select", "high")])).touched
    assert send_alerts(site, touched, state, T0) == 1
    touched = record_findings(site, frame([("9.9.9.9", T0, "probing", "admin-path", "low")])).touched
    assert send_alerts(site, touched, state, T0) == 0  # below the alert threshold
    titles = alerts(site)
    assert len(titles) == 2
    assert "45.13.7.7" in titles[0] and "Portal portal" in titles[0]
    assert "is now high" in titles[1]
    message = Message.objects.filter(site=site).order_by("pk").last()
    assert message.severity == "critical" and "/logwatch/incidents/" in message.body


def test_alerts_are_limited_per_site_and_hour_and_the_rest_summarised(site):
    state = WatchState.objects.get(site=site)
    many = frame([(f"45.13.7.{number}", T0, "sqli", "union-select", "high") for number in range(8)])
    assert send_alerts(site, record_findings(site, many).touched, state, T0) == 5
    titles = alerts(site)
    assert len(titles) == 5 and "4 incidents" in titles[-1] and "alert limit" in titles[-1]
    assert Message.objects.filter(site=site).order_by("pk").last().body.count("45.13.7.") == 4
    # within the hour: new incidents wait, nothing is sent
    later = frame([("103.9.9.1", T0, "rce", "shellshock", "critical"), ("103.9.9.2", T0, "xss", "svg", "high")])
    assert send_alerts(site, record_findings(site, later).touched, state, T0 + timedelta(minutes=30)) == 0
    assert set(Incident.objects.filter(alert_pending=True).values_list("ip", flat=True)) == {"103.9.9.1", "103.9.9.2"}
    # an hour after the first alerts the waiting ones go out
    assert send_alerts(site, [], state, T0 + timedelta(minutes=61)) == 2
    assert len(alerts(site)) == 7 and not Incident.objects.filter(alert_pending=True).exists()
    assert all(incident.alerted_severity == incident.severity for incident in Incident.objects.all())


def test_quiet_incidents_close_by_the_clock(site):
    record_findings(site, frame([("45.13.7.7", T0, "sqli", "union-select", "high"),
                                 ("103.1.1.1", T0 + timedelta(hours=5), "xss", "script-tag", "high")]))
    assert close_quiet(T0 + timedelta(hours=6, minutes=1)) == 1
    assert Incident.objects.get(ip="45.13.7.7").close_reason == "quiet"
    assert Incident.objects.get(ip="103.1.1.1").state == IncidentState.OPEN


def test_closing_by_hand_is_recorded(site, operator):
    record_findings(site, frame([("45.13.7.7", T0, "sqli", "union-select", "high")]))
    incident = Incident.objects.get()
    close_incident(incident, operator)
    incident.refresh_from_db()
    assert (incident.state, incident.close_reason, incident.closed_by) == (IncidentState.CLOSED, "by_hand", "operator")
    assert Event.objects.get(verb="logwatch.incident_closed").actor == operator
    with pytest.raises(LogwatchError):
        close_incident(incident, operator)
    record_findings(site, frame([("45.13.7.7", T0 + timedelta(minutes=1), "sqli", "union-select", "high")]))
    assert Incident.objects.filter(ip="45.13.7.7").count() == 2  # the next finding opens a new one


def test_ingest_raises_incidents_and_alerts_end_to_end(site, tmp_path):
    attacks = [combined("45.13.7.7", BASE + timedelta(seconds=second), target, 200)
               for second, target in enumerate(["/.env", "/index.php?id=1'+UNION+SELECT+1,2,3--+-", "/.git/config"])]
    (tmp_path / "access.log").write_text(text(attacks))
    report = ingest_site(site)
    assert report.incidents_opened == 1 and report.alerts == 1
    incident = Incident.objects.get(site=site)
    assert incident.finding_count == report.findings >= 3
    assert {"sensitive-file", "sqli"} <= set(incident.categories)
    assert alerts(site) == [Message.objects.get(site=site).title]
