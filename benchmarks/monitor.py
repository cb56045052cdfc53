"""The monitoring engine with 10,000 sites checked every 60 seconds, against a local HTTP server.

    python benchmarks/monitor.py [--sites 10000] [--hosts 100] [--minutes 5] [--postgres] [--keep-alive]

1. Starts a small HTTP server (asyncio, its own process) on 127.0.1.1 ... (`--hosts` loopback
   addresses, all of 127.0.0.0/8 is loopback on Linux), answering every GET with a 1 KB page. It
   closes the connection after each answer unless `--keep-alive`, so every check pays for a new TCP
   connection, as it does against thousands of separate government servers.
2. Makes a throwaway installation (`jagaweb init`) with the sites in 200 organisations, each with one
   HTTP check every 60 s (allow_private), first runs spread over the first minute.
3. Runs `jagaweb monitor` as its own process for `--minutes` after a warm-up, and reports its CPU
   (from /proc/PID/stat, % of one core), checks done per second, results written, how late checks ran
   (the engine's own log lines) and the busy share of the whole machine meanwhile (others share it).
4. Burst: moves every check out of the way, waits for the engine to drain, makes all of them due at
   the same instant and times until every one has a result (checks/s), with the engine's CPU.
5. Peak RSS of the engine (VmHWM).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BODY = b"<html><head><title>Portal</title></head><body>" + b"<p>Berita terbaru pemerintah daerah.</p>" * 24 + \
    b"</body></html>"
FILL = """
import random
from datetime import timedelta
from django.utils import timezone
from jagaweb.inventory.models import Organisation, Site
from jagaweb.monitor.models import Check
orgs = Organisation.objects.bulk_create(
    Organisation(name=f"Organisasi {n:03}", code=f"opd-{n:03}") for n in range(1, 201))
Site.objects.bulk_create(
    (Site(slug=f"situs-{n}", name=f"Website {n:05}", url=f"https://s{n}.contoh.go.id/", organisation=orgs[n % 200])
     for n in range(SITES)), batch_size=2000)
now = timezone.now()
rng = random.Random(1)
Check.objects.bulk_create(
    (Check(site_id=pk, kind="http", target=f"http://{ADDRESSES[i % len(ADDRESSES)]}:PORT/situs-{i}/", interval=60,
           timeout=10, allow_private=True, next_due_at=now + timedelta(seconds=rng.uniform(0, 60)))
     for i, pk in enumerate(Site.objects.order_by("pk").values_list("pk", flat=True))), batch_size=2000)
