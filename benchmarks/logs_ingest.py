"""Live ingest throughput: the periodic job `logwatch.ingest` (read from the cursor, parse, detect, visitor
statistics, incidents, commit) on a big backlog and on minute-sized increments, with the database's share.

    python benchmarks/logs_ingest.py [--lines 1000000] [--workdir /tmp/jagaweb-bench-ingest]
                                     [--increment 2000] [--increments 5] [--compare-scan] [--json out.json]

The log is the deterministic combined log of benchmarks/logs_speed.py (a government portal with ~1% attack
traffic and ~0.1% malformed lines; it says when ../shared/data/logs is missing and uses its built-in
vocabulary then). The database is a fresh SQLite file in the work dir, or the one DATABASE_URL names (for
example postgres://postgres@127.0.0.1:5432/jagaweb_bench: the logwatch tables are emptied first, so use a scratch
database).

Measured, in this process after the imports:
* backlog: one `ingest_site` over the whole file (first run of a site with a big existing log): lines/s, the
  seconds spent inside commits (database writes: daily figures, visitor keys, findings, incidents, alerts,
  cursors), the commits, the rows written, and the peak resident memory of the process;
* increments: `--increments` runs after appending `--increment` lines each (one busy minute), median seconds;
* idle: a run with nothing new (the per-minute cost of a quiet site);
* with --compare-scan: `scan_paths` over the same file (the same parsing and detection, no database).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def setup_django(workdir: Path) -> None:
    data = workdir / "data"
    if data.exists():
        shutil.rmtree(data)
    data.mkdir(parents=True)
    os.environ["JAGAWEB_DATA_DIR"] = str(data)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jagaweb.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.urls import reverse

    reverse("logwatch:index")  # the URL configuration loads once per worker, not once per run
    if os.environ.get("DATABASE_URL"):
        from jagaweb.logwatch.models import DailyVisitors, Incident, LogCursor, LogFinding, VisitorKey, WatchState

        for model in (LogFinding, Incident, VisitorKey, DailyVisitors, LogCursor, WatchState):
            model.objects.all().delete()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rows_written(site: Any) -> dict[str, int]:
    from jagaweb.logwatch.models import DailyVisitors, Incident, LogFinding, VisitorKey

    return {"daily_rows": DailyVisitors.objects.filter(site=site).count(),
            "visitor_keys": VisitorKey.objects.filter(site=site).count(),
            "findings": LogFinding.objects.filter(site=site).count(),
            "incidents": Incident.objects.filter(site=site).count()}


def split_lines(source: Path, count: int, head: Path, tail: Path) -> None:
    with source.open("rb") as reading, head.open("wb") as first, tail.open("wb") as second:
        for number, line in enumerate(reading):
            (first if number < count else second).write(line)


def timed_ingest(site: Any) -> tuple[Any, float, float]:
    from jagaweb.logwatch.ingest import ingest_site

    wall, cpu = time.perf_counter(), time.process_time()
    report = ingest_site(site)
    return report, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/jagaweb-bench-ingest"))
    parser.add_argument("--increment", type=int, default=2000, help="lines appended before each increment run")
    parser.add_argument("--increments", type=int, default=5)
    parser.add_argument("--compare-scan", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)

    from logs_speed import SEED_LOG, generate_log

    if not SEED_LOG.exists():
        print(f"note: {SEED_LOG} is missing; the log uses the built-in vocabulary only")
    source = generate_log(args.workdir / f"combined-{args.lines}.log", args.lines + args.increment * args.increments)
    live, rest = args.workdir / "access.log", args.workdir / "rest.log"
    split_lines(source, args.lines, live, rest)  # streamed: this process's peak memory is the ingest's
    size_mb = live.stat().st_size / 1e6

    setup_django(args.workdir)
    from django.conf import settings
    from django.db import connection

    from jagaweb.inventory.models import Organisation, Site

    organisation, _created = Organisation.objects.get_or_create(name="Dinas Komunikasi dan Informatika",
                                                                defaults={"code": "diskominfo"})
    slug = f"portal-{int(time.time())}"  # a reused database keeps earlier runs' sites (the activity log holds them)
    site = Site.objects.create(slug=slug, name="Portal", url="https://portal.example.go.id/",
                               organisation=organisation, access_logs=[str(live)])
    print(f"database: {connection.vendor}; log: {args.lines:,} lines, {size_mb:,.0f} MB; "
          f"time zone {settings.TIME_ZONE}")

    report, wall, cpu = timed_ingest(site)
    backlog_figures = {
        "lines": report.lines, "seconds": round(wall, 2), "cpu_seconds": round(cpu, 2),
        "lines_per_second": round(report.lines / wall), "db_seconds": round(report.db_seconds, 2),
        "db_share": round(report.db_seconds / wall, 3), "commits": report.commits,
        "requests": report.requests, "unparsed": report.unparsed, "findings": report.findings,
        "stored_findings": report.stored_findings, "incidents_opened": report.incidents_opened,
        "alerts": report.alerts, "peak_rss_mb": round(peak_rss_mb()), **rows_written(site),
    }
    print(f"backlog: {report.lines:,} lines in {wall:.1f} s = {report.lines / wall:,.0f} lines/s "
          f"(CPU {cpu:.1f} s); database {report.db_seconds:.1f} s ({100 * report.db_seconds / wall:.0f}%) in "
          f"{report.commits} commits; {report.findings:,} findings ({report.stored_findings:,} kept), "
          f"{report.incidents_opened:,} incidents; peak RSS {peak_rss_mb():,.0f} MB")
    print("  rows: " + ", ".join(f"{name} {count:,}" for name, count in rows_written(site).items()))

    increments = []
    with rest.open("rb") as waiting:
        for _number in range(args.increments):
            with live.open("ab") as handle:
                handle.writelines(waiting.readline() for _line in range(args.increment))
            report, wall, _cpu = timed_ingest(site)
            increments.append((wall, report.db_seconds, report.lines))
    idle_report, idle, _cpu = timed_ingest(site)
    increment_figures = {
        "lines": args.increment, "median_seconds": round(statistics.median(run[0] for run in increments), 3),
        "median_db_seconds": round(statistics.median(run[1] for run in increments), 3),
        "idle_seconds": round(idle, 3), "idle_lines": idle_report.lines,
    }
    print(f"increments: {args.increment:,} new lines per run, median {increment_figures['median_seconds']:.3f} s "
          f"(database {increment_figures['median_db_seconds']:.3f} s); a run with nothing new {idle:.3f} s")

    figures: dict[str, Any] = {"database": connection.vendor, "log_mb": round(size_mb), "backlog": backlog_figures,
                               "increments": increment_figures}
    if args.compare_scan:
        from jagaweb.logwatch.scan import scan_paths

        started = time.perf_counter()
        scanned = scan_paths([args.workdir / "access.log"], time_zone=settings.TIME_ZONE)
        seconds = time.perf_counter() - started
        figures["scan"] = {"lines": scanned.lines, "seconds": round(seconds, 2),
                           "lines_per_second": round(scanned.lines / seconds)}
        print(f"scan_paths (no database) on the same file: {scanned.lines:,} lines in {seconds:.1f} s = "
              f"{scanned.lines / seconds:,.0f} lines/s")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
