"""The monthly report for many sites: how long it takes to issue, and where the time goes.

    python benchmarks/reports.py [--sites 1000] [--rounds 3] [--postgres] [--language id]

Creates a throwaway installation, fills it with a month of generated activity across --sites sites in 50
organisations (jagaweb.demo.month.fill_month: monitoring rollups and incidents, backups, guard checks,
visitor statistics and attacks, renewals, cases, complaints, requests and the activity log), then issues the
monthly report for that month --rounds times with `jagaweb reports issue monthly` (the same code the page,
the API and the schedule run) and prints, per round, the wall time of the command, the time the report
recorded for itself, its pages and the peak memory of the process. One section-by-section timing follows.

Target (issue #8): under 60 s for 1,000 sites and a month of data. There is no reference tool to compare
with: the tools operators use today do not make these reports, so the figure is reported against the target.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

FILL = """
import time
from jagaweb.inventory.models import Organisation, Site
from jagaweb.demo.month import fill_month
started = time.monotonic()
orgs = Organisation.objects.bulk_create(
    Organisation(name=f"Dinas {n:02}", code=f"opd-{n:02}") for n in range(1, 51))
Site.objects.bulk_create(
    (Site(slug=f"site-{n}", name=f"Website {n:04}", url=f"https://s{n}.contoh.go.id/", organisation=orgs[n % 50])
     for n in range(SITES)), batch_size=2000)
ids = list(Site.objects.order_by("pk").values_list("pk", flat=True))
fill = fill_month(ids, YEAR, MONTH, seed=7)
print(f"filled in {time.monotonic() - started:.1f} s: {fill}")
"""
SECTIONS = """
import time
from jagaweb.inventory.models import Site
from jagaweb.reports.periods import month_scope
from jagaweb.reports.sections.registry import appendices_for, sections_for
from django.utils import translation
ids = list(Site.objects.filter(is_active=True).values_list("pk", flat=True))
scope = month_scope(YEAR, MONTH, ids)
with translation.override("LANGUAGE"):
    for section in sections_for("monthly") + appendices_for("monthly"):
        started = time.monotonic()
        part = section.collect(scope)
        rows = sum(len(table.rows) for table in part.tables)
        print(f"  {section.key:24} {time.monotonic() - started:6.2f} s  {rows:6} table rows")
"""


def jagaweb(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "jagaweb", *args], env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"jagaweb {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done


def timed_issue(env: dict[str, str], month: str, language: str) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB of the command, and its summary line."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.monotonic()
    done = jagaweb(env, "reports", "issue", "monthly", "--month", month, "--language", language)
    wall = time.monotonic() - started
    peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
    return wall, peak, done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--month", type=int, default=10)
    parser.add_argument("--language", default="id", choices=["id", "en"])
    parser.add_argument("--postgres", action="store_true", help="use postgres://postgres@127.0.0.1/jagaweb_bench")
    options = parser.parse_args()
    env = {**os.environ, "JAGAWEB_DATA_DIR": tempfile.mkdtemp(prefix="jagaweb-bench-"),
           "JAGAWEB_LOG_LEVEL": "WARNING", "JAGAWEB_ADMIN_USERNAME": "admin",
           "JAGAWEB_ADMIN_PASSWORD": "Bench-Mark-2026!"}
    if options.postgres:
        for sql in ("DROP DATABASE IF EXISTS jagaweb_bench", "CREATE DATABASE jagaweb_bench"):
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
        env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/jagaweb_bench"
    jagaweb(env, "init", "--no-input")
    code = {"SITES": str(options.sites), "YEAR": str(options.year), "MONTH": str(options.month),
            "LANGUAGE": options.language}

    def fill(text: str) -> str:
        for key, value in code.items():
            text = text.replace(key, value)
        return text

    print(jagaweb(env, "shell", "-c", fill(FILL)).stdout.strip())
    if options.postgres:
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "jagaweb_bench", "-qc", "ANALYZE"],
                       check=True)
    database = "PostgreSQL 15" if options.postgres else "SQLite (WAL)"
    month = f"{options.year}-{options.month:02}"
    print(f"monthly report {month}, {options.sites} sites, {database}, language {options.language}, "
          f"{os.cpu_count()} CPUs, load average before: {os.getloadavg()[0]:.1f}")
    walls = []
    for round_number in range(1, options.rounds + 1):
        wall, peak, line = timed_issue(env, month, options.language)
        walls.append(wall)
        print(f"round {round_number}: {wall:6.1f} s wall (command), peak RSS {peak:6.0f} MB — {line}")
    best = min(walls)
    print(f"best {best:.1f} s = {best / 60:.2f} of the 60 s target; median {sorted(walls)[len(walls) // 2]:.1f} s")
    print("sections (collect only, one run):")
    print(jagaweb(env, "shell", "-c", fill(SECTIONS)).stdout.rstrip())
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
