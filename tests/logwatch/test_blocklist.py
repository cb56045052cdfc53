"""Blocklist export: each format, which incidents and addresses it lists, and the command."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from jagaweb.activity.models import Event
from jagaweb.logwatch.blocklist import addresses_of, blockable, parse_since, render
from jagaweb.logwatch.models import Incident, IncidentState
from jagaweb.logwatch.operations import LogwatchError, export_blocklist


def make(site, ip, severity="high", hours_ago=1, state=IncidentState.OPEN):
    seen = timezone.now() - timedelta(hours=hours_ago)
    return Incident.objects.create(site=site, ip=ip, severity=severity, first_seen=seen, last_seen=seen, state=state)


ADDRESSES = addresses_of(["103.90.1.9", "45.13.7.7", "2404:6800::5"])


def test_formats():
    assert render("nginx", ADDRESSES).splitlines()[1:] == ["deny 45.13.7.7;", "deny 103.90.1.9;", "deny 2404:6800::5;"]
    assert render("fail2ban", ADDRESSES, jail="wordpress").splitlines()[1:] == [
        "fail2ban-client set wordpress banip 45.13.7.7", "fail2ban-client set wordpress banip 103.90.1.9",
        "fail2ban-client set wordpress banip 2404:6800::5"]
    assert render("apache", ADDRESSES).splitlines()[1:] == [
        "<RequireAll>", "    Require all granted", "    Require not ip 45.13.7.7", "    Require not ip 103.90.1.9",
        "    Require not ip 2404:6800::5", "</RequireAll>"]
    assert render("ipset", ADDRESSES).splitlines()[1:] == [
        "ipset -exist create jagaweb-block hash:ip family inet",
        "ipset -exist create jagaweb-block6 hash:ip family inet6",
        "ipset -exist add jagaweb-block 45.13.7.7", "ipset -exist add jagaweb-block 103.90.1.9",
        "ipset -exist add jagaweb-block6 2404:6800::5"]
    assert render("plain", ADDRESSES) == "45.13.7.7\n103.90.1.9\n2404:6800::5\n"
    assert render("nginx", []).startswith("# JagaWeb blocklist: 0 addresses")
    with pytest.raises(ValueError, match="unknown blocklist format"):
        render("iptables", ADDRESSES)
    with pytest.raises(ValueError, match="jail"):
        render("fail2ban", ADDRESSES, jail="x; rm -rf /")


def test_only_addresses_that_are_safe_to_block():
    assert blockable("::ffff:45.13.7.7") == blockable("45.13.7.7")
    for never in ("127.0.0.1", "::1", "169.254.1.1", "0.0.0.0", "224.0.0.1", "crawl-66-249-66-1.googlebot.com", "-"):
        assert blockable(never, include_private=True) is None, never
    assert blockable("10.1.2.3") is None and blockable("192.168.1.9") is None
    assert str(blockable("10.1.2.3", include_private=True)) == "10.1.2.3"
    assert addresses_of(["45.13.7.7", " 45.13.7.7", "::ffff:45.13.7.7"]) == addresses_of(["45.13.7.7"])


def test_durations():
    assert parse_since("7d") == timedelta(days=7) and parse_since("12h") == timedelta(hours=12)
    assert parse_since("30m") == timedelta(minutes=30) and parse_since("2w") == timedelta(weeks=2)
    assert parse_since("3") == timedelta(days=3)
    with pytest.raises(ValueError):
        parse_since("soon")


@pytest.mark.django_db
def test_export_filters_by_severity_time_and_state_and_is_recorded(site_a, site_b, operator):
    make(site_a, "45.13.7.7", "critical")
    make(site_a, "45.13.7.8", "medium")
    make(site_a, "45.13.7.9", "high", hours_ago=24 * 10)
    make(site_a, "45.13.7.10", "high", state=IncidentState.CLOSED)
    make(site_a, "10.0.0.5", "critical")
    make(site_b, "103.1.1.1", "critical")
    mine = Incident.objects.filter(site=site_a)
    text = export_blocklist(mine, "plain", operator, min_severity="high", since=timezone.now() - timedelta(days=7))
    assert text == "45.13.7.7\n45.13.7.10\n"
    assert export_blocklist(mine, "plain", operator, min_severity="high", open_only=True) == "45.13.7.7\n45.13.7.9\n"
    assert "10.0.0.5" in export_blocklist(mine, "plain", operator, include_private=True)
    event = Event.objects.filter(verb="logwatch.blocklist_exported").order_by("pk").first()
    assert event.actor == operator and event.data["count"] == 2 and event.data["format"] == "plain"
    with pytest.raises(LogwatchError):
        export_blocklist(mine, "pf", operator)


@pytest.mark.django_db
def test_command(site_a, site_b, tmp_path):
    make(site_a, "45.13.7.7", "critical")
    make(site_b, "103.1.1.1", "medium")
    out = io.StringIO()
    call_command("logs_blocklist", "--format", "nginx", "--site", site_a.slug, stdout=out)
    assert out.getvalue().splitlines()[1:] == ["deny 45.13.7.7;"]
    target = tmp_path / "block.conf"
    call_command("logs_blocklist", "--format", "apache", "--min-severity", "medium", "--since", "1d",
                 "--output", str(target))
    assert "Require not ip 103.1.1.1" in target.read_text() and "Require not ip 45.13.7.7" in target.read_text()
    assert Event.objects.filter(verb="logwatch.blocklist_exported", job="cli.logs_blocklist").count() == 2
    with pytest.raises(CommandError, match="nosuch"):
        call_command("logs_blocklist", "--site", "nosuch")
    with pytest.raises(CommandError, match="duration"):
        call_command("logs_blocklist", "--since", "yesterday")
