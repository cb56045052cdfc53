"""The policy proxy spoken to directly, without a browser: what it forwards, tunnels and refuses."""

from __future__ import annotations

import http.client
import socket

import pytest

from jagaweb.guard.visual.policy import BrowserPolicy
from jagaweb.guard.visual.proxy import MARK_HEADER, PolicyProxy
from tests.guard.visual.browsing import INTRANET_HOST, PORTAL_HOST, local_names
from tests.guard.visual.server import PageServer


@pytest.fixture
def site():
    with PageServer() as server:
        server.page("/", "<h1>Beranda</h1>")
        yield server


@pytest.fixture(autouse=True)
def names(settings):
    settings.JAGAWEB_NET_HOSTS = local_names()


def proxy_for(**policy: object) -> PolicyProxy:
    return PolicyProxy(BrowserPolicy.build(**policy), timeout=5)


def through(proxy: PolicyProxy, url: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", int(proxy.url.rsplit(":", 1)[1]), timeout=5)
    connection.request("GET", url, headers={"Proxy-Connection": "keep-alive"})
    return connection.getresponse()


def test_plain_http_is_forwarded_to_an_allowed_host(site):
    with proxy_for(allow_private=False, private_hosts=[PORTAL_HOST]) as proxy:
        response = through(proxy, site.url("/?q=1", host=PORTAL_HOST))
        assert response.status == 200 and response.read() == b"<h1>Beranda</h1>"
        assert response.getheader("Connection") == "close" and response.getheader(MARK_HEADER) is None
    ((path, headers),) = site.hits
    assert path == "/?q=1"  # origin form, as a server expects it
    assert headers["host"] == f"{PORTAL_HOST}:{site.port}" and "proxy-connection" not in headers


def test_plain_http_to_a_refused_host_never_connects(site):
    with proxy_for(allow_private=False, private_hosts=[PORTAL_HOST]) as proxy:
        response = through(proxy, site.url("/", host=INTRANET_HOST))
        assert response.status == 403 and response.getheader(MARK_HEADER) == "refused"
        problem = proxy.problem_for(INTRANET_HOST, site.port)
        assert problem is not None and problem.refused and "loopback" in problem.reason
        assert proxy.refused_since(0) == (f"{INTRANET_HOST}:{site.port}",)
    assert site.connections == 0


def test_connect_tunnels_to_an_allowed_host_and_refuses_others(site):
    with proxy_for(allow_private=False, private_hosts=[PORTAL_HOST]) as proxy:
        port = int(proxy.url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(f"CONNECT {PORTAL_HOST}:{site.port} HTTP/1.1\r\nHost: {PORTAL_HOST}\r\n\r\n".encode())
            assert sock.recv(1024).startswith(b"HTTP/1.1 200")
            sock.sendall(f"GET / HTTP/1.1\r\nHost: {PORTAL_HOST}\r\nConnection: close\r\n\r\n".encode())
            answer = b""
            for _ in range(50):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"<h1>Beranda</h1>")
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(f"CONNECT 127.0.0.1:{site.port} HTTP/1.1\r\n\r\n".encode())
            assert sock.recv(1024).startswith(b"HTTP/1.1 403")
    assert site.connections == 1


def test_an_unreachable_host_is_a_bad_gateway():
    with PageServer() as gone:
        port = gone.port
    with proxy_for(allow_private=True) as proxy:
        response = through(proxy, f"http://127.0.0.1:{port}/")
        assert response.status == 502 and response.getheader(MARK_HEADER) == "unreachable"
        problem = proxy.problem_for("127.0.0.1", port)
        assert problem is not None and not problem.refused
        assert proxy.refused_since(0) == ()


def test_requests_that_are_not_proxy_requests_are_rejected(site):
    with proxy_for(allow_private=True) as proxy:
        assert through(proxy, "/relative").status == 400
        assert through(proxy, f"ftp://127.0.0.1:{site.port}/").status == 400
        assert through(proxy, "http://127.0.0.1:notaport/").status == 400
    assert site.connections == 0
