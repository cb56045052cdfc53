"""A small HTTP server on 127.0.0.1 for the visual tests: scripted pages, every request and connection recorded.

    with PageServer() as site:
        site.page("/", "<h1>Beranda</h1>")
        site.redirect("/old", "http://elsewhere/")
        site.page("/slow.png", b"...", content_type="image/png", delay=30)  # answers when the server stops
        site.url("/", host="portal.example.go.id")
        site.paths                  # paths asked for, in order
        site.hits                   # (path, headers) of each request
        site.connections            # TCP connections accepted (a preconnect counts, a request need not follow)
"""

from __future__ import annotations

import contextlib
import sys
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Answer:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str]
    delay: float


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, owner: PageServer) -> None:
        self.owner = owner
        super().__init__(("127.0.0.1", 0), _Handler)

    def verify_request(self, request: Any, client_address: Any) -> bool:
        with self.owner.lock:
            self.owner.connections += 1
        return True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], OSError):  # a browser hanging up early is expected
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        owner = self.server.owner
        with owner.lock:
            owner.hits.append((self.path, {name.lower(): value for name, value in self.headers.items()}))
        answer = owner.answers.get(self.path.split("?")[0]) or Answer(404, b"not found", "text/plain", {}, 0)
        if answer.delay and owner.stopping.wait(answer.delay):
            self.close_connection = True
            return
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(answer.body)
        except OSError:
            self.close_connection = True

    def finish(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        pass


class PageServer:
    def __init__(self) -> None:
        self.answers: dict[str, Answer] = {}
        self.hits: list[tuple[str, dict[str, str]]] = []
        self.connections = 0
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.server: _Server | None = None

    def page(self, path: str, body: str | bytes, *, status: int = 200, content_type: str = "text/html; charset=utf-8",
             headers: dict[str, str] | None = None, delay: float = 0) -> PageServer:
        raw = body.encode() if isinstance(body, str) else body
        self.answers[path] = Answer(status, raw, content_type, dict(headers or {}), delay)
        return self

    def redirect(self, path: str, location: str) -> PageServer:
        return self.page(path, b"", status=302, headers={"Location": location})

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.server_address[1])

    def url(self, path: str = "/", *, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    @property
    def paths(self) -> list[str]:
        with self.lock:
            return [path for path, _headers in self.hits]

    def headers_for(self, path: str) -> list[dict[str, str]]:
        with self.lock:
            return [headers for hit, headers in self.hits if hit == path]

    def __enter__(self) -> PageServer:
        self.server = _Server(self)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        assert self.server is not None
        self.server.shutdown()
        self.server.server_close()
