"""Page latency with many sites, through the real server (`jagaweb serve`: gunicorn, SQLite or PostgreSQL).

    python benchmarks/pages.py [--sites 10000] [--events 100000] [--requests 200] [--postgres]
                               [--wrk-seconds 30] [--wrk-connections 1,4] [--settle 90]

Creates a throwaway installation, fills it with sites in 200 organisations, activity events and
monitoring data (an HTTP, TLS, domain and content check per site with their last state, a day of
hourly rollups of each HTTP check, 200 open incidents), starts `jagaweb serve`, logs in and requests
each page one after another; prints p50/p95/max in milliseconds. Then `wrk` (Debian package `wrk`)
loads the dashboard's first page for --wrk-seconds with each number of connections and prints its
p50/p95/p99 and requests per second.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
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
    "monitoring: checks": "/monitor/",
    "monitoring: incidents": "/monitor/incidents/",
    "monitoring: one check": "/monitor/checks/4242/",
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
MONITORING = """
import random
from datetime import timedelta
from django.utils import timezone
from jagaweb.inventory.models import Site
from jagaweb.monitor.models import Check, Incident, Rollup
from jagaweb.monitor.rollups import floor
from jagaweb.monitor.stats import histogram_of
rng = random.Random(7)
now = timezone.now()
ids = list(Site.objects.order_by("pk").values_list("pk", flat=True))
def state():
    roll = rng.random()
    return "down" if roll < 0.02 else "degraded" if roll < 0.07 else "up"
checks = []
for pk in ids:
    checks += [
        Check(site_id=pk, kind="http", status=state(), message="HTTP 200", response_ms=rng.uniform(40, 900),
              last_checked_at=now, interval=60),
        Check(site_id=pk, kind="tls", status="up", interval=43200,
              facts={"days_left": rng.randint(-3, 400), "not_after": (now + timedelta(days=90)).isoformat()}),
        Check(site_id=pk, kind="domain", status="up", interval=86400,
              facts={"days_left": rng.randint(5, 700), "expires_on": "2027-08-17", "domain": "contoh.go.id"}),
        Check(site_id=pk, kind="freshness", status="up", interval=21600,
              facts={"content_date": (now - timedelta(days=rng.randint(0, 60))).isoformat(), "age_days": 3}),
    ]
Check.objects.bulk_create(checks, batch_size=4000)
http = list(Check.objects.filter(kind="http").order_by("pk").values_list("pk", flat=True))
hour = floor(now, "hour")
def rollups():
    for pk in http:
        for n in range(1, 25):
            down = 60 if rng.random() < 0.01 else 0
            ms = rng.uniform(40, 900)
            yield Rollup(check_ref_id=pk, period="hour", start=hour - timedelta(hours=n), up=60 - down, down=down,
                         total_ms=ms * (60 - down), max_ms=ms, histogram=histogram_of([ms] * (60 - down)))
Rollup.objects.bulk_create(rollups(), batch_size=5000)
Incident.objects.bulk_create(
    Incident(site_id=ids[i * 47], check_ref_id=http[i * 47], opened_at=now - timedelta(minutes=i), cause="HTTP 503")
    for i in range(200))
"""
WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("wrk %d requests, %d errors, p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, %.1f req/s\\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.requests / (summary.duration / 1e6)))
end
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


def load_with_wrk(url: str, cookies: str, connections: int, seconds: int) -> str:
    """wrk's own latency percentiles for `url`, requested as the logged-in administrator."""
    if shutil.which("wrk") is None:
        return "wrk is not installed (apt-get install wrk)"
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_SCRIPT)
        script.flush()
        done = subprocess.run(["wrk", "-t", str(min(connections, 2)), "-c", str(connections), "-d", f"{seconds}s",
                               "--timeout", "10s", "-s", script.name, "-H", f"Cookie: {cookies}", url],
                              capture_output=True, text=True, check=True)
    return next((line[4:] for line in done.stdout.splitlines() if line.startswith("wrk ")), done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--postgres", action="store_true", help="use postgres://postgres@127.0.0.1/jagaweb_bench")
    parser.add_argument("--wrk-seconds", type=int, default=30, help="how long wrk loads the dashboard (0: skip)")
    parser.add_argument("--wrk-connections", default="1,4", help="wrk runs, one per number of connections")
    parser.add_argument("--settle", type=int, default=90,
                        help="seconds to wait after the server answers before measuring (0: measure at once)")
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
    jagaweb(env, "shell", "-c", MONITORING)
    if options.postgres:
        # Autovacuum analyses the freshly loaded tables within a minute or so; measuring before that would
        # measure plans made for empty tables, which a running installation never has.
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "jagaweb_bench", "-qc", "ANALYZE"],
                       check=True)
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
            # Right after a start every check is overdue: the engine's first round over 10,000 sites and the
            # scheduler's first jobs take the machine's two cores for about a minute. --settle measures the
            # steady state that follows; --settle 0 measures through the start.
            time.sleep(options.settle)
            login = client.get(base + "/login/")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text)
            assert token, "no CSRF token on the login page"
            credentials = {"username": "admin", "password": "Bench-Mark-2026!", "csrfmiddlewaretoken": token.group(1)}
            client.post(base + "/login/", data=credentials, headers={"Referer": base + "/login/"})
            database = "PostgreSQL 15" if options.postgres else "SQLite (WAL)"
            print(f"{options.sites} sites, {options.events} events, {database}, {options.requests} requests a page, "
                  f"{options.settle} s after the start; load average before: {os.getloadavg()[0]:.1f}")
            print(f"{'page':40} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
            for label, path in PAGES.items():
                times = sorted(measure(client, base, path, options.requests))
                p95 = times[int(len(times) * 0.95) - 1]
                print(f"{label:40} {statistics.median(times):8.1f} {p95:8.1f} {times[-1]:8.1f}")
            if options.wrk_seconds:
                cookies = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
                for connections in (int(n) for n in options.wrk_connections.split(",")):
                    print(f"dashboard, first page, {connections} connection(s), {options.wrk_seconds} s: "
                          + load_with_wrk(base + "/", cookies, connections, options.wrk_seconds))
            print(f"load average after: {os.getloadavg()[0]:.1f}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
