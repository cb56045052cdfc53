"""`jagaweb logs scan PATH... [--format auto|combined|...] [--findings OUT.jsonl] [--json] [--top N]`."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import time
from pathlib import Path
from typing import IO, Any

import polars as pl
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from jagaweb.logwatch.formats import AUTO, format_choices
from jagaweb.logwatch.scan import ScanReport, keep_freed_memory, scan_paths
from jagaweb.progress import ProgressBar, size_text

PROGRESS_AFTER_SECONDS = 1.0  # a scan that ends sooner shows no bar at all


class LateProgressBar:
    """A ProgressBar that appears only once the scan has run for a while."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.started = time.monotonic()
        self.bar: ProgressBar | None = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None and time.monotonic() - self.started < PROGRESS_AFTER_SECONDS:
            return
        if self.bar is None:
            self.bar = ProgressBar(self.label)
            self.bar.started = self.started  # the rate counts from the scan's start, not the bar's
        self.bar(done, total)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def write_findings(handle: IO[bytes], frame: pl.DataFrame) -> None:
    """One JSON object per finding (the agreed keys first), its time in ISO 8601."""
    when = pl.col("time")
    if isinstance(frame.schema["time"], pl.Datetime):
        when = when.dt.convert_time_zone("UTC").dt.strftime("%Y-%m-%dT%H:%M:%S%:z")
    frame.with_columns(when.cast(pl.String).alias("time")).write_ndjson(handle)


def scan_without_apps(argv: list[str]) -> None:
    """Run `jagaweb logs scan ...` (argv as for a management command) with the project's settings but no app
    loaded, for jagaweb.cli to call before Django is set up: scanning needs the time zone, the language and
    the translations, while loading every app (models, periodic jobs, views) costs about a second before the
    first line is read."""
    import django

    project = importlib.import_module(os.environ.get("DJANGO_SETTINGS_MODULE") or "jagaweb.settings")
    chosen = {name: getattr(project, name) for name in dir(project) if name.isupper()}
    settings.configure(**{**chosen, "INSTALLED_APPS": []})
    django.setup()
    Command().run_from_argv(argv)


class Command(BaseCommand):
    help = "Read web server access logs: visitor statistics and attack findings."
    # Reading files needs neither the database nor the URL configuration, and the system checks would import
    # every view (about a second) before the first line is read.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=argparse.ArgumentParser)
        scan = sub.add_parser("scan", help="scan access-log files (plain or gzip)")
        scan.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        scan.add_argument("--format", dest="log_format", choices=format_choices(), default=AUTO,
                          help="the log format; auto (the default) works it out for each file")
        scan.add_argument("--findings", type=Path, metavar="OUT.jsonl",
                          help="write every finding as one JSON object per line to this file")
        scan.add_argument("--json", action="store_true", help="print the summary as JSON")
        scan.add_argument("--top", type=int, default=10, help="entries in each top list (default 10)")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        self.scan(options)

    def scan(self, options: dict[str, Any]) -> None:
        paths: list[Path] = options["paths"]
        bar = LateProgressBar("logs scan")
        handle: IO[bytes] | None = None
        keep_freed_memory()  # a command that ends with the scan: keeping its peak memory costs nothing
        try:
            if options["findings"] is not None:
                handle = options["findings"].open("wb")
            findings_handle = handle
            report = scan_paths(
                paths, log_format=options["log_format"], time_zone=settings.TIME_ZONE, progress=bar,
                on_findings=(lambda frame: write_findings(findings_handle, frame)) if findings_handle else None)
        except OSError as exc:
            raise CommandError(_("Cannot write %(path)s: %(error)s") % {
                "path": options["findings"], "error": exc.strerror or exc}) from exc
        finally:
            bar.close()
            if handle is not None:
                handle.close()
        for file in report.files:
            if file.error:
                self.stderr.write(_("%(path)s: %(error)s") % {"path": file.path, "error": file.error})
        if all(file.error for file in report.files):
            raise CommandError(_("No log file could be read."))
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(options["top"]), ensure_ascii=False, default=str))
        else:
            self.stdout.write("\n".join(describe(report, options["top"])))


def describe(report: ScanReport, top: int) -> list[str]:
    """The summary for people: files, findings, then the visitor panels."""
    text = []
    for file in report.files:
        if file.error:
            continue
        how = _("detected") if file.detected else _("given")
        text.append(_("%(path)s: %(format)s (%(how)s), %(lines)s lines, %(requests)s requests, %(unparsed)s unparsed")
                    % {"path": file.path, "format": file.format, "how": how, "lines": f"{file.lines:,}",
                       "requests": f"{file.requests:,}", "unparsed": f"{sum(file.unparsed.values()):,}"})
        for sample in file.samples:
            text.append(f"  {_('line')} {sample.line} ({sample.reason}): {sample.text[:100]!r}")
    rate = f"{report.lines / report.seconds:,.0f}" if report.seconds else "-"
    text.append(_("%(lines)s lines in %(seconds).1f s (%(rate)s lines/s)")
                % {"lines": f"{report.lines:,}", "seconds": report.seconds, "rate": rate})
    if not report.detection:
        text.append(_("Attack detection is not available in this version."))
    else:
        text.append(_("Findings: %(count)s") % {"count": f"{report.findings:,}"})
        for key in ("severity", "category", "rule"):
            counts = report.findings_by.get(key)
            if counts:
                text.append(f"  {key}: " + ", ".join(f"{name} {count:,}" for name, count in counts.most_common(top)))
    text += describe_visitors(report.visitors.as_dict(top))
    return text


def describe_visitors(visitors: dict[str, Any]) -> list[str]:
    totals = visitors["totals"]
    text = [
        _("Visitors: %(requests)s requests, %(visitors)s unique visitors, %(pages)s pages, %(clients)s clients, "
          "%(bandwidth)s, %(crawlers)s crawler requests, %(not_found)s not found") % {
            "requests": f"{totals['requests']:,}", "visitors": f"{totals['visitors']:,}",
            "pages": f"{totals['pages']:,}", "clients": f"{totals['clients']:,}",
            "bandwidth": size_text(totals["bandwidth"]), "crawlers": f"{totals['crawler_requests']:,}",
            "not_found": f"{totals['not_found']:,}"},
    ]
    requests_word, visitors_word, pages_word = _("requests"), _("visitors"), _("pages")
    for day in visitors["daily"]:
        text.append(f"  {day['date']}  {day['requests']:>10,} {requests_word}  {day['visitors']:>8,} "
                    f"{visitors_word}  {day['pages']:>9,} {pages_word}  {size_text(day['bandwidth'])}")
    peak = max(visitors["hours"], key=lambda hour: hour["requests"])
    text.append(_("Busiest hour: %(hour)02d:00 (%(requests)s requests)") % {
        "hour": peak["hour"], "requests": f"{peak['requests']:,}"})
    titles = {"paths": _("Pages"), "not_found": _("Not found"), "clients": _("Clients"),
              "referring_sites": _("Referring sites"), "browsers": _("Browsers"), "systems": _("Operating systems"),
              "crawlers": _("Crawlers"), "statuses": _("Status codes"), "vhosts": _("Virtual hosts")}
    for key, title in titles.items():
        rows = visitors["top"][key]
        if rows:
            label = next(name for name in rows[0] if name not in ("requests", "bandwidth"))
            text.append(f"{title}: " + ", ".join(f"{row[label]} {row['requests']:,}" for row in rows))
    return text
