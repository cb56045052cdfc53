"""The TLS certificate check against real TLS servers on 127.0.0.1 with certificates made in the test."""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from jagaweb.activity.choices import Severity
from jagaweb.monitor.checks import kind_of
from jagaweb.monitor.checks.base import CheckSpec, Context, Outcome
from jagaweb.monitor.checks.expiry import threshold_crossed
from jagaweb.monitor.checks.tls import LegacyProbe, TlsCheck
from jagaweb.monitor.choices import Status
from tests.monitor.tlsservers import PlainServer, TestPKI, TlsServer

HOST = "portal.example.go.id"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPKI:
    return TestPKI(tmp_path_factory.mktemp("pki"))


@pytest.fixture(autouse=True)
def trust_test_ca(settings: Any, pki: TestPKI) -> Iterator[None]:
    settings.JAGAWEB_NET_HOSTS = {HOST: ["127.0.0.1"]}
    settings.JAGAWEB_NET_CA_FILE = str(pki.ca_file)
    with translation.override("en"):  # messages are asserted in their English source form
        yield


def spec_for(target: str, *, allow_private: bool = True, **config: Any) -> CheckSpec:
    check = TlsCheck()
    return CheckSpec(
        id=1, site_id=1, site_name="Portal Kominfo", site_url=f"https://{HOST}/", kind="tls",
        target=check.target_for(target, f"https://{HOST}/"), config=check.clean_config(config), timeout=5.0,
        interval=check.default_interval, allow_private=allow_private,
    )


def run(spec: CheckSpec) -> Outcome:
    return asyncio.run(TlsCheck().run(spec, Context(datetime.now(UTC), None)))


def check_server(server: TlsServer | PlainServer, **kwargs: Any) -> Outcome:
    with server:
        return run(spec_for(f"{HOST}:{server.port}", **kwargs))


def test_registered_and_targets() -> None:
    check = kind_of("tls")
    assert isinstance(check, TlsCheck)
    assert check.default_interval == 12 * 3600
    assert check.target_for("", "https://portal.example.go.id/berita") == "portal.example.go.id:443"
    assert check.target_for("", "https://Portal.Example.go.id:8443/") == "portal.example.go.id:8443"
    assert check.target_for("", "http://portal.example.go.id:8080/") == "portal.example.go.id:443"
    assert check.target_for("mail.example.go.id:993", "https://x.go.id/") == "mail.example.go.id:993"
    spec = spec_for("portal.example.go.id:8443")
    assert check.host_key(spec) == "portal.example.go.id"


def test_valid_certificate_is_up(pki: TestPKI) -> None:
    outcome = check_server(TlsServer(pki.leaf("valid", [HOST, "www.example.go.id"], days_left=90)))
    assert outcome.status == Status.UP, outcome.message
    facts = outcome.facts
    assert facts["days_left"] in (89, 90)
    assert datetime.fromisoformat(facts["not_after"]).tzinfo is not None
    assert "JagaWeb Test CA" in facts["issuer"]
    assert HOST in facts["subject"]
    assert facts["names"] == [HOST, "www.example.go.id"]
    assert facts["protocol"] == "TLSv1.3"
    assert facts["legacy_probe"] == LegacyProbe.REFUSED
    assert "weak_protocol" not in facts
    assert outcome.response_ms is not None
    assert TlsCheck().notices(spec_for(HOST), outcome) == []


def test_expiring_soon_is_degraded_and_notifies(pki: TestPKI) -> None:
    outcome = check_server(TlsServer(pki.leaf("soon", [HOST], days_left=10.5)))
    assert outcome.status == Status.DEGRADED
    assert outcome.facts["days_left"] == 10
    assert "expires in 10 days" in outcome.message
    [notice] = TlsCheck().notices(spec_for(HOST), outcome)
    assert notice.key == f"cert:{outcome.facts['not_after'][:10]}:14"
    assert notice.verb == "monitor.cert_expiring"
    assert notice.severity == Severity.WARNING
    assert notice.data["site_name"] == "Portal Kominfo" and notice.data["host"] == HOST


def test_expired_certificate_is_down_with_dates(pki: TestPKI) -> None:
    outcome = check_server(TlsServer(pki.leaf("expired", [HOST], days_left=-3)))
    assert outcome.status == Status.DOWN
    assert "expired on" in outcome.message
    assert outcome.facts["days_left"] < 0  # read from the unverified second handshake
    assert outcome.facts["not_after"][:10] in outcome.message
    assert "expired" in outcome.facts["chain_error"]
    assert TlsCheck().notices(spec_for(HOST), outcome) == []  # the incident alerts, not the expiry notice


def test_wrong_hostname_is_down(pki: TestPKI) -> None:
    outcome = check_server(TlsServer(pki.leaf("other", ["other.example.go.id"])))
    assert outcome.status == Status.DOWN
    assert "other.example.go.id" in outcome.message and HOST in outcome.message
    assert outcome.facts["names"] == ["other.example.go.id"]


def test_self_signed_is_down(pki: TestPKI) -> None:
    outcome = check_server(TlsServer(pki.leaf("self", [HOST], self_signed=True)))
    assert outcome.status == Status.DOWN
    assert "self-signed" in outcome.message
    assert outcome.facts["days_left"] in (89, 90)
    assert outcome.facts["issuer"] == outcome.facts["subject"]


