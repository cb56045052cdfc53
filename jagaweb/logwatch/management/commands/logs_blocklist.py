"""`jagaweb logs_blocklist --format nginx [--site S] [--min-severity high] [--since 7d] [--output FILE]`:
the addresses behind incidents as a file for fail2ban, nginx, Apache, ipset or a plain list.

`add_blocklist_arguments` and `print_blocklist` are what a `logs blocklist` subcommand of `jagaweb logs`
would call, so both spellings can share them."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from jagaweb.activity.log import SystemJob
from jagaweb.inventory.models import Site
from jagaweb.logwatch.blocklist import DEFAULT_JAIL, FORMATS, parse_since
from jagaweb.logwatch.models import SEVERITY_ORDER, Incident
from jagaweb.logwatch.operations import LogwatchError, export_blocklist

ACTOR = SystemJob("cli.logs_blocklist")


def add_blocklist_arguments(parser: CommandParser | argparse.ArgumentParser) -> None:
    parser.add_argument("--format", dest="blocklist_format", choices=list(FORMATS), default="nginx",
                        help="fail2ban (fail2ban-client banip lines), nginx (deny), apache (Require not ip), "
                             "ipset, or plain (one address a line); default nginx")
    parser.add_argument("--site", action="append", default=[], metavar="SLUG",
                        help="only this site's incidents (repeat for several); default all sites")
    parser.add_argument("--min-severity", choices=SEVERITY_ORDER, default="",
                        help="only incidents at least this severe")
    parser.add_argument("--since", default="", metavar="DURATION",
                        help="only incidents seen within this long: 7d, 12h, 30m")
    parser.add_argument("--open-only", action="store_true", help="only incidents still open")
    parser.add_argument("--include-private", action="store_true",
                        help="list private addresses too (not behind a reverse proxy!)")
    parser.add_argument("--jail", default=DEFAULT_JAIL, help="the fail2ban jail (default jagaweb)")
    parser.add_argument("--output", type=Path, metavar="FILE", help="write the file here instead of stdout")


def print_blocklist(options: dict[str, Any], stdout: OutputWrapper) -> None:
    from django.utils import timezone

    incidents = Incident.objects.all()
    if options["site"]:
        known = set(Site.objects.filter(slug__in=options["site"]).values_list("slug", flat=True))
        unknown = sorted(set(options["site"]) - known)
        if unknown:
            raise CommandError(f"No site with the short name {', '.join(unknown)}.")
        incidents = incidents.filter(site__slug__in=options["site"])
    try:
        since = timezone.now() - parse_since(options["since"]) if options["since"] else None
        text = export_blocklist(incidents, options["blocklist_format"], ACTOR, min_severity=options["min_severity"],
                                since=since, open_only=options["open_only"],
                                include_private=options["include_private"], jail=options["jail"])
    except (ValueError, LogwatchError) as exc:
        raise CommandError(str(exc)) from exc
    if options["output"] is None:
        stdout.write(text, ending="")
        return
    try:
        options["output"].write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"Cannot write {options['output']}: {exc.strerror or exc}") from exc


class Command(BaseCommand):
    help = "Export the addresses behind access-log incidents as a blocklist (fail2ban, nginx, Apache, ipset)."

    def add_arguments(self, parser: CommandParser) -> None:
        add_blocklist_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        print_blocklist(options, self.stdout)
