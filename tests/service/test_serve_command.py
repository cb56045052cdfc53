"""The parts of `jagaweb serve` that need no running service."""

from __future__ import annotations

import socket
import sys

import pytest
from django.core.management.base import CommandError

from jagaweb.service.management.commands.serve import Command, check_bind, web_server_command


def test_the_web_server_runs_under_this_python():
    argv = web_server_command("127.0.0.1:8123", 3, 2)
    assert argv[:4] == [sys.executable, "-m", "gunicorn", "jagaweb.wsgi:application"]
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:8123" and argv[argv.index("--workers") + 1] == "3"


def test_serve_supervises_web_scheduler_and_each_worker():
    children = Command().children({"bind": "127.0.0.1:8123", "web_workers": 1, "threads": 2, "workers": 2})
    assert [c.name for c in children] == ["web", "scheduler", "monitor", "worker-1", "worker-2"]
    assert children[1].argv == [sys.executable, "-m", "jagaweb", "scheduler"]


def test_a_taken_port_is_reported_before_anything_starts():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(CommandError, match=f"cannot listen on 127.0.0.1:{port}"):
            check_bind(f"127.0.0.1:{port}")


@pytest.mark.parametrize("bind", ["8000", "localhost:http", "127.0.0.1:"])
def test_a_malformed_bind_is_refused(bind):
    with pytest.raises(CommandError, match="--bind must be HOST:PORT"):
        check_bind(bind)
