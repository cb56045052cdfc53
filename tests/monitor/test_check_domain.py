"""The domain expiry check: RDAP through the bootstrap to a local RDAP server, WHOIS on a local TCP server,
the manual date, and what each gives when it fails."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from jagaweb.activity.choices import Severity
from jagaweb.monitor.checks import rdap, whois
from jagaweb.monitor.checks.base import CheckSpec, Outcome
from jagaweb.monitor.checks.domain import DomainCheck
from jagaweb.monitor.checks.names import registered_domain
from jagaweb.monitor.checks.sessions import run_once
from jagaweb.monitor.choices import Status
from tests.monitor.rdapserver import WHOIS_FIXTURES, RdapServer, WhoisServer

NOW = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)  # the fixtures' dates are fixed; so is the check's clock


@pytest.fixture
def registry(settings: Any) -> Iterator[RdapServer]:
    rdap.clear_caches()
    with RdapServer() as server, translation.override("en"):
        settings.JAGAWEB_RDAP_BOOTSTRAP_URL = server.bootstrap_url
        yield server
    rdap.clear_caches()


@pytest.fixture
def whois_server() -> Iterator[WhoisServer]:
    with WhoisServer() as server:
        yield server


def spec_for(target: str, *, allow_private: bool = True, **config: Any) -> CheckSpec:
    check = DomainCheck()
    return CheckSpec(
        id=1, site_id=1, site_name="Portal Kominfo", site_url="https://portal.kominfo.go.id/", kind="domain",
        target=check.target_for(target, "https://portal.kominfo.go.id/"), config=check.clean_config(config),
        timeout=3.0, interval=check.default_interval, allow_private=allow_private,
    )


def run(spec: CheckSpec) -> Outcome:
    return asyncio.run(run_once(DomainCheck(), spec, NOW))


def test_registered_domains_and_targets() -> None:
    check = DomainCheck()
    assert check.default_interval == 24 * 3600
    assert check.target_for("", "https://portal.kominfo.go.id/berita") == "kominfo.go.id"
    assert check.target_for("", "http://www.SMAN1.sch.id:8080/") == "sman1.sch.id"
    assert check.target_for("https://a.b.example.com/x", "") == "example.com"
    assert check.target_for("example.co.uk", "https://x.go.id/") == "example.co.uk"  # typed: taken as is
    assert check.host_key(spec_for("")) == "registry:id"
    for host, domain in [("desa-sukamaju.desa.id", "desa-sukamaju.desa.id"), ("go.id", None),
                         ("ponpes.id", None), ("kemenag.go.id", "kemenag.go.id"), ("jagaweb.id", "jagaweb.id"),
                         ("192.0.2.1", None), ("localhost", None), ("Portal.Kominfo.GO.ID.", "kominfo.go.id")]:
        assert registered_domain(host) == domain, host


def test_rdap_through_the_bootstrap(registry: RdapServer) -> None:
    outcome = run(spec_for(""))
    assert outcome.status == Status.UP, outcome.message
    facts = outcome.facts
    assert facts["domain"] == "kominfo.go.id"
    assert facts["source"] == "rdap"
    assert facts["expires_on"] == "2026-01-01"
    assert facts["days_left"] == (date(2026, 1, 1) - NOW.date()).days
    assert facts["registrar"] == "Pengelola Nama Domain Internet Indonesia"
    assert facts["nameservers"] == ["ns1.kominfo.go.id", "ns2.kominfo.go.id"]
    assert "client transfer prohibited" in facts["status"]
    assert "lookup_errors" not in facts
    assert registry.paths() == ["/bootstrap/dns.json", "/rdap/domain/kominfo.go.id"]
    assert "application/rdap+json" in registry.requests[1][1]
    assert "2026-01-01" in outcome.message


def test_bootstrap_and_answers_are_cached(registry: RdapServer) -> None:
    run(spec_for(""))
    run(spec_for("https://ppid.kominfo.go.id/"))  # another site of the same domain
    run(spec_for("renewlate.go.id"))
    assert registry.paths() == ["/bootstrap/dns.json", "/rdap/domain/kominfo.go.id", "/rdap/domain/renewlate.go.id"]


def test_expiring_soon_is_degraded_and_notifies(registry: RdapServer) -> None:
    outcome = run(spec_for("renewlate.go.id"))
    assert outcome.status == Status.DEGRADED
    assert outcome.facts["days_left"] == 19
    assert "expires in 19 days" in outcome.message
    [notice] = DomainCheck().notices(spec_for("renewlate.go.id"), outcome)
    assert notice.key == "domain:2025-06-20:30"
    assert notice.verb == "monitor.domain_expiring"
    assert notice.severity == Severity.WARNING
    assert notice.data["domain"] == "renewlate.go.id" and notice.data["site_name"] == "Portal Kominfo"


def test_expired_domain_is_down(registry: RdapServer) -> None:
    outcome = run(spec_for("lapsed.go.id"))
    assert outcome.status == Status.DOWN
    assert "expired on 2025-05-20" in outcome.message
    assert outcome.facts["days_left"] < 0
    assert DomainCheck().notices(spec_for("lapsed.go.id"), outcome) == []


def test_domain_on_hold_is_down(registry: RdapServer) -> None:
    outcome = run(spec_for("onhold.go.id"))
    assert outcome.status == Status.DOWN
    assert "server hold" in outcome.message


def test_second_mirror_answers_when_the_first_fails(registry: RdapServer) -> None:
    outcome = run(spec_for("mirror.mirrored"))
    assert outcome.status == Status.UP
    assert "/broken-mirror/domain/mirror.mirrored" in registry.paths()


def test_rdap_without_expiration_falls_back_to_whois(registry: RdapServer, whois_server: WhoisServer) -> None:
    outcome = run(spec_for("noexpiry.go.id", whois_server=whois_server.address))
    assert outcome.status == Status.UP
    assert outcome.facts["source"] == "whois"
    assert outcome.facts["expires_on"] == "2026-03-14"
    assert outcome.facts["registrar"] == "Pengelola Nama Domain Internet Indonesia"
    assert any("no expiration date" in e for e in outcome.facts["lookup_errors"])
    assert whois_server.queries == ["noexpiry.go.id"]


def test_malformed_rdap_gives_a_clear_unknown(registry: RdapServer, whois_server: WhoisServer) -> None:
    outcome = run(spec_for("malformed.go.id", whois_server=whois_server.address))
    assert outcome.status == Status.UNKNOWN
    assert "malformed answer (not JSON" in outcome.message
    assert "has no record of malformed.go.id" in outcome.message  # WHOIS was asked and said so
    assert "enter the date by hand" in outcome.message


@pytest.mark.parametrize(("domain", "says"), [
    ("notdomain.go.id", "answered with RDAP error 503: Service Unavailable"),
    ("wrongobject.go.id", "malformed RDAP answer (not a domain object)"),
    ("baddate.go.id", "malformed RDAP answer: String does not contain a date"),
])
def test_json_that_is_not_a_usable_domain_object(registry: RdapServer, domain: str, says: str) -> None:
    outcome = run(spec_for(domain, whois=False))
    assert outcome.status == Status.UNKNOWN
    assert says in outcome.message
    assert len(outcome.message) < 300


def test_manual_date_when_nothing_answers(registry: RdapServer, whois_server: WhoisServer) -> None:
    outcome = run(spec_for("malformed.go.id", whois_server=whois_server.address, expires_on="2025-06-08"))
    assert outcome.status == Status.DEGRADED
    assert outcome.facts["source"] == "manual"
    assert outcome.facts["days_left"] == 7
    [notice] = DomainCheck().notices(spec_for("malformed.go.id"), outcome)
    assert notice.key == "domain:2025-06-08:7" and notice.severity == Severity.CRITICAL


def test_manual_date_alone() -> None:
    with translation.override("en"):
        outcome = run(spec_for("kominfo.go.id", rdap=False, whois=False, expires_on="2027-01-01"))
    assert outcome.status == Status.UP
    assert outcome.facts["source"] == "manual" and outcome.facts["expires_on"] == "2027-01-01"


def test_unknown_domain(registry: RdapServer, whois_server: WhoisServer) -> None:
    outcome = run(spec_for("tidakada.go.id", whois_server=whois_server.address))
    assert outcome.status == Status.UNKNOWN
    assert "no record of it (HTTP 404)" in outcome.message


def test_tld_missing_from_bootstrap_uses_whois(registry: RdapServer, whois_server: WhoisServer) -> None:
    outcome = run(spec_for("example.com", whois_server=whois_server.address))
    assert outcome.status == Status.UP
    assert outcome.facts["source"] == "whois" and outcome.facts["expires_on"] == "2025-08-13"
    assert outcome.facts["registrar"] == "RESERVED-Internet Assigned Numbers Authority"
    assert outcome.facts["nameservers"] == ["a.iana-servers.net", "b.iana-servers.net"]
    assert "names no RDAP server for .com" in outcome.facts["lookup_errors"][0]


def test_broken_bootstrap_is_reported_and_not_refetched(registry: RdapServer) -> None:
    registry.bootstrap_body = b"<html>Service Unavailable</html>"
    first = run(spec_for("", whois=False))
    second = run(spec_for("", whois=False))
    for outcome in (first, second):
        assert outcome.status == Status.UNKNOWN
        assert "bootstrap file" in outcome.message and "not JSON" in outcome.message
    assert registry.paths() == ["/bootstrap/dns.json"]


def test_bootstrap_error_status(registry: RdapServer) -> None:
    registry.bootstrap_status = 503
    outcome = run(spec_for("", whois=False))
    assert outcome.status == Status.UNKNOWN
    assert "HTTP 503" in outcome.message


def test_unreachable_whois_and_rdap(registry: RdapServer) -> None:
    outcome = run(spec_for("example.com", whois_server="127.0.0.1:1"))
    assert outcome.status == Status.UNKNOWN
    assert "WHOIS" in outcome.message and "RDAP" in outcome.message


def test_private_registry_servers_need_permission(registry: RdapServer, whois_server: WhoisServer) -> None:
    outcome = run(spec_for("", allow_private=False, whois_server=whois_server.address))
    assert outcome.status == Status.UNKNOWN
    assert outcome.message.count("Refused to connect") == 2  # the RDAP server and the WHOIS server
    assert whois_server.queries == []


def test_not_a_domain() -> None:
    with translation.override("en"):
        outcome = run(spec_for("https://192.0.2.1/"))
    assert outcome.status == Status.UNKNOWN
    assert "not a domain" in outcome.message


def test_config_validation() -> None:
    check = DomainCheck()
    assert check.clean_config({}) == {"expires_on": "", "whois_server": "", "rdap": True, "whois": True,
                                      "warn_days": 30}
    assert check.clean_config({"expires_on": " 2026-01-31 "})["expires_on"] == "2026-01-31"
    for bad in ({"expires_on": "31/01/2026"}, {"expires_on": 20260131}, {"whois_server": "whois.id:port"},
                {"rdap": "no"}, {"warn_days": -1}):
        with pytest.raises(ValidationError):
            check.clean_config(bad)


@pytest.mark.parametrize(("fixture", "expires_on", "registrar", "nameservers"), [
    ("noexpiry.go.id", date(2026, 3, 14), "Pengelola Nama Domain Internet Indonesia",
     ["ns1.noexpiry.go.id", "ns2.noexpiry.go.id"]),
    ("pandi-new.go.id", date(2025, 7, 1), "Pengelola Nama Domain Internet Indonesia",
     ["ns1.pandi-new.go.id", "ns2.pandi-new.go.id"]),
    ("example.com", date(2025, 8, 13), "RESERVED-Internet Assigned Numbers Authority",
     ["a.iana-servers.net", "b.iana-servers.net"]),
    ("example.co.uk", date(2026, 8, 12), "", []),
    ("example.ru", date(2026, 4, 30), "RU-CENTER-RU", ["ns1.example.ru", "ns2.example.ru"]),
    ("example.cn", date(2026, 3, 17), "Alibaba Cloud Computing Co., Ltd.", ["dns1.example.cn", "dns2.example.cn"]),
    ("example.se", date(2025, 10, 1), "Example Registrar AB", ["ns1.example.se", "ns2.example.se"]),
])
def test_whois_parsers(fixture: str, expires_on: date, registrar: str, nameservers: list[str]) -> None:
    parsed = whois.parse((WHOIS_FIXTURES / f"{fixture}.txt").read_text())
    assert parsed.expires_on == expires_on
    assert parsed.registrar == registrar
    assert parsed.nameservers == nameservers
    assert not parsed.not_found


@pytest.mark.parametrize(("text", "expected"), [
    ("2025-08-13T04:00:00Z", date(2025, 8, 13)), ("31-Dec-2025 23:59:59 UTC", date(2025, 12, 31)),
    ("12-Aug-2026", date(2026, 8, 12)), ("2026.04.30", date(2026, 4, 30)), ("30.04.2026", date(2026, 4, 30)),
    ("2026-02-30", None), ("soon", None), ("", None),
])
def test_whois_dates(text: str, expected: date | None) -> None:
    assert whois.parse_date(text) == expected


def test_whois_not_found_and_server_choice(settings: Any) -> None:
    assert whois.parse('No match for "TIDAKADA.GO.ID".\r\n').not_found
    assert whois.parse("DOMAIN NOT FOUND").not_found
    assert whois.server_for("kominfo.go.id") == ("whois.id", 43)
    assert whois.server_for("kominfo.go.id", rdap_port43="whois.pandi.id") == ("whois.pandi.id", 43)
    assert whois.server_for("kominfo.go.id", "127.0.0.1:4343", "whois.pandi.id") == ("127.0.0.1", 4343)
    settings.JAGAWEB_WHOIS_SERVERS = {"go.id": "whois.go.example", "id": "whois.id.example:4343"}
    assert whois.server_for("kominfo.go.id", rdap_port43="whois.pandi.id") == ("whois.go.example", 43)
    assert whois.server_for("jagaweb.id") == ("whois.id.example", 4343)
    assert whois.server_for("example.unknowntld") is None


def test_domain_notices_thresholds() -> None:
    spec = spec_for("kominfo.go.id")
    keys = []
    for days in (120, 60, 45, 30, 20, 14, 7, 3, 1, 0, -1):
        outcome = Outcome(Status.UP, facts={"days_left": days, "expires_on": "2026-01-01", "domain": "kominfo.go.id"})
        keys += [n.key for n in DomainCheck().notices(spec, outcome)]
    assert sorted(set(keys)) == sorted(f"domain:2026-01-01:{t}" for t in (60, 30, 14, 7, 1))
    assert DomainCheck().notices(spec, Outcome(Status.UNKNOWN, facts={"source": ""})) == []
