"""`jagaweb serve` for real: web server, scheduler and worker come up, do their work, and stop on SIGTERM."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.service.conftest import ADMIN, ADMIN_PASSWORD, REPO, jagaweb_env

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads child processes from /proc")

START_TIMEOUT = 90
STOP_TIMEOUT = 20


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children_of(pid: int) -> dict[int, str]:
    """Every descendant of `pid` still alive (zombies excluded), with its command line."""
    parents: dict[int, int] = {}
    commands: dict[int, str] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if fields[0] == "Z":
                continue
            child = int(stat.parent.name)
            parents[child] = int(fields[1])
            commands[child] = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except (OSError, IndexError, ValueError):
            continue
    found: dict[int, str] = {}
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier and child not in found}
        found.update({child: commands[child] for child in frontier})
    return found


def wait_until(check: Callable[[], object], timeout: float, what: str, alive: subprocess.Popen) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert alive.poll() is None, f"jagaweb serve exited with {alive.returncode} while waiting for {what}"
        try:
            result = check()
        except (OSError, http.client.HTTPException, sqlite3.Error):
            result = None
        if result:
            return result
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def get(port: int, path: str, headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    return response


def log_in(port: int) -> http.client.HTTPResponse:
    form = get(port, "/login/")
    cookie = SimpleCookie(form.getheader("Set-Cookie"))["csrftoken"].value
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', form.body).group(1).decode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    fields = {"username": ADMIN, "password": ADMIN_PASSWORD, "csrfmiddlewaretoken": token, "next": "/"}
    body = urlencode(fields)
    connection.request("POST", "/login/", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookie}",
    })
    return connection.getresponse()


def finished_runs(database: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as db:
        rows = db.execute(
            "SELECT e.job, r.status FROM jobs_jobrun r JOIN jobs_scheduleentry e ON e.id = r.entry_id"
            " WHERE r.status IN ('succeeded', 'failed')"
        )
        return list(rows)


def test_serve_runs_the_whole_service_and_stops_cleanly_on_sigterm(initialised: Path, tmp_path: Path):
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        serve = subprocess.Popen(
            [sys.executable, "-m", "jagaweb", "serve", "--bind", f"127.0.0.1:{port}", "--web-workers", "1",
             "--threads", "2"],
            cwd=REPO, env=jagaweb_env(initialised), stdin=subprocess.DEVNULL, stdout=out,
            stderr=subprocess.STDOUT,
        )
    seen: dict[int, str] = {}
    try:
        wait_until(lambda: get(port, "/healthz").status == 200, START_TIMEOUT, "GET /healthz", serve)
        home = get(port, "/")
        assert home.status == 302 and home.getheader("Location") == "/login/?next=/"
        signed_in = log_in(port)
        assert (signed_in.status, signed_in.getheader("Location")) == (302, "/"), "the admin of init logs in"

        seen = children_of(serve.pid)
        commands = " | ".join(seen.values())
        assert re.search(r"-m gunicorn jagaweb.wsgi:application", commands), commands
        assert re.search(r"-m jagaweb scheduler", commands), commands
        assert re.search(r"-m jagaweb worker", commands), commands
        # The scheduler queued the built-in daily job on start and the worker ran it.
        database = initialised / "jagaweb.sqlite3"
        runs = wait_until(lambda: finished_runs(database), 60, "a finished job run", serve)
        assert ("jobs.prune_history", "succeeded") in runs
        assert children_of(serve.pid).keys() >= seen.keys(), "a child died while the service was up"

        serve.send_signal(signal.SIGTERM)
        code = serve.wait(timeout=STOP_TIMEOUT)

        assert code == 0, log.read_text()[-3000:]
        left = children_of_any(seen)
        assert not left, f"processes left behind: {left}"
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()
        for pid in children_of_any(seen):
            kill_quietly(pid)


def children_of_any(pids: dict[int, str]) -> dict[int, str]:
    """Those of `pids` that still run the same command (a recycled pid does not count)."""
    alive = {}
    for pid, command in pids.items():
        try:
            now = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if now == command and state != "Z":
            alive[pid] = command
    return alive


def kill_quietly(pid: int) -> None:
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
