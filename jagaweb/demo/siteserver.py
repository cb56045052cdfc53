"""A small static web server for one demo site, with an Apache-style access log.

    python -m jagaweb.demo.siteserver --root DIR --port N --log FILE

It listens on 127.0.0.1 only, serves GET and HEAD (POST gets 405, or 404 for a missing path),
answers a directory with its index.html, and never serves anything outside its root: paths with
`..` segments are refused and every file is resolved (symbolic links included) and checked to be
under the root before it is opened. The root's `.htaccess` rewrite rules are followed, in the small
subset `jagaweb.demo.rewrite` describes, so cloaking planted there (`jagaweb demo attack`) is really
served. The demo has no PHP: program files are refused rather than handed out as source.
"""

from __future__ import annotations

import argparse
import mimetypes
import signal
import threading
from datetime import datetime
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from urllib.parse import quote, unquote

from jagaweb.demo.accesslog import Hit, log_zone
from jagaweb.demo.rewrite import Outcome, Request, RulesFile

LOOPBACK = "127.0.0.1"
INDEX = "index.html"
CHUNK = 64 * 1024
MAX_DISCARD = 1024 * 1024
TEXT_TYPES = ("text/", "application/xml", "application/rss+xml", "application/javascript")
HTACCESS = ".htaccess"
PROGRAM_SUFFIXES = (".php", ".phtml", ".phar")


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root: Path, port: int, log_path: Path) -> None:
        self.root = root.resolve()
        self.rewrites = RulesFile(self.root / HTACCESS)
        self.zone = log_zone()
        self.log_lock = threading.Lock()
        log_path.parent.mkdir(parents=True, exist_ok=True)
        # Line-buffered, so a log reader sees each request as soon as it is answered.
        self.log_file = open(log_path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115
        try:
            super().__init__((LOOPBACK, port), SiteHandler)
        except OSError:
            self.log_file.close()
            raise

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def write_log(self, hit: Hit) -> None:
        with self.log_lock:
            # A request still finishing while the server shuts down goes unlogged rather than failing.
            if not self.log_file.closed:
                self.log_file.write(hit.combined() + "\n")

    def server_close(self) -> None:
        super().server_close()
        with self.log_lock:
            self.log_file.close()


def request_path(target: str) -> str | None:
    """The path part of a request target (origin form or absolute form), still percent-encoded."""
    if target.startswith(("http://", "https://")):
        rest = target.split("://", 1)[1]
        target = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
    if not target.startswith("/"):
        return None
    return target.split("?", 1)[0].split("#", 1)[0]


def rewrite_request(target: str, path: str, headers: dict[str, str]) -> Request | None:
    """What the rewrite rules look at, or None when the path is not valid percent-encoded UTF-8."""
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return None
    query = target.split("?", 1)[1].split("#", 1)[0] if "?" in target else ""
    return Request(decoded, query, headers)


def locate(root: Path, path: str) -> Path | None:
    """The existing file or directory `path` names under `root`, or None for anything else."""
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return None
    segments = [s for s in decoded.split("/") if s]
    if "\x00" in decoded or any(s == ".." or "\\" in s for s in segments):
        return None
    try:
        candidate = root.joinpath(*segments).resolve()
        found = candidate.is_relative_to(root) and candidate.exists()
    except OSError:  # a name too long for the file system, a symbolic link loop
        return None
    return candidate if found else None


class SiteHandler(BaseHTTPRequestHandler):
    server: SiteServer
    server_version = "JagaWebDemo/1.0"
    timeout = 30

    def version_string(self) -> str:
        return self.server_version

    def handle_one_request(self) -> None:
        self.status = 0
        self.body_bytes = 0
        self.requestline = ""
        super().handle_one_request()
        if self.status:
            self.server.write_log(Hit(
                client=self.client_address[0], request_line=self.requestline, status=self.status,
                body_bytes=self.body_bytes, referer=self.headers.get("Referer") if self.headers else None,
                user_agent=self.headers.get("User-Agent") if self.headers else None,
                moment=datetime.now(self.server.zone),
            ))

    # send_response() reports each status here; the line itself is written once the body is out.
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        self.status = int(code)

    def log_message(self, format: str, *args: object) -> None:
        """Errors are already in the access log; keep the terminal quiet."""

    def do_GET(self) -> None:
        self.serve()

    def do_HEAD(self) -> None:
        self.serve()

    def do_POST(self) -> None:
        self.discard_body()
        path = request_path(self.path)
        if path is None or locate(self.server.root, path) is None:
            self.send_error(HTTPStatus.NOT_FOUND)
        else:
            self.reply_error(HTTPStatus.METHOD_NOT_ALLOWED, {"Allow": "GET, HEAD"})

    def serve(self) -> None:
        path = request_path(self.path)
        if path is None:
            self.send_error(HTTPStatus.BAD_REQUEST)
            return
        headers = dict(self.headers.items()) if self.headers else {}
        request = rewrite_request(self.path, path, headers)
        result = self.server.rewrites.current().apply(request) if request is not None else None
        if result is None or result.outcome == Outcome.UNCHANGED:
            self.serve_path(path, rewritten=False)
        elif result.outcome == Outcome.REWRITE:
            self.serve_path(quote(result.path), rewritten=True)
        elif result.outcome == Outcome.REDIRECT:
            self.reply_error(HTTPStatus(result.status), {"Location": result.location})
        else:
            self.send_error(HTTPStatus.FORBIDDEN if result.outcome == Outcome.FORBIDDEN else HTTPStatus.GONE)

    def serve_path(self, path: str, *, rewritten: bool) -> None:
        target = locate(self.server.root, path)
        if target is not None and target.is_dir():
            # A rewrite to a folder is served in place; a visitor's own address gets its slash first.
            if not path.endswith("/") and not rewritten:
                self.redirect("/" + path.lstrip("/") + "/")
                return
            target = target / INDEX
            if not target.is_file():
                self.send_error(HTTPStatus.FORBIDDEN)
                return
        if target is None or not target.is_file():
            self.send_error(HTTPStatus.NOT_FOUND)
        elif target.name.startswith(".ht") or target.suffix.lower() in PROGRAM_SUFFIXES:
            self.send_error(HTTPStatus.FORBIDDEN)
        else:
            self.send_file(target)

    def send_file(self, target: Path) -> None:
        stat = target.stat()
        if self.not_modified_since(stat.st_mtime):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.end_headers()
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type(target))
        self.send_header("Content-Length", str(stat.st_size))
        self.send_header("Last-Modified", formatdate(stat.st_mtime, usegmt=True))
        self.end_headers()
        if self.command == "HEAD":
            return
        with target.open("rb") as source:
            while chunk := source.read(CHUNK):
                self.wfile.write(chunk)
                self.body_bytes += len(chunk)

    def not_modified_since(self, mtime: float) -> bool:
        header = self.headers.get("If-Modified-Since")
        if not header or self.headers.get("If-None-Match"):
            return False
        try:
            since = parsedate_to_datetime(header)
        except (TypeError, ValueError):
            return False
        return since.tzinfo is not None and int(mtime) <= since.timestamp()

    def redirect(self, location: str) -> None:
        self.reply_error(HTTPStatus.MOVED_PERMANENTLY, {"Location": location})

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        self.reply_error(HTTPStatus(code), {})

    def reply_error(self, status: HTTPStatus, headers: dict[str, str]) -> None:
        body = (
            f"<!doctype html><html><head><title>{status.value} {status.phrase}</title></head>"
            f"<body><h1>{status.value} {status.phrase}</h1></body></html>\n"
        ).encode()
        self.close_connection = True
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
            self.body_bytes += len(body)

    def discard_body(self) -> None:
        try:
            length = min(int(self.headers.get("Content-Length") or 0), MAX_DISCARD)
        except ValueError:
            length = 0
        if length > 0:
            self.rfile.read(length)


def content_type(path: Path) -> str:
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.name == "feed.xml":
        kind = "application/rss+xml"
    return f"{kind}; charset=utf-8" if kind.startswith(TEXT_TYPES) else kind


def serve_in_thread(root: Path, port: int, log_path: Path) -> SiteServer:
    """Start a server in a background thread (for tests and in-process use); stop it with `shutdown`."""
    server = SiteServer(root, port, log_path)
    # A short poll keeps `shutdown` quick; the process entry point keeps the default.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, name=f"site-{server.port}", daemon=True
    )
    thread.start()
    return server


def shutdown(server: SiteServer) -> None:
    server.shutdown()
    server.server_close()


def stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m jagaweb.demo.siteserver", description="Serve one demo site on 127.0.0.1."
    )
    parser.add_argument("--root", type=Path, required=True, help="The web root to serve.")
    parser.add_argument("--port", type=int, required=True, help="Port on 127.0.0.1 (0: any free port).")
    parser.add_argument("--log", type=Path, required=True, help="Access log file (appended to).")
    args = parser.parse_args(argv)
    if not args.root.is_dir():
        parser.error(f"--root {args.root} is not a directory")
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    server = SiteServer(args.root, args.port, args.log)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
