"""`jagaweb guard scan-page` on files and on URLs fetched as each identity, and `guard scan-files`."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from jagaweb.guard.identities import PROFILES, headers_for
from tests.guard.page_fixtures import PAGES, page


def run(*args: str) -> str:
    out = StringIO()
    call_command("guard", *args, stdout=out)
    return out.getvalue()


def scan(*args: str) -> dict:
    return json.loads(run("scan-page", *args, "--json"))


@pytest.mark.parametrize("name,verdict", [
    ("clean_dinas_home.html", "clean"), ("clean_news_arrest.html", "clean"), ("clean_slot_waktu.html", "clean"),
    ("infected_footer_hidden.html", "judol"), ("doorway_fancy.html", "judol"), ("defaced.html", "defaced"),
    ("googlea1b2c3d4e5f60718.html", "suspicious"),
])
def test_scan_a_file(name, verdict):
    result = scan(str(PAGES / name))
    assert list(result) == ["verdict", "score", "reasons"]
    assert result["verdict"] == verdict
    assert all({"code", "message", "weight", "evidence"} <= set(reason) for reason in result["reasons"])


def test_plain_output_for_people():
    text = run("scan-page", str(PAGES / "infected_footer_hidden.html"))
    assert text.startswith("Online gambling spam: judol (score 100)")
    assert "judol.hidden" in text


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run("scan-page", str(tmp_path / "nope.html"))


def test_binary_file(tmp_path):
    target = tmp_path / "image.html"
    target.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64)
    assert scan(str(target)) == {"verdict": "clean", "score": 0, "reasons": [
        {"code": "page.binary", "message": "Not a text page: binary content was not analysed", "weight": 0,
         "evidence": []}]}


class CloakingSite:
    """A local site that shows its gambling doorway only to Googlebot and to Indonesian search visitors."""

    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.requests.append({"path": self.path, **dict(self.headers)})
                agent, referrer = self.headers.get("User-Agent", ""), self.headers.get("Referer", "")
                language = self.headers.get("Accept-Language", "")
                if self.path == "/moved":
                    self.answer(301, b"", location="/")
                elif self.path == "/away":
                    self.answer(302, b"", location="https://slot-gacor-maxwin.invalid/daftar")
                elif "Googlebot" in agent or ("google." in referrer and language.startswith("id")):
                    self.answer(200, page("doorway_fancy.html"))
                else:
                    self.answer(200, page("clean_dinas_home.html"))

            def answer(self, status: int, body: bytes, location: str = "") -> None:
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def site() -> Iterator[CloakingSite]:
    server = CloakingSite()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.mark.parametrize("identity,verdict", [
    ("normal", "clean"), ("mobile", "clean"), ("googlebot", "judol"), ("search", "judol"),
])
def test_scan_a_url_as_each_identity(site, identity, verdict):
    result = scan(site.url + "/", "--as", identity, "--allow-private")
    assert result["verdict"] == verdict
    sent = site.requests[-1]
    for name, value in headers_for(identity).items():
        assert sent[name] == value


def test_identities_send_what_their_real_counterparts_send():
    assert "Googlebot/2.1" in PROFILES["googlebot"].user_agent
    assert "Mobile" in PROFILES["mobile"].user_agent
    search = headers_for("search")
    assert search["Referer"].startswith("https://www.google.co.id/")
    assert search["Accept-Language"].startswith("id-ID")
    assert "Referer" not in headers_for("normal") and "Referer" not in headers_for("googlebot")


def test_redirect_within_the_site_is_followed(site):
    assert scan(site.url + "/moved", "--as", "googlebot", "--allow-private")["verdict"] == "judol"
    assert [request["path"] for request in site.requests] == ["/moved", "/"]


def test_redirect_to_a_gambling_site_is_reported_not_followed(site):
    result = scan(site.url + "/away", "--allow-private")
    assert result["verdict"] == "judol"
    assert [reason["code"] for reason in result["reasons"]] == ["redirect.http"]
    assert [request["path"] for request in site.requests] == ["/away"]


def test_loopback_needs_allow_private(site):
    with pytest.raises(CommandError, match="loopback"):
        scan(site.url + "/")


@pytest.mark.django_db
def test_scan_files_prints_scanned_and_flagged_files(tmp_path):
    (tmp_path / "index.html").write_text("<p>Beranda</p>")
    uploads = tmp_path / "wp-content" / "uploads"
    uploads.mkdir(parents=True)
    (uploads / "x.php").write_text("<?php if(isset($_POST['c'])){ eval(base64_decode($_POST['c'])); } ?>")
    result = json.loads(run("scan-files", str(tmp_path), "--json"))
    assert list(result) == ["scanned", "files"]
    assert result["scanned"] == 2
    assert [item["path"] for item in result["files"]] == ["wp-content/uploads/x.php"]
    assert {"path", "verdict", "severity", "reasons"} <= set(result["files"][0])


@pytest.mark.django_db
def test_scan_files_errors(tmp_path):
    with pytest.raises(CommandError, match="not a directory"):
        run("scan-files", str(tmp_path / "missing"))
    with pytest.raises(CommandError, match="No site"):
        run("scan-files", str(tmp_path), "--site", "no-such-site")
