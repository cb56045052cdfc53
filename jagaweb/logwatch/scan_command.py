"""`jagaweb logs scan`: its arguments, the run and the summary for people.

Shared by the management command and by `main`, which jagaweb.cli calls before Django is set up: scanning
files needs the settings (time zone, language) and the translations, but neither the apps nor Django's
command machinery (its system checks, URL configuration and models), which cost a few tenths of a second
before the first line would be read.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import polars as pl
from django.conf import settings
from django.utils.translation import gettext as _

from jagaweb.logwatch.early import EarlyRead
from jagaweb.logwatch.formats import AUTO, format_choices
from jagaweb.logwatch.memory import keep_freed_memory
from jagaweb.logwatch.scan import ScanReport, scan_paths
from jagaweb.progress import ProgressBar, size_text

Write = Callable[[str], None]

SCAN_HELP = "scan access-log files (plain or gzip)"
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


class ScanFailed(Exception):
    """Nothing could be read, or the findings could not be written; the message is for people."""


def add_scan_arguments(scan: argparse.ArgumentParser) -> None:
    scan.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    scan.add_argument("--format", dest="log_format", choices=format_choices(), default=AUTO,
                      help="the log format; auto (the default) works it out for each file")
    scan.add_argument("--findings", type=Path, metavar="OUT.jsonl",
                      help="write every finding as one JSON object per line to this file")
    scan.add_argument("--json", action="store_true", help="print the summary as JSON")
    scan.add_argument("--top", type=int, default=10, help="entries in each top list (default 10)")


def main(argv: list[str], early: EarlyRead | None = None) -> None:
    """`jagaweb logs scan ARGS` with the project's settings, no app loaded and no management command;
    `early` is the first file's start, read while this module was imported (jagaweb.cli starts it)."""
    parser = argparse.ArgumentParser(prog="jagaweb logs scan", description=SCAN_HELP)
    add_scan_arguments(parser)
    options = vars(parser.parse_args(argv))
    configure_without_apps()
    try:
        run_scan(options, print, lambda text: print(text, file=sys.stderr), early)
    except ScanFailed as exc:
        print(f"CommandError: {exc}", file=sys.stderr)
        raise SystemExit(1) from None


def configure_without_apps() -> None:
    from django.apps import apps

    project = importlib.import_module(os.environ.get("DJANGO_SETTINGS_MODULE") or "jagaweb.settings")
    chosen = {name: getattr(project, name) for name in dir(project) if name.isupper()}
    settings.configure(**{**chosen, "INSTALLED_APPS": []})
    apps.populate([])  # translations need a ready registry, even an empty one


def run_scan(options: dict[str, Any], out: Write, err: Write, early: EarlyRead | None = None) -> None:
    """Scan the files in `options` (as the arguments give them) and write the summary with `out`,
    file errors with `err`; ScanFailed when nothing could be read or the findings not written."""
    paths: list[Path] = options["paths"]
    bar = LateProgressBar("logs scan")
    handle: IO[bytes] | None = None
    keep_freed_memory()  # a command that ends with the scan: keeping its peak memory costs nothing
    try:
        if options["findings"] is not None:
            handle = options["findings"].open("wb")
        findings_handle = handle
        report = scan_paths(
            paths, log_format=options["log_format"], time_zone=settings.TIME_ZONE, progress=bar, early=early,
            on_findings=(lambda frame: write_findings(findings_handle, frame)) if findings_handle else None)
    except OSError as exc:
        raise ScanFailed(_("Cannot write %(path)s: %(error)s") % {
            "path": options["findings"], "error": exc.strerror or exc}) from exc
    finally:
        bar.close()
        if handle is not None:
            handle.close()
    for file in report.files:
        if file.error:
            err(_("%(path)s: %(error)s") % {"path": file.path, "error": file.error})
    if all(file.error for file in report.files):
        raise ScanFailed(_("No log file could be read."))
    if options["json"]:
        out(json.dumps(report.as_dict(options["top"]), ensure_ascii=False, default=str))
    else:
        out("\n".join(describe(report, options["top"])))


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
