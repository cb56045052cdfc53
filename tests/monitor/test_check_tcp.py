"""The tcp check against real local listeners: open, refused, silent, the address policy, targets."""

from __future__ import annotations

import socket

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from jagaweb.monitor.checks.tcp import TcpCheck
from jagaweb.monitor.choices import Status
from tests.monitor.servers import WebServer, closed_port, hosts_for, run, spec_for

TCP = TcpCheck()


@pytest.fixture
def web():
    with WebServer() as server:
        yield server


@pytest.fixture
def silent_port():
    """A listener whose backlog is full, so a new connection is never accepted (SYN left unanswered)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    fillers = []
    try:
        for _ in range(8):  # bounded: enough to fill a backlog of 0 (+1) on Linux
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(listener.getsockname())
            fillers.append(filler)
        yield listener.getsockname()[1]
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


def test_open_port_is_up_with_connect_time(web):
    outcome = run(TCP, spec_for(TCP, f"127.0.0.1:{web.port}"))
    assert outcome.status == Status.UP
    assert outcome.message.startswith(f"Port {web.port} open, connected in ")
    assert outcome.response_ms is not None and 0 <= outcome.response_ms < 5000
    assert outcome.facts == {"host": "127.0.0.1", "port": web.port}


def test_refused_port_is_down():
    port = closed_port()
    outcome = run(TCP, spec_for(TCP, f"127.0.0.1:{port}"))
    assert outcome.status == Status.DOWN
    assert outcome.message.startswith(f"Could not connect to 127.0.0.1 port {port}")


def test_unanswered_connection_times_out(silent_port):
    outcome = run(TCP, spec_for(TCP, f"127.0.0.1:{silent_port}", timeout=0.5))
    assert outcome.status == Status.DOWN
    assert outcome.message == f"127.0.0.1 port {silent_port} did not accept a connection within 0.5 s."


def test_private_address_refused_unless_allowed(web):
    outcome = run(TCP, spec_for(TCP, f"127.0.0.1:{web.port}", allow_private=False))
    assert outcome.status == Status.DOWN
    assert "Refused to connect to 127.0.0.1" in outcome.message


def test_named_host(web):
    with override_settings(JAGAWEB_NET_HOSTS=hosts_for("mail.example.go.id")):
        outcome = run(TCP, spec_for(TCP, f"mail.example.go.id:{web.port}"))
    assert outcome.status == Status.UP


def test_unresolvable_host_is_down():
    outcome = run(TCP, spec_for(TCP, "nowhere.invalid:22"))
    assert outcome.status == Status.DOWN
    assert "Cannot resolve nowhere.invalid" in outcome.message


@pytest.mark.parametrize("target", ["portal.example.go.id", "portal.example.go.id:99999", ":80", "a:b"])
def test_invalid_target_is_down(target):
    outcome = run(TCP, spec_for(TCP, target))
    assert outcome.status == Status.DOWN
    assert outcome.message == f"{target} is not host:port (for example portal.go.id:443)."


@pytest.mark.parametrize(("target", "site_url", "expected"), [
    ("", "https://portal.example.go.id/", "portal.example.go.id:443"),
    ("", "http://portal.example.go.id/berita", "portal.example.go.id:80"),
    ("", "http://portal.example.go.id:8080/", "portal.example.go.id:8080"),
    ("db.example.go.id:5432", "https://portal.example.go.id/", "db.example.go.id:5432"),
    ("[2001:db8::1]:22", "https://portal.example.go.id/", "[2001:db8::1]:22"),
    ("https://Portal.Example.go.id:8443/x", "", "portal.example.go.id:8443"),
])
def test_target_defaults_from_the_site(target, site_url, expected):
    assert TCP.target_for(target, site_url) == expected


def test_host_key_is_the_host(web):
    spec = spec_for(TCP, "db.example.go.id:5432")
    assert TCP.host_key(spec) == "db.example.go.id"


def test_no_options():
    assert TCP.clean_config({}) == {}
    with pytest.raises(ValidationError, match="has no options"):
        TCP.clean_config({"port": 22})
