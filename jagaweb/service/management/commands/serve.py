from __future__ import annotations

import os
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from jagaweb.service.supervisor import Child, Supervisor, jagaweb_command


def web_server_command(bind: str, workers: int, threads: int) -> list[str]:
    return [
        *jagaweb_command()[:1], "-m", "gunicorn", "jagaweb.wsgi:application",
        "--bind", bind, "--workers", str(workers), "--threads", str(threads),
        "--timeout", "120", "--graceful-timeout", "10", "--access-logfile", "-",
    ]


class Command(BaseCommand):
    help = "Run all of JagaWeb: the web server, a worker and the scheduler, supervised."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("JAGAWEB_BIND", "127.0.0.1:8000"))
        parser.add_argument("--web-workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument("--workers", type=int, default=1, help="Background worker processes.")
        parser.add_argument("--no-migrate", action="store_true", help="Do not apply pending migrations first.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        children = self.children(options)
        self.stdout.write(f"JagaWeb is serving on http://{options['bind']}/ (Ctrl-C to stop)")
        code = Supervisor(children).run()
        if code:
            raise SystemExit(code)

    def children(self, options: dict[str, Any]) -> list[Child]:
        children = [
            Child("web", web_server_command(options["bind"], options["web_workers"], options["threads"])),
            Child("scheduler", jagaweb_command("scheduler")),
        ]
        children += [Child(f"worker-{n}", jagaweb_command("worker")) for n in range(1, options["workers"] + 1)]
        return children
