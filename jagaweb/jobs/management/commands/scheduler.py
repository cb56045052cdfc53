from __future__ import annotations

import logging
import signal
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, close_old_connections

from jagaweb.jobs.scheduler import sync_entries, tick

logger = logging.getLogger("jagaweb.scheduler")

SYNC_EVERY = 60.0


class Command(BaseCommand):
    help = "Run the scheduler: turn due schedule entries into queued jobs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between passes.")
        parser.add_argument("--once", action="store_true", help="Do one pass and exit.")

    def handle(self, *args: Any, interval: float, once: bool, **options: Any) -> None:
        self.running = True
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        next_sync = 0.0
        while self.running:
            close_old_connections()
            try:
                if time.monotonic() >= next_sync:
                    sync_entries()
                    next_sync = time.monotonic() + SYNC_EVERY
                runs = self.pass_once()
            except DatabaseError:
                # The database is briefly away (restart, failover): wait and try again rather than
                # exit and burn the supervisor's restart budget.
                logger.exception("scheduler pass failed; retrying")
                runs = 0
            if once:
                break
            if not runs:
                time.sleep(interval)

    def pass_once(self) -> int:
        runs = tick()
        if runs:
            logger.info("queued %d job run(s)", len(runs))
        return len(runs)

    def stop(self, signum: int, frame: FrameType | None) -> None:
        self.running = False
