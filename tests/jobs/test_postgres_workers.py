"""The key guarantee, on the real database: racing schedulers and two worker processes run every
slot exactly once. Runs only when the suite itself runs on PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jagaweb python -m pytest tests/jobs
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections import Counter
from datetime import timedelta
from importlib import import_module
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jagaweb.activity.models import Event
from jagaweb.inventory.models import Site
from jagaweb.jobs.choices import RunStatus
from jagaweb.jobs.execute import ALREADY_TAKEN
from jagaweb.jobs.models import JobRun, ScheduleEntry
from jagaweb.jobs.scheduler import sync_entries, tick
from tests.services import require_postgres_database

pytestmark = pytest.mark.postgres

REPO = Path(__file__).resolve().parents[2]
SITES = 40
ROUNDS = 3
WORKER_TIMEOUT = 180


@pytest.fixture
def postgres_db(transactional_db):
    """Committed data (other connections and processes must see it) on PostgreSQL, else a skip."""
    require_postgres_database()


def database_url_of_this_test() -> str:
    """DATABASE_URL of the database this test process uses (pytest-django's test_ database)."""
    s = connection.settings_dict
    auth = quote(s["USER"]) + (f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{quote(s['NAME'])}"


def racing_ticks(now) -> list[int]:
    """Two scheduler passes started at the same instant, each on its own connection."""
    barrier = threading.Barrier(2)
    made: list[int] = []
    errors: list[BaseException] = []

    def scheduler() -> None:
        try:
            barrier.wait(timeout=30)
            made.extend(run.pk for run in tick(now=now))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive(), "a scheduler pass hung"
    assert not errors, errors
    return made


def start_workers(tmp_path: Path) -> list[tuple[subprocess.Popen, Path]]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jagaweb.settings",
        "DATABASE_URL": database_url_of_this_test(),
        "JAGAWEB_DATA_DIR": str(tmp_path / "data"),
        "JAGAWEB_EXTRA_JOB_MODULES": "tests.jobs.probe_jobs",
        "PYTHONPATH": str(REPO),
    }
    workers = []
    for n in range(2):
        log = tmp_path / f"worker-{n}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "jagaweb", "worker", "--batch", "--interval", "0"],
                cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
            )
        workers.append((process, log))
    return workers


def wait_for(workers: list[tuple[subprocess.Popen, Path]]) -> None:
    try:
        for process, log in workers:
            code = process.wait(timeout=WORKER_TIMEOUT)
            assert code == 0, f"worker exited {code}:\n{log.read_text()[-3000:]}"
    finally:
        for process, _ in workers:
            if process.poll() is None:
                process.kill()
                process.wait()


def test_two_schedulers_and_two_worker_processes_run_each_slot_exactly_once(
    postgres_db, declare, only_test_jobs, org_a, tmp_path
):
    from jagaweb.jobs.tasks import run_job

    probe = import_module("tests.jobs.probe_jobs")
    declare(probe.PROBE, probe.mark, every=timedelta(minutes=1), per_site=True)
    Site.objects.bulk_create(
        Site(slug=f"situs-{n}", name=f"Situs {n}", url=f"http://127.0.0.1:{9000 + n}/", organisation=org_a)
        for n in range(SITES)
    )
    assert sync_entries() == SITES

    for _ in range(ROUNDS):
        made = racing_ticks(timezone.now())
        assert len(made) == len(set(made)) == SITES, "each due entry gets exactly one run per pass pair"
        # move every entry to a fresh, already due slot for the next round
        ScheduleEntry.objects.update(next_due_at=timezone.now() - timedelta(milliseconds=1))
    runs = list(JobRun.objects.select_related("entry"))
    assert len(runs) == SITES * ROUNDS
    for run in runs:
        run_job.enqueue(run.pk)  # every task delivered twice: the second must find its run taken

    wait_for(start_workers(tmp_path))

    statuses = Counter(JobRun.objects.values_list("status", flat=True))
    assert statuses == {RunStatus.SUCCEEDED: SITES * ROUNDS}
    ran = Counter(Event.objects.filter(verb=probe.PROBE_RAN).values_list("data__run", flat=True))
    assert set(ran) == {run.pk for run in runs} and set(ran.values()) == {1}, "a slot ran twice or never"
    slots = Counter(
        (event.site_id, event.data["slot"]) for event in Event.objects.filter(verb=probe.PROBE_RAN)
    )
    assert slots == Counter((run.entry.site_id, run.slot.isoformat()) for run in runs)
    results = Counter(DBTaskResult.objects.values_list("return_value", flat=True))
    assert results == {RunStatus.SUCCEEDED: SITES * ROUNDS, ALREADY_TAKEN: SITES * ROUNDS}
    workers = set(JobRun.objects.values_list("worker", flat=True))
    assert len(workers) == 2, f"both worker processes should have taken runs, got {workers}"
