"""A forward HTTP proxy on 127.0.0.1 through which the screenshot browser makes every connection.

Why a proxy rather than Playwright's request routing: a route handler never sees the hops of a redirect
(Chromium follows a 302 from an allowed host to http://10.0.0.1/ without asking; measured with Playwright
1.65), and the browser would resolve each name again after the check. Chromium is launched with this proxy
for every scheme, loopback included, so each connection it opens - the page, a subresource, a redirect hop,
a worker's fetch, a websocket - arrives here as a CONNECT or an absolute-URI request, is checked by
`BrowserPolicy.addresses` and goes to the address that was checked. Nothing else is proxied: the listener
is on loopback, lives for one `capture()` call and serves only that call's policy.

Plain HTTP is forwarded one request per connection (`Connection: close` both ways), so a request meant
for one host can never travel down a connection opened to another.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

from jagaweb import net
from jagaweb.guard.visual.policy import BrowserPolicy, normalise_host

MAX_HEAD = 64 * 1024
CHUNK = 64 * 1024
# A hostile page could stream forever; the capture's timeout ends that too, this bounds the bytes.
MAX_BYTES_PER_CONNECTION = 64 * 1024 * 1024
ACCEPT_POLL_SECONDS = 0.2
# Headers about the connection to the proxy itself, never passed on.
HOP_HEADERS = frozenset({b"connection", b"proxy-connection", b"keep-alive", b"proxy-authorization"})
# Marks the proxy's own answers, so the capture can tell them from the site's.
MARK_HEADER = "X-JagaWeb-Proxy"


@dataclass(frozen=True)
class Problem:
    """A connection the proxy did not make: refused by the policy or unreachable."""

    host: str
    port: int
    reason: str
    refused: bool


@dataclass(frozen=True)
class ProxyRequest:
    method: str
    target: str
    version: str
    headers: list[tuple[bytes, bytes]]


def read_head(sock: socket.socket) -> tuple[bytes, bytes] | None:
    """The bytes up to the blank line ending an HTTP head, and whatever came after them."""
    buffer = b""
    while len(buffer) <= MAX_HEAD:
        data = sock.recv(CHUNK)
        if not data:
            return None
        buffer += data
        end = buffer.find(b"\r\n\r\n")
        if end >= 0:
            return buffer[:end + 4], buffer[end + 4:]
    return None


def parse_request(head: bytes) -> ProxyRequest | None:
    lines = head.split(b"\r\n")
    parts = lines[0].decode("latin-1").split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        return None
    headers = []
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if sep:
            headers.append((name.strip(), value.strip()))
    return ProxyRequest(parts[0].upper(), parts[1], parts[2], headers)


def split_authority(authority: str, default_port: int) -> tuple[str, int] | None:
    """host and port of "host:port" or "[v6]:port"; None when the port is not a number."""
    parsed = urlsplit(f"//{authority}")
    try:
        port = parsed.port or default_port
    except ValueError:
        return None
    return (parsed.hostname, port) if parsed.hostname else None


def closing_head(head: bytes) -> bytes:
    """An HTTP head with its connection headers replaced by `Connection: close`."""
    lines = head[:-4].split(b"\r\n")
    kept = [lines[0], *(line for line in lines[1:] if line.partition(b":")[0].strip().lower() not in HOP_HEADERS)]
    return b"\r\n".join([*kept, b"Connection: close", b"", b""])


def answer(status: str, kind: str) -> bytes:
    return (f"HTTP/1.1 {status}\r\n{MARK_HEADER}: {kind}\r\nContent-Type: text/plain\r\n"
            "Content-Length: 0\r\nConnection: close\r\n\r\n").encode("ascii")


def relay(client: socket.socket, upstream: socket.socket, *, timeout: float, rewrite_response: bool) -> None:
    """Copy bytes both ways until a side closes, nothing moves for `timeout` s, or the byte cap is hit."""
    pending: bytes | None = b"" if rewrite_response else None
    moved = 0
    with selectors.DefaultSelector() as selector:
        selector.register(client, selectors.EVENT_READ, upstream)
        selector.register(upstream, selectors.EVENT_READ, client)
        while moved < MAX_BYTES_PER_CONNECTION:
            events = selector.select(timeout)
            if not events:
                return
            for key, _mask in events:
                source, target = key.fileobj, key.data
                assert isinstance(source, socket.socket)
                data = source.recv(CHUNK)
                if not data:
                    return
                moved += len(data)
                if source is upstream and pending is not None:
                    pending += data
                    end = pending.find(b"\r\n\r\n")
                    if end < 0:
                        if len(pending) > MAX_HEAD:
                            return
                        continue
                    data, pending = closing_head(pending[:end + 4]) + pending[end + 4:], None
                target.sendall(data)


class PolicyProxy:
    """Start it, point Chromium at `url`, stop it; `problems` lists the connections it did not make."""

    def __init__(self, policy: BrowserPolicy, *, timeout: float) -> None:
        self.policy = policy
        self.timeout = timeout
        self.problems: list[Problem] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(ACCEPT_POLL_SECONDS)
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._thread = threading.Thread(target=self._accept_loop, name="jagaweb-visual-proxy", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def problem_for(self, host: str, port: int) -> Problem | None:
        name = normalise_host(host)
        with self._lock:
            return next((p for p in reversed(self.problems) if (p.host, p.port) == (name, port)), None)

    def problem_count(self) -> int:
        with self._lock:
            return len(self.problems)

    def refused_since(self, start: int) -> tuple[str, ...]:
        """host:port of the connections refused by the policy since `problem_count()` was `start`."""
        with self._lock:
            refused = {f"[{p.host}]:{p.port}" if ":" in p.host else f"{p.host}:{p.port}"
                       for p in self.problems[start:] if p.refused}
        return tuple(sorted(refused))

    def start(self) -> PolicyProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=2)
        self._listener.close()
        with self._lock:
            still_open, self._open = list(self._open), set()
        for sock in still_open:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def __enter__(self) -> PolicyProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _address = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._track(client)
            threading.Thread(target=self._serve, args=(client,), name="jagaweb-visual-proxy-conn",
                             daemon=True).start()

    def _track(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.add(sock)

    def _forget(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.discard(sock)
        sock.close()

    def _serve(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        try:
            client.settimeout(self.timeout)
            received = read_head(client)
            request = parse_request(received[0]) if received else None
            if received is None or request is None:
                client.sendall(answer("400 Bad Request", "bad-request"))
                return
            if request.method == "CONNECT":
                upstream = self._tunnel(client, request, received[1])
            else:
                upstream = self._forward(client, request, received[1])
        except OSError:
            pass  # either side gave up; the browser sees a closed connection, as it would without a proxy
        finally:
            if upstream is not None:
                self._forget(upstream)
            self._forget(client)

    def _connect(self, client: socket.socket, host: str, port: int) -> socket.socket | None:
        """A connection to a checked address of host:port, or None after telling the browser why not."""
        name = normalise_host(host)
        try:
            addresses = self.policy.addresses(name, port)
        except net.NetError as exc:
            # A name that does not resolve is answered like a refusal: no connection was made either way.
            self._note(Problem(name, port, str(exc), refused=not isinstance(exc, net.UnresolvableHost)))
            client.sendall(answer("403 Forbidden", "refused"))
            return None
        error: OSError | None = None
        for ip in addresses:
            try:
                upstream = socket.create_connection((str(ip), port), timeout=self.timeout)
            except OSError as exc:
                error = exc
                continue
            self._track(upstream)
            return upstream
        reason = f"{name}:{port}: {getattr(error, 'strerror', None) or error}"
        self._note(Problem(name, port, reason, refused=False))
        client.sendall(answer("502 Bad Gateway", "unreachable"))
        return None

    def _note(self, problem: Problem) -> None:
        with self._lock:
            self.problems.append(problem)

    def _tunnel(self, client: socket.socket, request: ProxyRequest, early: bytes) -> socket.socket | None:
        authority = split_authority(request.target, 443)
        if authority is None:
            client.sendall(answer("400 Bad Request", "bad-request"))
            return None
        upstream = self._connect(client, *authority)
        if upstream is not None:
            client.sendall(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            if early:
                upstream.sendall(early)
            relay(client, upstream, timeout=self.timeout, rewrite_response=False)
        return upstream

    def _forward(self, client: socket.socket, request: ProxyRequest, early: bytes) -> socket.socket | None:
        parsed = urlsplit(request.target)
        authority = split_authority(parsed.netloc, 80) if parsed.scheme == "http" else None
        if authority is None:
            client.sendall(answer("400 Bad Request", "bad-request"))
            return None
        upstream = self._connect(client, *authority)
        if upstream is not None:
            path = (parsed.path or "/") + (f"?{parsed.query}" if parsed.query else "")
            lines = [f"{request.method} {path} {request.version}".encode("latin-1")]
            lines += [name + b": " + value for name, value in request.headers if name.lower() not in HOP_HEADERS]
            if not any(name.lower() == b"host" for name, _value in request.headers):
                lines.append(b"Host: " + parsed.netloc.encode("ascii", "ignore"))
            upstream.sendall(b"\r\n".join([*lines, b"Connection: close", b"", b""]) + early)
            relay(client, upstream, timeout=self.timeout, rewrite_response=True)
        return upstream
