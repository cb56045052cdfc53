"""`jagaweb monitor`: the monitoring engine. `--once` runs what is due and exits; `check ID` runs one check."""

from __future__ import annotations

import argparse
import asyncio
import gc
import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jagaweb.activity.log import SystemJob
from jagaweb.monitor.engine import Engine
from jagaweb.monitor.models import Check
from jagaweb.monitor.operations import run_now

ACTOR = SystemJob("cli")
GC_THRESHOLDS = (50_000, 20, 100)


def tune_gc() -> None:
    """Fewer garbage collections: each run makes hundreds of short-lived objects (tasks, futures,
    connections), and with the default thresholds the collector took a third of the engine's CPU in
    the burst benchmark; freezing what start-up loaded keeps full collections from walking Django."""
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return number


class Command(BaseCommand):
    help = "Run the monitoring engine until stopped (SIGTERM or Ctrl-C), or once, or one check."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run the checks that are due, then exit.")
        parser.add_argument("--concurrency", type=positive, default=None,
                            help="Checks in flight at most (default JAGAWEB_MONITOR_CONCURRENCY).")
        parser.add_argument("--per-host", type=positive, default=None,
                            help="Checks in flight per host at most (default JAGAWEB_MONITOR_PER_HOST).")
        sub = parser.add_subparsers(dest="action", parser_class=argparse.ArgumentParser)
        one = sub.add_parser("check", help="run one check now and print its result")
        one.add_argument("id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "check":
            self.check_one(options["id"])
            return
        engine = Engine(concurrency=options["concurrency"], per_host=options["per_host"])
        tune_gc()
        if options["once"]:
            ran = asyncio.run(engine.run_due())
            self.stdout.write(f"{ran} check(s) run")
            return
        asyncio.run(self.serve(engine))

    async def serve(self, engine: Engine) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await engine.serve(stop)

    def check_one(self, pk: int) -> None:
        check = Check.objects.select_related("site").filter(pk=pk).first()
        if check is None:
            raise CommandError(f"no check with id {pk}")
        outcome = run_now(check, ACTOR)
        took = "" if outcome.response_ms is None else f" in {outcome.response_ms:.0f} ms"
        self.stdout.write(f"{check} [{check.site.url}]: {outcome.status}{took}")
        if outcome.message:
            self.stdout.write(outcome.message)
        for key, value in sorted(outcome.facts.items()):
            self.stdout.write(f"  {key}: {value}")
