import http.client
import os
import signal
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email.utils import formatdate

import pytest

from jagaweb.demo.accesslog import escape
from jagaweb.demo.ports import any_free_port
from jagaweb.demo.siteserver import serve_in_thread, shutdown
from tests.demo.helpers import log_lines, parse_combined, wait_for

SECRET = "rahasia-di-luar-root"


@pytest.fixture
def server(tmp_path, monkeypatch):
    monkeypatch.setenv("JAGAWEB_TIME_ZONE", "Asia/Jakarta")
    root = tmp_path / "www"
    (root / "berita").mkdir(parents=True)
    (root / "kosong").mkdir()
    (root / "index.html").write_text("<h1>Beranda</h1>", encoding="utf-8")
    (root / "berita" / "index.html").write_text("<h1>Indeks berita</h1>", encoding="utf-8")
    (root / "berita" / "satu.html").write_text("<p>Berita satu</p>", encoding="utf-8")
    (root / ".htaccess").write_text("Deny from all")
    (tmp_path / "secret.txt").write_text(SECRET)
    (root / "tautan.txt").symlink_to(tmp_path / "secret.txt")
    (root / "tautan-dir").symlink_to(tmp_path)
    log = tmp_path / "logs" / "access.log"
    srv = serve_in_thread(root, 0, log)
    srv.log_path = log
    yield srv
    shutdown(srv)


def fetch(srv, path, method="GET", headers=None, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def raw(srv, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_serves_the_index_and_files_with_types(server):
    status, headers, body = fetch(server, "/")
    assert (status, body) == (200, b"<h1>Beranda</h1>")
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Content-Length"] == str(len(body))
    assert "Last-Modified" in headers and headers["Server"] == "JagaWebDemo/1.0"
    assert fetch(server, "/berita/satu.html?utm_source=x")[2] == b"<p>Berita satu</p>"


def test_directory_index_and_redirect_to_the_slash(server):
    assert fetch(server, "/berita/")[2] == b"<h1>Indeks berita</h1>"
    status, headers, _ = fetch(server, "/berita")
    assert status == 301 and headers["Location"] == "/berita/"
    assert fetch(server, "/kosong/")[0] == 403  # no index and no listing


def test_unknown_paths_are_404(server):
    assert fetch(server, "/tidak-ada.html")[0] == 404
    assert fetch(server, "/berita/tidak-ada/")[0] == 404


def test_head_sends_headers_only(server):
    status, headers, body = fetch(server, "/", method="HEAD")
    assert status == 200 and body == b"" and headers["Content-Length"] == "16"


def test_post_is_refused(server):
    status, headers, _ = fetch(server, "/", method="POST", body=b"a=1")
    assert status == 405 and headers["Allow"] == "GET, HEAD"
    assert fetch(server, "/wp-login.php", method="POST", body=b"log=admin")[0] == 404


def test_not_modified(server):
    later = formatdate((datetime.now(UTC) + timedelta(minutes=5)).timestamp(), usegmt=True)
    assert fetch(server, "/", headers={"If-Modified-Since": later})[0] == 304
    assert fetch(server, "/", headers={"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"})[0] == 200


def test_hidden_server_files_are_forbidden(server):
    assert fetch(server, "/.htaccess")[0] == 403


@pytest.mark.parametrize("path", [
    "/../secret.txt",
    "/../../../../../../etc/passwd",
    "/berita/../../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
    "/..%2fsecret.txt",
    "/..%2Fsecret.txt",
    "/berita/..%2f..%2fsecret.txt",
    "/..%5csecret.txt",
    "/..\\secret.txt",
    "/%252e%252e/secret.txt",
    "/%c0%ae%c0%ae/secret.txt",
    "/%00/../secret.txt",
    "//etc/passwd",
    "/tautan.txt",
    "/tautan-dir/secret.txt",
    "http://127.0.0.1/../secret.txt",
])
def test_never_serves_outside_the_root(server, path):
    status, _, body = fetch(server, path)
    assert status in (400, 403, 404)
    assert SECRET.encode() not in body and b"root:" not in body


def test_traversal_without_leading_slash_is_a_bad_request(server):
    answer = raw(server, b"GET ../../etc/passwd HTTP/1.0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.0 400") and b"root:" not in answer


def test_writes_combined_format_lines(server):
    fetch(server, "/", headers={"User-Agent": 'Peramban "Uji"/1.0', "Referer": "https://www.google.co.id/"})
    fetch(server, "/tidak-ada.html")
    fetch(server, "/", method="HEAD")
    lines = log_lines(server.log_path, 3)
    hits = sorted((parse_combined(line) for line in lines), key=lambda h: h["request"])
    by_request = {(h["request"], h["status"]): h for h in hits}
    first = by_request[("GET / HTTP/1.1", 200)]
    assert first["host"] == "127.0.0.1" and first["ident"] == "-" and first["user"] == "-"
    assert first["size"] == 16
    assert first["referer"] == "https://www.google.co.id/"
    assert first["agent"] == 'Peramban \\"Uji\\"/1.0'
    assert first["time"].utcoffset() == timedelta(hours=7)
    assert abs(first["time"] - datetime.now(UTC)) < timedelta(minutes=1)
    assert by_request[("GET /tidak-ada.html HTTP/1.1", 404)]["size"] > 0
    assert by_request[("HEAD / HTTP/1.1", 200)]["size"] is None  # %b is "-" when no body was sent


def test_log_time_uses_english_month_names(server):
    fetch(server, "/")
    line = log_lines(server.log_path, 1)[0]
    month = line.split("[", 1)[1].split("/")[1]
    assert month in ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def test_bad_requests_are_logged_too(server):
    raw(server, b"GET ../../etc/passwd HTTP/1.0\r\n\r\n")
    hit = parse_combined(log_lines(server.log_path, 1)[0])
    assert hit["status"] == 400 and hit["request"] == "GET ../../etc/passwd HTTP/1.0"


def test_escape_follows_apache():
    assert escape('a"b\\c') == 'a\\"b\\\\c'
    assert escape("tab\there") == "tab\\x09here"
    assert escape("\xe9") == "\\xe9"  # a Latin-1-decoded byte stays one byte
    assert escape("\u20ac") == "\\xe2\\x82\\xac"


def test_runs_as_a_process_and_stops_cleanly_on_sigterm(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    (root / "index.html").write_text("halo")
    log = tmp_path / "access.log"
    port = any_free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "jagaweb.demo.siteserver", "--root", root, "--port", str(port), "--log", log],
        env={**os.environ, "JAGAWEB_TIME_ZONE": "Asia/Jakarta"},
    )
    try:
        def answers():
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                connection.request("GET", "/")
                return connection.getresponse().read() == b"halo"
            except OSError:
                return False

        wait_for(answers, 15, "the site server to answer")
        assert parse_combined(log_lines(log, 1)[0])["status"] == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
