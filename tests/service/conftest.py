"""Helpers for running the real `jagaweb` console command against a throwaway data directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ADMIN = "kepala"
ADMIN_PASSWORD = "Rahasia-Kuat-2026!"
# Variables of the test process that must not leak into a service under test.
DROPPED = ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "JAGAWEB_ENV_FILE", "JAGAWEB_SECRET_KEY",
           "JAGAWEB_ADMIN_USERNAME", "JAGAWEB_ADMIN_PASSWORD", "JAGAWEB_ADMIN_EMAIL",
           "JAGAWEB_EXTRA_JOB_MODULES", "JAGAWEB_BIND")


def jagaweb_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """A clean environment: JagaWeb's own settings, SQLite in `data_dir`, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in DROPPED}
    env.update(JAGAWEB_DATA_DIR=str(data_dir), PYTHONPATH=str(REPO), JAGAWEB_LANGUAGE="en", **extra)
    return env


def jagaweb(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jagaweb", *args], cwd=REPO, env=env, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=timeout,
    )


@pytest.fixture(scope="module")
def initialised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory after `jagaweb init --no-input` with the administrator from the environment."""
    data_dir = tmp_path_factory.mktemp("jagaweb-data")
    done = jagaweb(
        "init", "--no-input",
        env=jagaweb_env(data_dir, JAGAWEB_ADMIN_USERNAME=ADMIN, JAGAWEB_ADMIN_PASSWORD=ADMIN_PASSWORD),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Administrator '{ADMIN}' created." in done.stdout
    return data_dir
