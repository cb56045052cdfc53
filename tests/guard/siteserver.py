"""A small government site on 127.0.0.1 whose pages can be swapped, and cloaked by visitor, during a test.

    with GuardSite() as site:
        site.page("/", CLEAN_HOME)
        site.page("/", SPAM, when=lambda headers: "Googlebot" in headers.get("User-Agent", ""))
        site.url("/")
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Condition = Callable[[dict[str, str]], bool]


class GuardSite:
    def __init__(self) -> None:
        self.pages: dict[str, list[tuple[Condition | None, int, bytes, str]]] = {}
        self.hits: list[tuple[str, str]] = []  # (path, user agent)
        self.server: ThreadingHTTPServer | None = None

    def page(self, path: str, body: str | bytes, *, when: Condition | None = None, status: int = 200,
             content_type: str = "text/html; charset=utf-8") -> GuardSite:
        raw = body.encode() if isinstance(body, str) else body
        variants = self.pages.setdefault(path, [])
        if when is None:
            variants[:] = [v for v in variants if v[0] is not None]
            variants.append((None, status, raw, content_type))
        else:
            variants.insert(0, (when, status, raw, content_type))
        return self

    def forget(self, path: str) -> None:
        self.pages.pop(path, None)

    def answer(self, path: str, headers: dict[str, str]) -> tuple[int, bytes, str]:
        for condition, status, body, content_type in self.pages.get(path, []):
            if condition is None or condition(headers):
                return status, body, content_type
        return 404, b"<html><body>Tidak ditemukan</body></html>", "text/html"

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.server_address[1])

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> GuardSite:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                headers = {name: value for name, value in self.headers.items()}
                site.hits.append((path, headers.get("User-Agent", "")))
                status, body, content_type = site.answer(path, headers)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.server is not None:
            self.server.shutdown()
            with contextlib.suppress(OSError):
                self.server.server_close()


def is_googlebot(headers: dict[str, str]) -> bool:
    return "Googlebot" in headers.get("User-Agent", "")


def from_google(headers: dict[str, str]) -> bool:
    return "google." in headers.get("Referer", "")
