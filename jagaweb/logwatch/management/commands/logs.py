"""`jagaweb logs scan PATH...`: read access logs, print visitor statistics and findings (see scan_command)."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jagaweb.logwatch.scan_command import SCAN_HELP, ScanFailed, add_scan_arguments, run_scan


class Command(BaseCommand):
    help = "Read web server access logs: visitor statistics and attack findings."
    # Reading files needs neither the database nor the URL configuration, and the system checks would import
    # every view (about a second) before the first line is read.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=argparse.ArgumentParser)
        add_scan_arguments(sub.add_parser("scan", help=SCAN_HELP))

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        try:
            run_scan(options, self.stdout.write, self.stderr.write)
        except ScanFailed as exc:
            raise CommandError(str(exc)) from exc
