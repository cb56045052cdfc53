"""The DNS check against a real DNS server on 127.0.0.1 answering from test data."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from jagaweb.activity.choices import Severity
from jagaweb.monitor.checks.base import CheckSpec, Context, Outcome
from jagaweb.monitor.checks.dns import DnsCheck, answers_key, differences
from jagaweb.monitor.checks.names import registered_domain, zone_candidates
from jagaweb.monitor.choices import Status
from tests.monitor.dnsserver import DnsServer

HOST = "portal.example.go.id"
RECORDS = {
    (HOST, "A"): ["192.0.2.10"],
    (HOST, "AAAA"): ["2001:db8::10"],
    ("example.go.id", "A"): ["192.0.2.1"],
    ("example.go.id", "NS"): ["ns1.example.go.id.", "NS2.example.go.id."],
    ("example.go.id", "MX"): ["10 mail.example.go.id."],
    ("go.id", "NS"): ["ns1.pandi.id."],  # the suffix's servers: never the site's zone
    ("noaddress.example.go.id", "MX"): ["10 mail.example.go.id."],
}


@pytest.fixture
def server(settings: Any) -> Iterator[DnsServer]:
    with DnsServer(RECORDS) as dns_server, translation.override("en"):
        settings.JAGAWEB_DNS_NAMESERVERS = [dns_server.address]
        yield dns_server


def spec_for(target: str = HOST, *, baseline: dict[str, Any] | None = None, timeout: float = 3.0,
             allow_private: bool = True, **config: Any) -> CheckSpec:
    check = DnsCheck()
    return CheckSpec(
        id=1, site_id=1, site_name="Portal Kominfo", site_url=f"https://{HOST}/", kind="dns",
        target=check.target_for(target, f"https://{HOST}/"), config=check.clean_config(config), timeout=timeout,
        interval=check.default_interval, allow_private=allow_private, baseline=baseline or {},
    )


def run(spec: CheckSpec) -> Outcome:
    return asyncio.run(DnsCheck().run(spec, Context(datetime.now(UTC), None)))


def test_targets_and_defaults() -> None:
    check = DnsCheck()
    assert check.default_interval == 3600
    assert check.target_for("", "https://Portal.Example.go.id:8443/berita") == HOST
    assert check.target_for("mail.example.go.id", "https://x.go.id/") == "mail.example.go.id"
    assert check.host_key(spec_for()) == HOST
    assert registered_domain("portal.kominfo.go.id") == "kominfo.go.id"
    assert zone_candidates("a.b.kominfo.go.id") == ["a.b.kominfo.go.id", "b.kominfo.go.id", "kominfo.go.id"]


def test_first_run_records_the_baseline(server: DnsServer) -> None:
    outcome = run(spec_for())
    assert outcome.status == Status.UP, outcome.message
    expected = {"A": ["192.0.2.10"], "AAAA": ["2001:db8::10"], "NS": ["ns1.example.go.id", "ns2.example.go.id"],
                "MX": ["10 mail.example.go.id"]}
    assert outcome.facts["answers"] == expected
    assert outcome.facts["zone"] == "example.go.id"  # NS and MX come from the apex, walking up from the host
    assert outcome.new_baseline is not None and outcome.new_baseline["answers"] == expected
    assert "baseline" in outcome.message
    assert (HOST, "NS") in server.queries and ("example.go.id", "MX") in server.queries
    assert ("go.id", "NS") not in server.queries
    assert DnsCheck().notices(spec_for(), outcome) == []


def test_unchanged_answers_are_up(server: DnsServer) -> None:
    baseline = run(spec_for()).new_baseline
    outcome = run(spec_for(baseline=baseline))
    assert outcome.status == Status.UP
    assert outcome.new_baseline is None
    assert "Same as the baseline" in outcome.message


def test_changed_address_is_detected_once(server: DnsServer) -> None:
    baseline = run(spec_for()).new_baseline
    server.set(HOST, "A", ["203.0.113.66"])
    outcome = run(spec_for(baseline=baseline))
    assert outcome.status == Status.DEGRADED
    assert "A: added 203.0.113.66; removed 192.0.2.10" in outcome.message
    assert outcome.facts["changes"] == {"A": {"added": ["203.0.113.66"], "removed": ["192.0.2.10"]}}
    assert outcome.new_baseline is None  # the baseline stays until an operator accepts the new answers
    [notice] = DnsCheck().notices(spec_for(), outcome)
    assert notice.verb == "monitor.dns_changed" and notice.severity == Severity.WARNING
    assert notice.key == f"dns:{answers_key(outcome.facts['answers'])}"
    assert notice.data["host"] == HOST and "203.0.113.66" in notice.data["changes"]
    again = run(spec_for(baseline=baseline))
    assert DnsCheck().notices(spec_for(), again)[0].key == notice.key  # same answers: the same (sent) notice
    server.set(HOST, "A", ["203.0.113.67"])
    third = run(spec_for(baseline=baseline))
    assert DnsCheck().notices(spec_for(), third)[0].key != notice.key  # another change alerts again


def test_changed_name_servers_are_critical(server: DnsServer) -> None:
    baseline = run(spec_for()).new_baseline
    server.set("example.go.id", "NS", ["ns1.judi-slot.example.", "ns2.example.go.id."])
    outcome = run(spec_for(baseline=baseline))
    assert outcome.status == Status.DEGRADED
    assert outcome.facts["changes"] == {"NS": {"added": ["ns1.judi-slot.example"], "removed": ["ns1.example.go.id"]}}
    [notice] = DnsCheck().notices(spec_for(), outcome)
    assert notice.severity == Severity.CRITICAL


def test_nxdomain_is_down(server: DnsServer) -> None:
    outcome = run(spec_for("hilang.example.go.id"))
    assert outcome.status == Status.DOWN
    assert "NXDOMAIN" in outcome.message and "hilang.example.go.id" in outcome.message
    assert outcome.new_baseline is None


def test_nxdomain_is_down_when_only_zone_records_are_watched(server: DnsServer) -> None:
    outcome = run(spec_for("hilang.example.go.id", record_types=["NS"]))
    assert outcome.status == Status.DOWN
    assert "NXDOMAIN" in outcome.message


def test_silent_server_times_out(settings: Any) -> None:
    with DnsServer(RECORDS, silent=True) as silent, translation.override("en"):
        settings.JAGAWEB_DNS_NAMESERVERS = [silent.address]
        outcome = run(spec_for(timeout=0.5))
    assert outcome.status == Status.DOWN
    assert "within 0.5 s" in outcome.message


def test_host_without_addresses_is_down(server: DnsServer) -> None:
    outcome = run(spec_for("noaddress.example.go.id"))
    assert outcome.status == Status.DOWN
    assert "no A or AAAA record" in outcome.message


def test_zone_apex_is_its_own_zone(server: DnsServer) -> None:
    outcome = run(spec_for("example.go.id"))
    assert outcome.facts["zone"] == "example.go.id"
    assert outcome.facts["answers"]["A"] == ["192.0.2.1"]


def test_record_types_option_and_a_type_added_later(server: DnsServer) -> None:
    first = run(spec_for(record_types=["a"]))
    assert first.facts["answers"] == {"A": ["192.0.2.10"]}
    assert not any(rdtype in ("NS", "MX") for _name, rdtype in server.queries)
    later = run(spec_for(baseline=first.new_baseline, record_types=["A", "NS"]))
    assert later.status == Status.UP
    assert later.new_baseline is not None
    assert later.new_baseline["answers"] == {"A": ["192.0.2.10"], "NS": ["ns1.example.go.id", "ns2.example.go.id"]}


def test_large_answer_over_tcp(server: DnsServer) -> None:
    many = [f"192.0.2.{i}" for i in range(1, 81)]
    server.set("many.example.go.id", "A", many)
    outcome = run(spec_for("many.example.go.id", record_types=["A"]))
    assert outcome.status == Status.UP
    assert sorted(outcome.facts["answers"]["A"]) == sorted(many)
    assert server.tcp_queries >= 1


def test_check_name_servers_follow_the_address_policy(server: DnsServer, settings: Any) -> None:
    settings.JAGAWEB_DNS_NAMESERVERS = []
    outcome = run(spec_for(nameservers=[server.address], allow_private=True, record_types=["A"]))
    assert outcome.status == Status.UP
    refused = run(spec_for(nameservers=[server.address], allow_private=False))
    assert refused.status == Status.UNKNOWN
    assert "Refused" in refused.message


def test_ip_target_is_unknown(server: DnsServer) -> None:
    assert run(spec_for("https://192.0.2.10/")).status == Status.UNKNOWN


def test_config_validation() -> None:
    check = DnsCheck()
    assert check.clean_config({}) == {"record_types": ["A", "AAAA", "NS", "MX"], "nameservers": []}
    assert check.clean_config({"record_types": ["mx", "a"]})["record_types"] == ["A", "MX"]
    for bad in ({"record_types": ["TXT"]}, {"record_types": []}, {"nameservers": ["ns1.example"]},
                {"nameservers": "192.0.2.53"}):
        with pytest.raises(ValidationError):
            check.clean_config(bad)


def test_differences_ignore_types_not_recorded() -> None:
    assert differences({"A": ["1"]}, {"A": ["1"], "NS": ["x"]}) == {}
    changed = differences({"A": ["1"], "MX": []}, {"A": ["1"], "MX": ["10 m"]})
    assert changed == {"MX": {"added": ["10 m"], "removed": []}}


def test_baseline_is_json(server: DnsServer) -> None:
    import json

    outcome = run(spec_for())
    assert json.loads(json.dumps(outcome.new_baseline)) == outcome.new_baseline
    assert json.loads(json.dumps(outcome.facts)) == outcome.facts
    assert replace(spec_for(), baseline=outcome.new_baseline or {}).baseline["answers"]
