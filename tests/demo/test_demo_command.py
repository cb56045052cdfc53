"""`jagaweb demo` as a user runs it: a subprocess, real ports, a real login, SIGTERM at the end."""

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from django.urls import NoReverseMatch, reverse

from jagaweb.demo.ports import any_free_port
from tests.demo.helpers import parse_combined

START_TIMEOUT = 60
STOP_TIMEOUT = 20
SITE_LINE = re.compile(r"^\s+(http://127\.0\.0\.1:\d+/)\s+(\S.*)$")


class Demo:
    """The demo process, with its output read line by line in the background."""

    def __init__(self, tmp_path: Path, *args: str):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JAGAWEB_", "DJANGO_", "DATABASE_"))}
        # The throwaway directory lands in tmp_path; the launching process's own settings too.
        env.update({"TMPDIR": str(tmp_path), "JAGAWEB_DATA_DIR": str(tmp_path / "launcher")})
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jagaweb", "demo", *args], cwd=tmp_path, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        )
        self.lines: list[str] = []
        self.queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.queue.put(line.rstrip("\n"))
        self.queue.put(None)

    def wait_for_line(self, needle: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.queue.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                raise AssertionError("the demo ended early:\n" + "\n".join(self.lines))
            self.lines.append(line)
            if needle in line:
                return line
        raise AssertionError(f"no {needle!r} within {timeout}s:\n" + "\n".join(self.lines))

    def value(self, label: str) -> str:
        return next(line.split(label, 1)[1].split()[0] for line in self.lines if label in line)

    def kill(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def log_in(base_url: str, username: str, password: str) -> tuple[httpx.Client, httpx.Response]:
    client = httpx.Client(base_url=base_url, timeout=20)
    page = client.get("/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = client.post(
        "/login/", data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base_url}login/"},
    )
    return client, answer


def logged_visits(data_dir: Path, agent: str, expected: int, timeout: float = 10) -> int:
    """How many 200 answers to `agent` the demo sites' access logs hold, waiting up to `timeout` for `expected`."""
    deadline = time.monotonic() + timeout
    while True:
        logged = [parse_combined(line) for log in data_dir.glob("demo/sites/*/logs/access.log")
                  for line in log.read_text().splitlines()]
        count = sum(hit["agent"] == agent and hit["status"] == 200 for hit in logged)
        if count >= expected or time.monotonic() > deadline:
            return count
        time.sleep(0.05)


def dashboard_is_built() -> bool:
    # The dashboard template links to the inventory pages, which land in a parallel change.
    try:
        reverse("inventory:site_list")
    except NoReverseMatch:
        return False
    return True


def test_demo_end_to_end(tmp_path):
    port = any_free_port()
    demo = Demo(tmp_path, "--port", str(port), "--no-traffic")
    try:
        demo.wait_for_line("Press Ctrl-C to stop", START_TIMEOUT)
        data_dir = Path(demo.value("Data directory:"))
        url = demo.value("URL:")
        password = demo.value("Password:")
        sites = [m.groups() for line in demo.lines if (m := SITE_LINE.match(line))]
        assert url == f"http://127.0.0.1:{port}/"
        assert demo.value("Username:") == "admin"
        assert data_dir.is_dir() and data_dir.parent == tmp_path
        assert len(sites) == 3

        assert httpx.get(f"{url}login/", timeout=20).status_code == 200
        for site_url, _name in sites:
            answer = httpx.get(site_url, headers={"User-Agent": "uji-demo/1.0"}, timeout=10)
            assert answer.status_code == 200 and '<html lang="id">' in answer.text
        # Like Apache, the site server writes the log line after the body has gone out.
        assert logged_visits(data_dir, "uji-demo/1.0", expected=3) == 3

        for username in ("admin", "operator", "opd"):
            client, answer = log_in(url, username, password)
            assert answer.status_code == 302 and answer.headers["location"] == "/", username
            if username == "admin" and dashboard_is_built():
                page = client.get("/")
                assert page.status_code == 200
                for _site_url, name in sites:
                    assert name in page.text
            client.close()

        demo.process.send_signal(signal.SIGTERM)
        assert demo.process.wait(timeout=STOP_TIMEOUT) == 0
        assert not data_dir.exists()
    finally:
        demo.kill()


def test_sigterm_while_preparing_stops_and_cleans_up(tmp_path):
    demo = Demo(tmp_path, "--port", str(any_free_port()), "--no-traffic")
    try:
        demo.wait_for_line("Preparing the database", START_TIMEOUT)
        data_dir = Path(demo.value("Data directory:"))
        demo.process.send_signal(signal.SIGTERM)
        assert demo.process.wait(timeout=STOP_TIMEOUT) == 0
        assert not data_dir.exists()
    finally:
        demo.kill()


def test_a_port_in_use_is_refused(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        demo = Demo(tmp_path, "--port", str(busy.getsockname()[1]))
        try:
            demo.process.wait(timeout=STOP_TIMEOUT)
            demo.wait_for_line("in use", 5)
            assert demo.process.returncode != 0
            assert not list(tmp_path.glob("jagaweb-demo-*"))
        finally:
            demo.kill()


def test_help_lists_the_options(tmp_path):
    demo = Demo(tmp_path, "--help")
    try:
        assert demo.process.wait(timeout=STOP_TIMEOUT) == 0
        demo.wait_for_line("--no-traffic", 5)
        assert any("--data-dir" in line for line in demo.lines)
    finally:
        demo.kill()