"""


def address(n: int) -> str:
    return f"127.0.{1 + n // 250}.{1 + n % 250}"


# ---- the HTTP server (its own process) ----

def serve(hosts: int, port: int, keep_alive: bool) -> None:
    close = b"" if keep_alive else b"Connection: close\r\n"
    response = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n" + close +
                b"Content-Length: " + str(len(BODY)).encode() + b"\r\n\r\n" + BODY)

    class Page(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport: asyncio.Transport = transport  # type: ignore[assignment]
            self.buffer = b""

        def data_received(self, data: bytes) -> None:
            self.buffer += data
            while b"\r\n\r\n" in self.buffer:
                _head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
                self.transport.write(response)
                if not keep_alive:
                    self.transport.close()
                    return

    async def main() -> None:
        loop = asyncio.get_running_loop()
        servers = [await loop.create_server(Page, address(n), port, backlog=4096, reuse_address=True)
                   for n in range(hosts)]
        print("ready", flush=True)
        await asyncio.gather(*(server.serve_forever() for server in servers))

    asyncio.run(main())


# ---- measuring ----

def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    match = re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    return int(match.group(1)) / 1024 if match else float("nan")


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all CPUs, to show how loaded the shared machine was."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


@dataclass
class Window:
    seconds: float
    cpu: float
    results: int
    busy_share: float

    @property
    def cpu_percent(self) -> float:
        return 100 * self.cpu / self.seconds

    @property
    def rate(self) -> float:
        return self.results / self.seconds


class Database:
    def __init__(self, env: dict[str, str], postgres: bool) -> None:
        self.postgres = postgres
        self.env = env
        if postgres:
            import psycopg

            self.pg = psycopg.connect("postgresql://postgres@127.0.0.1:5432/jagaweb_bench_monitor", autocommit=True)
        else:
            self.path = Path(env["JAGAWEB_DATA_DIR"]) / "jagaweb.sqlite3"

    def query(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        if self.postgres:
            cursor = self.pg.execute(sql.replace("?", "%s"), params)
            return list(cursor.fetchall()) if cursor.description else []
        with sqlite3.connect(self.path, timeout=60) as db:
            db.execute("PRAGMA busy_timeout=60000")
            rows = list(db.execute(sql, params).fetchall())
        return rows

    def count_results(self) -> int:
        return int(self.query("SELECT COUNT(*) FROM monitor_result")[0][0])  # type: ignore[call-overload]

    def shift_all(self, seconds: float) -> None:
        """Every check's next slot to now + seconds (UTC, in each backend's own format)."""
        if self.postgres:
            self.query("UPDATE monitor_check SET next_due_at = now() + make_interval(secs => ?)", (seconds,))
        else:
            self.query("UPDATE monitor_check SET next_due_at = strftime('%Y-%m-%d %H:%M:%f', 'now', ?)",
                       (f"{seconds:+.3f} seconds",))


def jagaweb(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "jagaweb", *args], env=env, check=True, stdout=subprocess.DEVNULL)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def lag_figures(log: str) -> tuple[float, float, int]:
    """(average lag weighted by runs, max lag, runs) from the engine's stats lines."""
    runs = total = 0.0
    worst = 0.0
    for match in re.finditer(r"ran (\d+) checks .*? lag avg ([\d.]+)s max ([\d.]+)s", log):
        count, avg, top = int(match.group(1)), float(match.group(2)), float(match.group(3))
        runs, total, worst = runs + count, total + count * avg, max(worst, top)
    return (total / runs if runs else float("nan")), worst, int(runs)


def measure(engine: subprocess.Popen[bytes], db: Database, seconds: float) -> Window:
    busy0, total0 = machine_busy()
    cpu0, results0, t0 = cpu_seconds(engine.pid), db.count_results(), time.monotonic()
    time.sleep(seconds)
    cpu1, results1, t1 = cpu_seconds(engine.pid), db.count_results(), time.monotonic()
    busy1, total1 = machine_busy()
    return Window(t1 - t0, cpu1 - cpu0, results1 - results0, (busy1 - busy0) / max(total1 - total0, 1))


@dataclass
class Burst:
    seconds: float
    cpu_percent: float
    busy_share: float


def burst(engine: subprocess.Popen[bytes], db: Database, sites: int) -> Burst:
    """Every check due at the same instant: seconds until each ran once, engine CPU and machine load meanwhile."""
    db.shift_all(3600)
    time.sleep(15)  # runs in flight finish and are written
    before = db.count_results()
    busy0, total0 = machine_busy()
    cpu0, t0 = cpu_seconds(engine.pid), time.monotonic()
    db.shift_all(-1)
    while db.count_results() - before < sites:
        if time.monotonic() - t0 > 600:
            raise SystemExit("burst: not all checks ran within 10 minutes")
        time.sleep(0.1)
    elapsed = time.monotonic() - t0
    busy1, total1 = machine_busy()
    return Burst(elapsed, 100 * (cpu_seconds(engine.pid) - cpu0) / elapsed,
                 (busy1 - busy0) / max(total1 - total0, 1))


