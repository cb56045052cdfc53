"""`jagaweb init`: from the environment without a terminal, by prompting in one, and clear failures."""

from __future__ import annotations

import os
import pty
import select
import sqlite3
import sys
import time
from pathlib import Path

import pytest

from tests.service.conftest import ADMIN, ADMIN_PASSWORD, REPO, jagaweb, jagaweb_env


def superusers(data_dir: Path) -> list[str]:
    with sqlite3.connect(data_dir / "jagaweb.sqlite3") as db:
        return [row[0] for row in db.execute("SELECT username FROM auth_user WHERE is_superuser ORDER BY id")]


def events(data_dir: Path, verb: str) -> int:
    with sqlite3.connect(data_dir / "jagaweb.sqlite3") as db:
        return db.execute("SELECT count(*) FROM activity_event WHERE verb = ?", [verb]).fetchone()[0]


@pytest.fixture(scope="module")
def without_admin(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    """A fresh data directory after `init --no-input` with no administrator given (which must fail)."""
    data_dir = tmp_path_factory.mktemp("jagaweb-noadmin")
    return data_dir, jagaweb("init", "--no-input", env=jagaweb_env(data_dir))


def test_init_from_the_environment_creates_the_admin_and_is_repeatable(initialised: Path):
    assert superusers(initialised) == [ADMIN]
    assert (initialised / "secret_key").exists() and (initialised / "static").is_dir()
    again = jagaweb("init", "--no-input", env=jagaweb_env(
        initialised, JAGAWEB_ADMIN_USERNAME=ADMIN, JAGAWEB_ADMIN_PASSWORD=ADMIN_PASSWORD,
    ))
    assert again.returncode == 0 and f"Administrator '{ADMIN}' updated." in again.stdout
    assert superusers(initialised) == [ADMIN]
    assert events(initialised, "people.user_created") == 1


def test_init_refuses_a_weak_password(initialised: Path):
    done = jagaweb("init", "--no-input", env=jagaweb_env(
        initialised, JAGAWEB_ADMIN_USERNAME="lemah", JAGAWEB_ADMIN_PASSWORD="12345678",
    ))
    assert done.returncode != 0
    assert "JAGAWEB_ADMIN_PASSWORD: This password is too common." in done.stderr
    assert superusers(initialised) == [ADMIN]


def test_init_without_a_terminal_or_credentials_says_what_to_set(without_admin):
    data_dir, done = without_admin
    assert done.returncode != 0
    assert "no administrator: set JAGAWEB_ADMIN_USERNAME and JAGAWEB_ADMIN_PASSWORD" in done.stderr
    assert superusers(data_dir) == []


class Terminal:
    """`jagaweb init` on a pseudo-terminal, answered like a person would."""

    def __init__(self, data_dir: Path) -> None:
        env = jagaweb_env(data_dir)
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: become `jagaweb init` on the terminal
            os.chdir(REPO)
            os.execve(sys.executable, [sys.executable, "-m", "jagaweb", "init"], env)
        self.seen = b""

    def expect(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while text.encode() not in self.seen:
            remaining = deadline - time.monotonic()
            shown = self.seen.decode(errors="replace")
            assert remaining > 0, f"no {text!r} on the terminal; it showed:\n{shown}"
            ready, _, _ = select.select([self.fd], [], [], remaining)
            if ready:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:
                    chunk = b""
                assert chunk, f"init ended before {text!r}:\n{self.seen.decode(errors='replace')}"
                self.seen += chunk

    def answer(self, line: str) -> None:
        os.write(self.fd, line.encode() + b"\n")

    def exit_code(self, timeout: float = 30) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                os.close(self.fd)
                return os.waitstatus_to_exitcode(status)
            try:
                os.read(self.fd, 4096)  # keep the terminal drained
            except OSError:
                time.sleep(0.05)
        os.kill(self.pid, 9)
        raise AssertionError("init did not exit")


def test_init_in_a_terminal_asks_for_the_first_administrator(without_admin):
    data_dir, _ = without_admin
    terminal = Terminal(data_dir)
    terminal.expect("Username")
    terminal.answer("pengelola")
    terminal.expect("Email address:")
    terminal.answer("pengelola@example.go.id")
    terminal.expect("Password:")
    terminal.answer(ADMIN_PASSWORD)
    terminal.expect("Password (again):")
    terminal.answer(ADMIN_PASSWORD)
    terminal.expect("Superuser created successfully.")
    assert terminal.exit_code() == 0
    assert superusers(data_dir) == ["pengelola"]
    assert events(data_dir, "people.user_created") == 1
