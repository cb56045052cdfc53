from __future__ import annotations

import os
import socket
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run a background worker (django-tasks database worker over all queues)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queues", default="*", help="Comma-separated queue names, or * for all.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls when idle.")
        parser.add_argument("--batch", action="store_true", help="Run what is queued, then exit.")
        parser.add_argument("--max-tasks", type=int, default=None, help="Exit after this many tasks.")

    def handle(
        self, *args: Any, queues: str, interval: float, batch: bool, max_tasks: int | None, **o: Any
    ) -> None:
        extra = ["--batch"] if batch else []
        if max_tasks:
            extra += ["--max-tasks", str(max_tasks)]
        call_command(
            "db_worker", "--queue-name", queues, "--interval", str(interval), "--no-reload",
            "--worker-id", worker_id(), *extra, verbosity=o.get("verbosity", 1),
        )


def worker_id() -> str:
    """host:pid, so a run's worker can be found on the machine (the queue allows 64 characters)."""
    pid = f":{os.getpid()}"
    return socket.gethostname()[: 64 - len(pid)] + pid
