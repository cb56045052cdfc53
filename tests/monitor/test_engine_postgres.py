"""Two engine processes on one PostgreSQL database never run the same check slot. Runs only when the
suite itself runs on PostgreSQL (use a database name of your own, pytest-django adds test_):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jagaweb_monitor python -m pytest tests/monitor
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from jagaweb.monitor.choices import Status
from jagaweb.monitor.models import Check, Result
from tests.jobs.test_postgres_workers import database_url_of_this_test
from tests.monitor.servers import WebServer
from tests.monitor.test_engine import make_checks
from tests.services import require_postgres_database

pytestmark = pytest.mark.postgres

REPO = Path(__file__).resolve().parents[2]
CHECKS = 120
ROUNDS = 2
TIMEOUT = 180


@pytest.fixture
def postgres_db(transactional_db):
    require_postgres_database()


def start_engines(tmp_path: Path, count: int) -> list[tuple[subprocess.Popen[bytes], Path]]:
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "jagaweb.settings", "DATABASE_URL": database_url_of_this_test(),
        "JAGAWEB_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(REPO), "JAGAWEB_LOG_LEVEL": "WARNING",
    }
    engines = []
    for n in range(count):
        log = tmp_path / f"engine-{n}.log"
        with log.open("wb") as out:
            # Small claims (concurrency 4 -> 8 a claim) and slow answers, so both engines claim many times.
            engines.append((subprocess.Popen(
                [sys.executable, "-m", "jagaweb", "monitor", "--once", "--concurrency", "4", "--per-host", "10"],
                cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
            ), log))
    return engines


def finish(engines: list[tuple[subprocess.Popen[bytes], Path]]) -> list[int]:
    ran = []
    try:
        for process, log in engines:
            code = process.wait(timeout=TIMEOUT)
            output = log.read_text()
            assert code == 0, f"engine exited {code}:\n{output[-3000:]}"
            ran.append(int(re.search(r"(\d+) check\(s\) run", output).group(1)))
    finally:
        for process, _ in engines:
            if process.poll() is None:
                process.kill()
                process.wait()
    return ran


def test_two_engine_processes_never_run_the_same_slot(postgres_db, site_a, tmp_path):
    with WebServer() as web:
        for n in range(CHECKS):
            web.route(f"/c/{n}", "ok", delay=0.02)
        checks = make_checks(site_a, [web.url(f"/c/{n}") for n in range(CHECKS)])
        path_of = {check.pk: check.target.split(str(web.port))[1] for check in checks}
        for round_ in range(ROUNDS):
            web.hits.clear()
            ran = finish(start_engines(tmp_path, 2))
            assert sum(ran) == CHECKS, f"round {round_}: engines ran {ran}"
            assert all(ran), f"round {round_}: both engines should have claimed checks, got {ran}"
            hits = Counter(web.hits)
            assert hits == Counter(path_of.values()), "a check was requested twice or never in one round"
            Check.objects.update(next_due_at=timezone.now() - timedelta(seconds=1))
    per_check = Counter(Result.objects.values_list("check_ref_id", flat=True))
    assert per_check == dict.fromkeys(path_of, ROUNDS)
    assert set(Result.objects.values_list("status", flat=True)) == {Status.UP}
