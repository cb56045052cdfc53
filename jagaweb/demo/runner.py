"""`jagaweb demo`: a whole JagaWeb with three sample government sites, on this machine, offline.

This process never touches a database. Django reads its settings once, at import, from
JAGAWEB_DATA_DIR, so everything that needs the demo's database runs as a child process with the
demo's environment: first `jagaweb demo_setup` (init + inventory), then, under the supervisor,
the web server, scheduler, worker, the three site servers and the traffic generator.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import FrameType

from jagaweb.demo.catalog import ATTACKED_SITE, SAMPLE_SITES, STOPPABLE_SITE
from jagaweb.demo.ports import pick_port, pick_ports, port_is_free
from jagaweb.demo.sites import (
    DemoSite,
    load_sites,
    load_web_port,
    plan_sites,
    process_log,
    save_state,
    state_file,
)
from jagaweb.demo.supervision import Announcer, DemoSupervisor, EnvChild, http_ready, tcp_ready
from jagaweb.service.management.commands.serve import web_server_command
from jagaweb.service.supervisor import Child, jagaweb_command

DEFAULT_WEB_PORT = 8000
ADMIN = "admin"
SETUP_TIMEOUT = 600
TRAFFIC_MODULE = "jagaweb.demo.traffic"
SHOWN_LINES = 20
# The user's own JagaWeb settings (database, mail server, env file) must not reach the demo;
# these few only change how it looks.
KEPT_SETTINGS = ("JAGAWEB_LANGUAGE", "JAGAWEB_TIME_ZONE", "JAGAWEB_LOG_LEVEL")

Say = Callable[[str], None]


class DemoError(Exception):
    """The demo cannot start; the message tells the user why."""


@dataclass(frozen=True)
class DemoOptions:
    port: int | None = None
    data_dir: Path | None = None
    traffic: bool = True
    password: str | None = None


def child_environment(data_dir: Path, web_port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JAGAWEB_") or k in KEPT_SETTINGS}
    env.pop("DATABASE_URL", None)
    env.update({
        "DJANGO_SETTINGS_MODULE": "jagaweb.settings",
        "JAGAWEB_DATA_DIR": str(data_dir),
        "JAGAWEB_BASE_URL": f"http://127.0.0.1:{web_port}",
        "PYTHONUNBUFFERED": "1",
    })
    return env


def site_up(site: DemoSite) -> bool:
    return site.is_stopped() or tcp_ready(site.port)


def interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


class DemoRun:
    def __init__(self, options: DemoOptions, say: Say) -> None:
        self.options = options
        self.say = say
        self.password = options.password or secrets.token_urlsafe(9)
        self.throwaway = options.data_dir is None
        self.data_dir = (options.data_dir or Path(tempfile.mkdtemp(prefix="jagaweb-demo-"))).resolve()

    def run(self) -> int:
        # Until the supervisor takes over signals, SIGTERM stops the set-up like Ctrl-C does.
        signal.signal(signal.SIGTERM, interrupt)
        try:
            self.say(f"Data directory: {self.data_dir}")
            web_port, sites = self.prepare()
            code = self.supervise(web_port, sites)
        except KeyboardInterrupt:
            code = 0
        finally:
            self.clean_up()
        self.say("JagaWeb demo stopped.")
        return code

    def prepare(self) -> tuple[int, list[DemoSite]]:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        taken: set[int] = set()
        web_port = self.web_port(taken)
        previous = {site.slug: site.port for site in load_sites(self.data_dir)}
        ports = pick_ports([previous.get(spec.slug, spec.preferred_port) for spec in SAMPLE_SITES], taken)
        sites = plan_sites(self.data_dir, ports)
        for site in sites:
            # Pages name their own address (sitemap, feed), so a site that moved port gets fresh pages.
            site.install_content(replace=previous.get(site.slug, site.port) != site.port)
            site.start()
        save_state(self.data_dir, web_port, sites)
        self.say("Preparing the database (the first time takes a few seconds)...")
        self.set_up_database(web_port)
        return web_port, sites

    def web_port(self, taken: set[int]) -> int:
        if self.options.port is None:
            return pick_port(DEFAULT_WEB_PORT, taken)
        if not 0 < self.options.port < 65536:
            raise DemoError(f"--port must be between 1 and 65535, got {self.options.port}")
        if not port_is_free(self.options.port):
            raise DemoError(f"port {self.options.port} on 127.0.0.1 is in use; choose another with --port")
        taken.add(self.options.port)
        return self.options.port

    def set_up_database(self, web_port: int) -> None:
        env = child_environment(self.data_dir, web_port)
        env.update({
            "JAGAWEB_ADMIN_USERNAME": ADMIN, "JAGAWEB_ADMIN_PASSWORD": self.password,
            "JAGAWEB_DEMO_PASSWORD": self.password,
        })
        done = subprocess.run(
            jagaweb_command("demo_setup"), env=env, capture_output=True, text=True,
            timeout=SETUP_TIMEOUT, check=False,
        )
        if done.returncode != 0:
            output = "\n".join((done.stdout + done.stderr).strip().splitlines()[-SHOWN_LINES:])
            raise DemoError(f"setting up the demo database failed:\n{output}")

    def children(self, web_port: int, sites: list[DemoSite]) -> list[Child]:
        env = child_environment(self.data_dir, web_port)

        def child(name: str, argv: list[str], hold_file: Path | None = None) -> EnvChild:
            return EnvChild(name, argv, env=env, output=process_log(self.data_dir, name), hold_file=hold_file)

        children: list[Child] = [
            child(f"site-{site.slug}", site.server_command(), site.stop_marker) for site in sites
        ]
        children += [
            child("web", web_server_command(f"127.0.0.1:{web_port}", 1, 4)),
            child("scheduler", jagaweb_command("scheduler")),
            child("worker", jagaweb_command("worker")),
            child("monitor", jagaweb_command("monitor")),
        ]
        if self.options.traffic:
            state = str(state_file(self.data_dir))
            children.append(child("traffic", [sys.executable, "-m", TRAFFIC_MODULE, "--state", state]))
        return children

    def supervise(self, web_port: int, sites: list[DemoSite]) -> int:
        probes: list[Callable[[], bool]] = [partial(http_ready, web_port, "/healthz")]
        probes += [partial(site_up, site) for site in sites]
        announcer = Announcer(
            probes, on_ready=lambda: self.banner(web_port, sites), on_timeout=self.not_ready,
        )
        code = DemoSupervisor(self.children(web_port, sites), announcer).run()
        if code:
            self.say(f"The demo stopped because a process kept failing; see its output in {self.logs_dir()}.")
            self.show_log_tails()
        return code

    def banner(self, web_port: int, sites: list[DemoSite]) -> None:
        lines = [
            "",
            "JagaWeb demo is running.",
            f"  URL:       http://127.0.0.1:{web_port}/",
            f"  Username:  {ADMIN}  (administrator; also 'operator' and 'opd', same password)",
            f"  Password:  {self.password}",
            "  Sample sites:",
            *[f"    {site.url:<26} {site.name}" for site in sites],
            f"  Access logs and web roots: {self.data_dir / 'demo' / 'sites'}",
            "  Switch a sample site off (its page has a button too) to see the dashboard show it down:",
            f"    jagaweb demo_site stop {STOPPABLE_SITE} --data-dir {self.data_dir}",
            "  Plant a judi-online attack on a sample site (its page has a button too) to watch the guard",
            "  find it and restore the site (a minute after the start, once its guard is prepared):",
            f"    jagaweb demo attack {ATTACKED_SITE} --data-dir {self.data_dir}",
            "  The data directory is removed when the demo stops." if self.throwaway
            else "  The data directory is kept.",
            "Press Ctrl-C to stop.",
        ]
        self.say("\n".join(lines))

    def not_ready(self) -> None:
        self.say(f"The demo is slow to start; see the process output in {self.logs_dir()}.")

    def logs_dir(self) -> Path:
        return process_log(self.data_dir, "web").parent

    def show_log_tails(self, lines: int = SHOWN_LINES) -> None:
        """Print the end of each process's output, which is about to be removed with the directory."""
        if not self.throwaway:
            return
        for log in sorted(self.logs_dir().glob("*.log")):
            tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
            self.say(f"--- {log.name} (last lines)\n" + "\n".join(tail))

    def clean_up(self) -> None:
        if self.throwaway:
            shutil.rmtree(self.data_dir, ignore_errors=True)


def attack_demo(data_dir: Path, site: str | None, *, cycle: bool) -> int:
    """`jagaweb demo attack`: run `jagaweb demo_attack` with the environment of the demo in `data_dir` (its
    database is only reachable through the settings read at start-up); returns its exit status."""
    web_port = load_web_port(data_dir)
    if web_port is None:
        raise DemoError(f"no demo in {data_dir}: {state_file(data_dir)} is missing (use the --data-dir "
                        "the demo's banner prints)")
    argv = jagaweb_command("demo_attack", site or ATTACKED_SITE, *(["--cycle"] if cycle else []))
    return subprocess.run(argv, env=child_environment(data_dir.resolve(), web_port), check=False).returncode