def test_unknown_issuer_is_a_broken_chain(pki: TestPKI, tmp_path: Path) -> None:
    stranger = TestPKI(tmp_path)  # a CA nobody trusts
    outcome = check_server(TlsServer(stranger.leaf("stranger", [HOST])))
    assert outcome.status == Status.DOWN
    assert "chain" in outcome.message and "issuer is unknown" in outcome.message


def test_server_accepting_tls10_is_degraded(pki: TestPKI) -> None:
    server = TlsServer(pki.leaf("legacy", [HOST]), accept_tls10=True)
    outcome = check_server(server)
    assert outcome.status == Status.DEGRADED, outcome.message
    assert outcome.facts["legacy_probe"] == LegacyProbe.ACCEPTED
    assert outcome.facts["weak_protocol"] in ("TLSv1", "TLSv1.1")
    assert outcome.facts["protocol"] == "TLSv1.3"  # modern clients still get the best
    assert "outdated" in outcome.message
    assert set(server.handshakes) >= {"TLSv1.3", outcome.facts["weak_protocol"]}


def test_server_speaking_only_tls10_is_down(pki: TestPKI) -> None:
    outcome = check_server(TlsServer(pki.leaf("only10", [HOST]), only_tls10=True))
    assert outcome.status == Status.DOWN
    assert "handshake" in outcome.message
    assert outcome.facts["weak_protocol"] == "TLSv1"
    assert "only the outdated TLSv1" in outcome.message


def test_weak_protocol_probe_says_when_local_openssl_cannot_offer_it(pki: TestPKI, monkeypatch: Any) -> None:
    monkeypatch.setattr(ssl, "HAS_TLSv1", False)
    monkeypatch.setattr(ssl, "HAS_TLSv1_1", False)
    outcome = check_server(TlsServer(pki.leaf("noprobe", [HOST]), accept_tls10=True))
    assert outcome.status == Status.UP
    assert outcome.facts["legacy_probe"] == LegacyProbe.UNAVAILABLE


def test_probe_can_be_turned_off(pki: TestPKI) -> None:
    outcome = check_server(TlsServer(pki.leaf("off", [HOST]), accept_tls10=True), check_weak_protocols=False)
    assert outcome.status == Status.UP
    assert outcome.facts["legacy_probe"] == LegacyProbe.SKIPPED


def test_unreachable_port_is_down() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, not listening: connections are refused
        outcome = run(spec_for(f"{HOST}:{port}"))
    assert outcome.status == Status.DOWN
    assert "Could not connect" in outcome.message


def test_silent_port_times_out() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)  # accepts into the backlog, never handshakes
        spec = spec_for(f"{HOST}:{sock.getsockname()[1]}")
        spec = CheckSpec(**{**spec.__dict__, "timeout": 0.5})
        outcome = run(spec)
    assert outcome.status == Status.DOWN
    assert "within 0.5 s" in outcome.message


def test_plain_tcp_server_is_down() -> None:
    outcome = check_server(PlainServer())
    assert outcome.status == Status.DOWN
    assert "handshake" in outcome.message or "Could not" in outcome.message


def test_private_address_refused_without_permission(pki: TestPKI) -> None:
    outcome = check_server(TlsServer(pki.leaf("policy", [HOST])), allow_private=False)
    assert outcome.status == Status.DOWN
    assert "Refused to connect" in outcome.message


def test_invalid_target_is_unknown() -> None:
    outcome = run(spec_for("portal.example.go.id:notaport"))
    assert outcome.status == Status.UNKNOWN
    assert "Not a valid host" in outcome.message


def test_config_validation() -> None:
    from django.core.exceptions import ValidationError

    assert TlsCheck().clean_config({}) == {"warn_days": 14, "check_weak_protocols": True}
    with pytest.raises(ValidationError):
        TlsCheck().clean_config({"warn_days": "soon"})
    with pytest.raises(ValidationError):
        TlsCheck().clean_config({"check_weak_protocols": "yes"})


@pytest.mark.parametrize(("days_left", "threshold"), [
    (365, None), (61, None), (60, 60), (31, 60), (30, 30), (15, 30), (14, 14), (8, 14), (7, 7), (2, 7),
    (1, 1), (0, 1), (-1, None),
])
def test_thresholds(days_left: int, threshold: int | None) -> None:
    assert threshold_crossed(days_left) == threshold


def test_cert_notices_one_per_threshold_and_certificate() -> None:
    spec = spec_for(HOST)
    keys = []
    for days in (90, 60, 59, 30, 13, 7, 6, 1, 0):
        outcome = Outcome(Status.UP, facts={"days_left": days, "not_after": "2026-03-01T00:00:00+00:00",
                                            "host": HOST})
        keys += [n.key for n in TlsCheck().notices(spec, outcome)]
    # The engine sends each key once; the renewed certificate (another date) starts afresh.
    assert sorted(set(keys)) == sorted(f"cert:2026-03-01:{t}" for t in (60, 30, 14, 7, 1))
    critical = TlsCheck().notices(spec, Outcome(Status.DEGRADED, facts={"days_left": 3, "not_after": "2026-03-01"}))
    assert critical[0].severity == Severity.CRITICAL
    assert TlsCheck().notices(spec, Outcome(Status.DOWN, facts={})) == []
