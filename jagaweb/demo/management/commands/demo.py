from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jagaweb.demo.runner import DemoError, DemoOptions, DemoRun


class Command(BaseCommand):
    help = (
        "Try JagaWeb offline: three sample government websites on 127.0.0.1 and the whole system "
        "watching them, in a throwaway data directory. Ctrl-C stops it and removes the directory."
    )
    # This process only starts others (which do their own checks), so skip the system checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        add = parser.add_argument
        add("--port", type=int, default=None, help="Port for JagaWeb on 127.0.0.1 (default 8000, else any).")
        add("--data-dir", type=Path, default=None, help="Keep the demo in DIR, not a throwaway one.")
        add("--password", default=None, help="Password for the demo users (default: a random one).")
        add("--no-traffic", action="store_false", dest="traffic", help="No simulated visitors.")

    def handle(self, *args: Any, **options: Any) -> None:
        choices = DemoOptions(options["port"], options["data_dir"], options["traffic"], options["password"])
        demo = DemoRun(choices, self.say)
        try:
            code = demo.run()
        except DemoError as exc:
            raise CommandError(str(exc)) from None
        if code:
            raise SystemExit(code)

    def say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()
