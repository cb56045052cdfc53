"""Registry servers on 127.0.0.1 for the domain check: RDAP (with IANA's bootstrap file) and WHOIS on TCP.

RDAP answers come from tests/fixtures/monitor/rdap/<domain>.json (or .txt for a deliberately broken
one), with `{base}` replaced by the server's own address; the bootstrap file maps `.id` to this
server, as IANA's maps it to PANDI's. WHOIS answers come from tests/fixtures/monitor/whois/<domain>.txt.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "monitor"
RDAP_FIXTURES = FIXTURES / "rdap"
WHOIS_FIXTURES = FIXTURES / "whois"


@dataclass
class RdapServer:
    requests: list[tuple[str, str]] = field(default_factory=list)  # (path, Accept header)
    bootstrap_status: int = 200
    bootstrap_body: bytes | None = None  # None: the fixture file
    server: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def bootstrap_url(self) -> str:
        return f"{self.base}/bootstrap/dns.json"

    def paths(self) -> list[str]:
        return [path for path, _accept in self.requests]

    def answer(self, path: str) -> tuple[int, bytes]:
        if path == "/bootstrap/dns.json":
            body = self.bootstrap_body
            if body is None:
                body = (RDAP_FIXTURES / "bootstrap-dns.json").read_bytes()
            return self.bootstrap_status, body.replace(b"{base}", self.base.encode())
        prefix = "/rdap/domain/"
        if path.startswith(prefix):
            name = path[len(prefix):].lower()
            for suffix in (".json", ".txt"):
                fixture = RDAP_FIXTURES / f"{name}{suffix}"
                if "/" not in name and fixture.is_file():
                    return 200, fixture.read_bytes().replace(b"{base}", self.base.encode())
            return 404, (RDAP_FIXTURES / "not-found.json").read_bytes()
        return 500, b'{"errorCode": 500, "title": "Internal Server Error"}'

    def __enter__(self) -> RdapServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.requests.append((self.path, self.headers.get("Accept", "")))
                status, body = owner.answer(self.path)
                self.send_response(status)
                self.send_header("Content-Type", "application/rdap+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.shutdown()
        self.server.server_close()


class WhoisServer:
    """Port-43 style: reads one query line, writes the fixture (or "not found"), hangs up."""

    def __init__(self) -> None:
        self.queries: list[str] = []
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.listener.settimeout(0.1)
        self.port: int = self.listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def __enter__(self) -> WhoisServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.listener.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _addr = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with contextlib.suppress(OSError), conn:
                conn.settimeout(2)
                line = b""
                while not line.endswith(b"\n") and len(line) < 1024:
                    chunk = conn.recv(1024)
                    if not chunk:
                        break
                    line += chunk
                query = line.decode("utf-8", "replace").strip().lower()
                self.queries.append(query)
                fixture = WHOIS_FIXTURES / f"{query}.txt"
                if query and "/" not in query and fixture.is_file():
                    conn.sendall(fixture.read_bytes())
                else:
                    conn.sendall(f'No match for "{query.upper()}".\r\n'.encode())
