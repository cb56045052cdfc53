from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jagaweb.demo.catalog import ATTACKED_SITE
from jagaweb.demo.runner import DemoError, DemoOptions, DemoRun, attack_demo


class Command(BaseCommand):
    help = (
        "Try JagaWeb offline: three sample government websites on 127.0.0.1 and the whole system "
        "watching them, in a throwaway data directory. Ctrl-C stops it and removes the directory. "
        "`jagaweb demo attack [SITE] --data-dir DIR` plants a judi-online attack on a sample site of a running "
        "demo and queues a guard check of it."
    )
    # This process only starts others (which do their own checks), so skip the system checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        add = parser.add_argument
        add("action", nargs="?", choices=["attack"],
            help="attack: plant the demo attack on a sample site of a running demo (give its --data-dir).")
        add("site", nargs="?", default=None, help=f"With attack: the sample site (default {ATTACKED_SITE}).")
        add("--cycle", action="store_true",
            help="With attack: check, restore and verify here and now, and print how long each took.")
        add("--port", type=int, default=None, help="Port for JagaWeb on 127.0.0.1 (default 8000, else any).")
        add("--data-dir", type=Path, default=None, help="Keep the demo in DIR, not a throwaway one "
            "(with attack: the running demo's directory, as its banner prints it).")
        add("--password", default=None, help="Password for the demo users (default: a random one).")
        add("--no-traffic", action="store_false", dest="traffic", help="No simulated visitors.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "attack":
            self.attack(options)
            return
        if options["site"] or options["cycle"]:
            raise CommandError("a site and --cycle go with `attack`: jagaweb demo attack [SITE] [--cycle]")
        choices = DemoOptions(options["port"], options["data_dir"], options["traffic"], options["password"])
        demo = DemoRun(choices, self.say)
        try:
            code = demo.run()
        except DemoError as exc:
            raise CommandError(str(exc)) from None
        if code:
            raise SystemExit(code)

    def attack(self, options: dict[str, Any]) -> None:
        try:
            code = attack_demo(options["data_dir"] or settings.DATA_DIR, options["site"], cycle=options["cycle"])
        except DemoError as exc:
            raise CommandError(str(exc)) from None
        if code:
            raise SystemExit(code)

    def say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()
