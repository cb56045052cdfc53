from __future__ import annotations

import socket
import sys
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jagaweb.env import env_str
from jagaweb.service.paths import make_directories
from jagaweb.service.supervisor import Child, Supervisor, jagaweb_command


def web_server_command(bind: str, workers: int, threads: int) -> list[str]:
    return [
        sys.executable, "-m", "gunicorn", "jagaweb.wsgi:application",
        "--bind", bind, "--workers", str(workers), "--threads", str(threads),
        "--timeout", "120", "--graceful-timeout", "10", "--access-logfile", "-", *no_control_socket(),
    ]


def no_control_socket() -> list[str]:
    """gunicorn 27 opens a control socket at one fixed path in the home directory; JagaWeb does not
    use it, and two instances on one machine (demo and production, say) would fight over it."""
    try:
        major = int(version("gunicorn").split(".")[0])
    except (PackageNotFoundError, ValueError):
        return []
    return ["--no-control-socket"] if major >= 27 else []


def check_bind(bind: str) -> None:
    """Fail at once with a clear message when the address is taken, instead of a restart loop."""
    if bind.startswith(("unix:", "fd://")):
        return
    host, sep, port = bind.rpartition(":")
    if not sep or not port.isdigit():
        raise CommandError(f"--bind must be HOST:PORT, got {bind!r}")
    host = host.strip("[]") or "0.0.0.0"  # noqa: S104  (gunicorn's meaning of an empty host)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, int(port)))
        except OSError as exc:
            raise CommandError(f"cannot listen on {bind}: {exc.strerror}") from None


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = "Run all of JagaWeb: the web server, the scheduler, the monitoring engine and workers, supervised."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=env_str("JAGAWEB_BIND", "127.0.0.1:8000"), help="HOST:PORT")
        parser.add_argument("--web-workers", type=positive, default=2, help="Web server processes.")
        parser.add_argument("--threads", type=positive, default=4, help="Threads per web server process.")
        parser.add_argument("--workers", type=positive, default=1, help="Background worker processes.")
        parser.add_argument("--no-migrate", action="store_true", help="Skip applying pending migrations.")

    def handle(self, *args: Any, **options: Any) -> None:
        check_bind(options["bind"])
        make_directories()
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        children = self.children(options)
        self.stdout.write(f"JagaWeb is serving on http://{options['bind']}/ (Ctrl-C to stop)")
        self.stdout.flush()
        code = Supervisor(children).run()
        if code:
            raise SystemExit(code)

    def children(self, options: dict[str, Any]) -> list[Child]:
        web = web_server_command(options["bind"], options["web_workers"], options["threads"])
        children = [Child("web", web), Child("scheduler", jagaweb_command("scheduler")),
                    Child("monitor", jagaweb_command("monitor"))]
        workers = range(1, options["workers"] + 1)
        children += [Child(f"worker-{n}", jagaweb_command("worker")) for n in workers]
        return children