def show(label: str, value: str, target: str = "") -> None:
    print(f"{label:44} {value:>12} {target:>10}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=10_000)
    parser.add_argument("--hosts", type=int, default=100, help="loopback addresses the sites are spread over")
    parser.add_argument("--minutes", type=float, default=5.0, help="length of the sustained measurement (0: none)")
    parser.add_argument("--warmup", type=float, default=60.0, help="seconds before measuring")
    parser.add_argument("--postgres", action="store_true", help="use postgres://postgres@127.0.0.1/jagaweb_bench_monitor")
    parser.add_argument("--keep-alive", action="store_true", help="let checks reuse connections")
    parser.add_argument("--bursts", type=int, default=1, help="how many burst measurements (0: none)")
    parser.add_argument("--serve", nargs=2, type=int, metavar=("HOSTS", "PORT"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve:
        serve(options.serve[0], options.serve[1], options.keep_alive)
        return

    data_dir = tempfile.mkdtemp(prefix="jagaweb-bench-monitor-")
    env = {**os.environ, "JAGAWEB_DATA_DIR": data_dir, "JAGAWEB_ADMIN_USERNAME": "admin",
           "JAGAWEB_ADMIN_PASSWORD": "Bench-Mark-2026!", "JAGAWEB_LOG_LEVEL": "INFO"}
    if options.postgres:
        for sql in ("DROP DATABASE IF EXISTS jagaweb_bench_monitor", "CREATE DATABASE jagaweb_bench_monitor"):
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
        env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/jagaweb_bench_monitor"
    port = free_port()
    server_args = [sys.executable, __file__, "--serve", str(options.hosts), str(port)]
    server = subprocess.Popen(server_args + (["--keep-alive"] if options.keep_alive else []),
                              stdout=subprocess.PIPE)
    assert server.stdout is not None and server.stdout.readline().strip() == b"ready", "the HTTP server did not start"
    engine: subprocess.Popen[bytes] | None = None
    try:
        jagaweb(env, "init", "--no-input")
        addresses = [address(n) for n in range(options.hosts)]
        fill = FILL.replace("SITES", str(options.sites)).replace("ADDRESSES", repr(addresses))
        jagaweb(env, "shell", "-c", fill.replace("PORT", str(port)))
        db = Database(env, options.postgres)
        log_path = Path(data_dir) / "monitor.log"
        with log_path.open("wb") as log:
            engine = subprocess.Popen([sys.executable, "-m", "jagaweb", "monitor"], env=env, stdout=log, stderr=log)
        time.sleep(options.warmup)
        database = "PostgreSQL" if options.postgres else "SQLite (WAL)"
        print(f"{' '.join(['python', 'benchmarks/monitor.py', *sys.argv[1:]])}")
        print(f"{platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}, {database}; "
              f"{options.sites} sites on {options.hosts} loopback hosts, "
              f"{'keep-alive' if options.keep_alive else 'a new connection per check'}", flush=True)
        print(f"{'measure':44} {'value':>12} {'target':>10}")
        if options.minutes > 0:
            log_before = log_path.read_text()
            window = measure(engine, db, options.minutes * 60)
            lag_avg, lag_max, _runs = lag_figures(log_path.read_text()[len(log_before):])
            show("engine CPU, sustained (% of one core)", f"{window.cpu_percent:.1f}", "< 50")
            show("checks done per second, sustained", f"{window.rate:.1f}", f"{options.sites / 60:.1f}")
            show("results written in the window", f"{window.results}")
            show("window (s)", f"{window.seconds:.0f}")
            show("lag: how late checks ran, average (s)", f"{lag_avg:.2f}")
            show("lag: worst (s)", f"{lag_max:.2f}")
            show("whole machine busy meanwhile (%)", f"{100 * window.busy_share:.0f}")
        for n in range(1, options.bursts + 1):
            result = burst(engine, db, options.sites)
            show(f"burst {n}: all {options.sites} due at once (s)", f"{result.seconds:.1f}")
            show(f"burst {n}: checks per second", f"{options.sites / result.seconds:.0f}", ">= 1000")
            show(f"burst {n}: engine CPU (% of one core)", f"{result.cpu_percent:.0f}")
            per_check = result.cpu_percent * result.seconds / options.sites * 10
            show(f"burst {n}: engine CPU per check (ms)", f"{per_check:.3f}")
            show(f"burst {n}: whole machine busy (%)", f"{100 * result.busy_share:.0f}")
        show("engine peak RSS (MB)", f"{peak_rss_mb(engine.pid):.0f}")
        show("results in the database at the end", f"{db.count_results()}")
    finally:
        if engine is not None:
            engine.send_signal(signal.SIGTERM)
            engine.wait(timeout=60)
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    print(f"(data and the engine's log in {data_dir})")


if __name__ == "__main__":
    main()
