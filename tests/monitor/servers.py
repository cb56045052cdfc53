"""A scriptable HTTP server on 127.0.0.1 for monitoring tests, and helpers to run one check against it.

    with WebServer() as web:
        web.route("/", body="<h1>Berita terbaru</h1>")        # 200, text/html, the body given
        web.route("/feed.xml", body=xml, content_type="application/rss+xml")
        web.route("/slow", body="late", delay=2.0)             # answers after 2 s
        web.route("/reset", reset=True)                        # TCP reset (RST) instead of an answer
        web.route("/drop", drop=True)                          # closes the connection without a word
        web.route("/error", status=500, body="Internal Server Error")
        web.route("/page", headers={"Last-Modified": "Sat, 21 Nov 2026 10:00:00 GMT"})
        web.redirect("/old", "/new", status=301)               # Location may be relative or absolute
        web.url("/old")                      # "http://127.0.0.1:PORT/old"
        web.url("/old", host="portal.example.go.id")   # same server under a name (see `hosts_for`)
        web.hits                             # paths requested so far, in order

Unknown paths answer 404. HTTP/1.1 with keep-alive, one thread per connection; a slow answer waits on an
event that `stop()` sets, so no test waits for a sleeping thread. Pass `tls=ssl_context` to serve HTTPS.

`spec_for(kind, target, ...)` builds a CheckSpec and `run(kind, spec, now=...)` runs it to an Outcome
with real sessions (`asyncio.run(kind.run(spec, Context(now, sessions)))`).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import struct
import sys
import threading
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django.utils import timezone, translation

from jagaweb.monitor.checks.base import CheckSpec, CheckType, Outcome
from jagaweb.monitor.checks.sessions import run_once


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/html; charset=utf-8"
    delay: float = 0.0
    reset: bool = False
    drop: bool = False


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return  # a client that gave up or reset a kept-alive connection: expected here
        super().handle_error(request, client_address)


class WebServer:
    def __init__(self, *, tls: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[str] = []
        self.tls = tls
        self.stopping = threading.Event()
        self.server: ThreadingHTTPServer | None = None

    # --- scripting ---
    def route(self, path: str, body: bytes | str = b"", *, status: int = 200, headers: dict[str, str] | None = None,
              content_type: str = "text/html; charset=utf-8", delay: float = 0.0, reset: bool = False,
              drop: bool = False) -> WebServer:
        raw = body.encode() if isinstance(body, str) else body
        self.routes[path] = Route(status, raw, dict(headers or {}), content_type, delay, reset, drop)
        return self

    def redirect(self, path: str, location: str, *, status: int = 302) -> WebServer:
        return self.route(path, status=status, headers={"Location": location})

    @property
    def port(self) -> int:
        assert self.server is not None, "start the server first"
        return int(self.server.server_address[1])

    def url(self, path: str = "/", *, host: str = "127.0.0.1") -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{host}:{self.port}{path}"

    # --- lifecycle ---
    def start(self) -> WebServer:
        self.server = _Server(("127.0.0.1", 0), _handler_for(self))
        if self.tls is not None:
            self.server.socket = self.tls.wrap_socket(self.server.socket, server_side=True)
        thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def __enter__(self) -> WebServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _handler_for(web: WebServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def answer(self, *, with_body: bool) -> None:
            web.hits.append(self.path)
            route = web.routes.get(self.path.split("?")[0]) or Route(404, b"not found")
            if route.delay and web.stopping.wait(route.delay):
                self.close_connection = True
                return
            if route.reset or route.drop:
                if route.reset:  # linger 0: close() sends RST instead of FIN
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
                self.close_connection = True
                return
            try:
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if with_body:
                    self.wfile.write(route.body)
            except OSError:
                self.close_connection = True  # the client gave up (timeout tests)

        def do_GET(self) -> None:
            self.answer(with_body=True)

        def do_HEAD(self) -> None:
            self.answer(with_body=False)

        def finish(self) -> None:
            with contextlib.suppress(OSError, ValueError):  # the socket was reset or dropped on purpose
                super().finish()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def hosts_for(*names: str) -> dict[str, list[str]]:
    """JAGAWEB_NET_HOSTS pointing `names` at 127.0.0.1, for `override_settings`."""
    return {name: ["127.0.0.1"] for name in names}


def spec_for(kind: CheckType, target: str, *, config: dict[str, Any] | None = None, timeout: float = 5.0,
             interval: int | None = None, allow_private: bool = True, site_url: str | None = None,
             **extra: Any) -> CheckSpec:
    """A CheckSpec as the engine builds it; `config` goes through the kind's clean_config first."""
    return CheckSpec(
        id=1, site_id=1, site_name="Portal Kominfo", site_url=site_url or target, kind=str(kind.kind),
        target=kind.target_for(target, site_url or target), config=kind.clean_config(config or {}),
        timeout=timeout, interval=interval or kind.default_interval, allow_private=allow_private, **extra,
    )


def run(kind: CheckType, spec: CheckSpec, now: datetime | None = None, language: str = "en") -> Outcome:
    """Messages in English unless told, so tests can compare them whatever the default language is."""
    with translation.override(language):
        return asyncio.run(run_once(kind, spec, now or timezone.now()))
