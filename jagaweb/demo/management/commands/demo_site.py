from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jagaweb.demo.sites import load_sites, state_file


class Command(BaseCommand):
    help = (
        "Switch a sample site of a running `jagaweb demo` off or on: its web server stops answering "
        "(within a second), and the monitoring shows it down, then back up."
    )
    # Only a marker file in the demo's directory changes; no database, no checks needed.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["stop", "start", "list"])
        parser.add_argument("site", nargs="?", help="The site's short name (see `list`).")
        parser.add_argument("--data-dir", type=Path, default=None,
                            help="The demo's data directory, as its banner prints it (default: JAGAWEB_DATA_DIR).")

    def handle(self, *args: Any, **options: Any) -> None:
        data_dir = options["data_dir"] or settings.DATA_DIR
        sites = load_sites(data_dir)
        if not sites:
            raise CommandError(f"no demo in {data_dir}: {state_file(data_dir)} is missing")
        if options["action"] == "list":
            for site in sites:
                state = "stopped" if site.is_stopped() else "running"
                self.stdout.write(f"{site.slug:<12} {state:<8} {site.url}  {site.name}")
            return
        chosen = next((s for s in sites if s.slug == options["site"]), None)
        if chosen is None:
            names = ", ".join(s.slug for s in sites)
            raise CommandError(f"name one of the demo's sites: {names}")
        if options["action"] == "stop":
            chosen.stop()
            self.stdout.write(f"{chosen.name} is switched off; the dashboard shows it down within a minute.")
        else:
            chosen.start()
            self.stdout.write(f"{chosen.name} is switched on again.")
