"""Page latency with many sites, through the real server (`jagaweb serve`: gunicorn, SQLite or PostgreSQL).

    python benchmarks/pages.py [--sites 10000] [--events 100000] [--requests 200] [--postgres]

Creates a throwaway installation, fills it with sites in 200 organisations and activity events, starts
`jagaweb serve`, logs in and requests each page one after another; prints p50/p95/max in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import httpx

PAGES = {
    "dashboard, first page": "/",
    "dashboard, page 150": "/?page=150",
    "dashboard, search": "/?q=website+0777",
    "site list": "/inventory/sites/",
    "site list, filtered by organisation": "/inventory/sites/?organisation=17",
    "site page": "/inventory/sites/site-4242/",
    "activity log": "/activity/",
    "API sites (100)": "/api/sites/?limit=100",
}
FILL = """
import random
from datetime import timedelta
from django.utils import timezone
from jagaweb.activity.models import Event
from jagaweb.inventory.models import Organisation, Site
orgs = Organisation.objects.bulk_create(
    Organisation(name=f"Organisasi {n:03}", code=f"opd-{n:03}") for n in range(1, 201))
Site.objects.bulk_create(
    (Site(slug=f"site-{n}", name=f"Website {n:04}", url=f"https://s{n}.contoh.go.id/", organisation=orgs[n % 200])
     for n in range(SITES)), batch_size=2000)
ids = list(Site.objects.values_list("pk", flat=True))
now = timezone.now()
Event.objects.bulk_create(
    (Event(verb="inventory.changed", job="bench", site_id=random.choice(ids), at=now - timedelta(minutes=n),
           data={"kind": "site", "fields": "name"}) for n in range(EVENTS)), batch_size=5000)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def jagaweb(env: dict[str, str], *args: str, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "jagaweb", *args], env=env, check=True, **kwargs)  # type: ignore[call-overload]


def measure(client: httpx.Client, base: str, path: str, count: int) -> list[float]:
    client.get(base + path)  # warm the templates and the database cache
    times = []
    for _ in range(count):
        start = time.perf_counter()
        response = client.get(base + path)
        times.append((time.perf_counter() - start) * 1000)
        response.raise_for_status()
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--postgres", action="store_true", help="use postgres://postgres@127.0.0.1/jagaweb_bench")
    options = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="jagaweb-bench-")
    env = {**os.environ, "JAGAWEB_DATA_DIR": data_dir, "JAGAWEB_ADMIN_USERNAME": "admin",
           "JAGAWEB_ADMIN_PASSWORD": "Bench-Mark-2026!", "JAGAWEB_LOG_LEVEL": "WARNING"}
    if options.postgres:
        for sql in ("DROP DATABASE IF EXISTS jagaweb_bench", "CREATE DATABASE jagaweb_bench"):
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
        env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/jagaweb_bench"
    jagaweb(env, "init", "--no-input", stdout=subprocess.DEVNULL)
    jagaweb(env, "shell", "-c", FILL.replace("SITES", str(options.sites)).replace("EVENTS", str(options.events)))
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "jagaweb", "serve", "--bind", f"127.0.0.1:{port}"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(timeout=30) as client:
            for _ in range(120):
                try:
                    if client.get(base + "/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.5)
            login = client.get(base + "/login/")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text)
            assert token, "no CSRF token on the login page"
            credentials = {"username": "admin", "password": "Bench-Mark-2026!", "csrfmiddlewaretoken": token.group(1)}
            client.post(base + "/login/", data=credentials, headers={"Referer": base + "/login/"})
            database = "PostgreSQL 15" if options.postgres else "SQLite (WAL)"
            print(f"{options.sites} sites, {options.events} events, {database}, {options.requests} requests a page")
            print(f"{'page':40} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
            for label, path in PAGES.items():
                times = sorted(measure(client, base, path, options.requests))
                p95 = times[int(len(times) * 0.95) - 1]
                print(f"{label:40} {statistics.median(times):8.1f} {p95:8.1f} {times[-1]:8.1f}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
