"""jagaweb.net against real local servers: the address policy, retries, timeouts, e-mail and Apprise."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

import pytest
from django.utils import translation

from jagaweb import __version__, net
from tests.notify.receiver import Receiver, SmtpServer, free_port


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def short_backoff(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(net, "BACKOFF_SECONDS", 0.01)
    with translation.override("en"):  # assertions read the English source strings
        yield


def test_loopback_target_is_refused_naming_host_and_ip(receiver):
    with pytest.raises(net.BlockedAddress, match=r"127\.0\.0\.1 \(127\.0\.0\.1\): loopback") as caught:
        net.request("GET", receiver.url + "/")
    assert caught.value.host == "127.0.0.1"
    assert receiver.requests == []


def test_a_name_that_resolves_to_loopback_is_refused(receiver):
    port = receiver.url.rsplit(":", 1)[1]
    with pytest.raises(net.BlockedAddress, match=r"localhost \((127\.0\.0\.1|::1)\)"):
        net.request("GET", f"http://localhost:{port}/")


@pytest.mark.parametrize("address,reason", [
    ("127.0.0.1", "loopback"), ("::1", "loopback"), ("10.1.2.3", "private"), ("192.168.1.10", "private"),
    ("172.16.0.5", "private"), ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
    ("224.0.0.1", "multicast"), ("0.0.0.0", "unspecified"), ("240.0.0.1", "reserved"),
    ("::ffff:127.0.0.1", "loopback"), ("fd00::1", "private"), ("100.64.0.1", "non-public"),
])
def test_blocked_reasons(address, reason):
    assert net.blocked_reason(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize("address", ["8.8.8.8", "203.119.0.1", "2001:4860:4860::8888"])
def test_public_addresses_pass(address):
    assert net.blocked_reason(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize("url", ["ftp://example.com/x", "file:///etc/passwd", "gopher://example.com/"])
def test_other_schemes_are_refused(url):
    with pytest.raises(net.BlockedScheme):
        net.request("GET", url, allow_private=True)


def test_allow_private_reaches_the_local_server_with_user_agent_and_host(receiver):
    receiver.answer(200, b"hello")
    response = net.request("POST", receiver.url + "/path?x=1", allow_private=True, json={"a": 1})
    assert response.status_code == 200
    assert response.text == "hello"
    got = receiver.requests[0]
    assert (got.method, got.path, got.json()) == ("POST", "/path?x=1", {"a": 1})
    assert got.headers["User-Agent"] == f"JagaWeb/{__version__}"
    assert got.headers["Host"] == receiver.url.removeprefix("http://")


def test_retries_on_503_then_succeeds(receiver):
    receiver.answer(503, times=2)
    receiver.answer(200, b"finally")
    response = net.request("GET", receiver.url + "/", allow_private=True, retries=2)
    assert response.text == "finally"
    assert len(receiver.requests) == 3


def test_retries_are_bounded_and_the_last_answer_is_returned(receiver):
    receiver.answer(502, times=5)
    response = net.request("GET", receiver.url + "/", allow_private=True, retries=1)
    assert response.status_code == 502
    assert len(receiver.requests) == 2


def test_other_errors_are_not_retried(receiver):
    receiver.answer(500, times=3)
    response = net.request("GET", receiver.url + "/", allow_private=True, retries=3)
    assert response.status_code == 500
    assert len(receiver.requests) == 1


def test_timeout_gives_a_clear_error(receiver):
    receiver.answer(200, delay=1.5, times=2)
    with pytest.raises(net.NetTimeout, match=r"127\.0\.0\.1 did not answer within 0\.3 s \(attempt 2 of 2\)"):
        net.request("GET", receiver.url + "/", allow_private=True, timeout=0.3, retries=1)
    assert len(receiver.requests) == 2


def test_connection_refused_is_a_connection_error():
    port = free_port()  # nothing listens there
    with pytest.raises(net.ConnectionFailed, match=r"Could not talk to 127\.0\.0\.1"):
        net.request("GET", f"http://127.0.0.1:{port}/", allow_private=True, retries=0)


def test_unresolvable_host():
    with pytest.raises(net.UnresolvableHost, match=r"nowhere\.invalid"):
        net.request("GET", "http://nowhere.invalid/")


def test_send_email_through_a_channel_smtp_server_needs_allow_private(db):
    server = SmtpServer().start()
    try:
        smtp = net.SmtpServer("127.0.0.1", server.port)
        with pytest.raises(net.BlockedAddress):
            net.send_email("Subject", "Body", ["a@example.go.id"], smtp=smtp)
        assert net.send_email("Line\none", "Body", ["a@example.go.id"], smtp=smtp, allow_private=True) == 1
    finally:
        server.stop()
    [message] = server.mailbox.messages
    assert message["Subject"] == "Line one"
    assert message.get_payload().strip() == "Body"


def test_send_email_with_the_deployment_smtp_server_is_trusted(db, settings):
    server = SmtpServer().start()
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    try:
        net.send_email("Hi", "There", ["b@example.go.id"])
    finally:
        server.stop()
    assert server.mailbox.envelopes[0].rcpt_tos == ["b@example.go.id"]


def test_apprise_json_target_obeys_the_policy(receiver):
    port = receiver.url.rsplit(":", 1)[1]
    with pytest.raises(net.BlockedAddress):
        net.notify_apprise(f"json://127.0.0.1:{port}/in", "Title", "Body")
    net.notify_apprise(f"json://127.0.0.1:{port}/in", "Title", "Body", allow_private=True, severity="warning")
    got = receiver.requests[0].json()
    assert (got["title"], got["message"], got["type"]) == ("Title", "Body", "warning")


def test_apprise_failure_is_reported(receiver):
    receiver.default.status = 500
    port = receiver.url.rsplit(":", 1)[1]
    with pytest.raises(net.ConnectionFailed, match="Apprise could not deliver"):
        net.notify_apprise(f"json://127.0.0.1:{port}/in", "T", "B", allow_private=True)


def test_apprise_url_must_be_recognised():
    with pytest.raises(net.NetError, match="does not recognise"):
        net.notify_apprise("nonsense://what", "T", "B")
