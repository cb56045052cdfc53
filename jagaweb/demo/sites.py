"""A demo website on this machine: its files, its log, its port, and whether it should be running.

Layout inside the data directory (mirrors /var/www + /var/log on a real host):

    demo/demo.json                      ports and sites of the running demo (read by other processes)
    demo/logs/<process>.log             output of the web server, scheduler, worker, traffic
    demo/sites/<slug>/htdocs/           the web root
    demo/sites/<slug>/logs/access.log   combined-format access log
    demo/sites/<slug>/stopped           present while the site is switched off (see `stop`)
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from jagaweb.demo.catalog import SAMPLE_SITES, SiteSpec, spec_for
from jagaweb.demo.render import render_tree

LOOPBACK = "127.0.0.1"


def demo_dir(data_dir: Path) -> Path:
    return data_dir / "demo"


def state_file(data_dir: Path) -> Path:
    return demo_dir(data_dir) / "demo.json"


def process_log(data_dir: Path, name: str) -> Path:
    return demo_dir(data_dir) / "logs" / f"{name}.log"


@dataclass(frozen=True)
class DemoSite:
    spec: SiteSpec
    port: int
    data_dir: Path

    @property
    def slug(self) -> str:
        return self.spec.slug

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}/"

    @property
    def home(self) -> Path:
        return demo_dir(self.data_dir) / "sites" / self.slug

    @property
    def web_root(self) -> Path:
        return self.home / "htdocs"

    @property
    def access_log(self) -> Path:
        return self.home / "logs" / "access.log"

    @property
    def stop_marker(self) -> Path:
        return self.home / "stopped"

    def install_content(self, today: date | None = None, *, replace: bool = False) -> bool:
        """Copy the bundled pages into the web root, dated relative to `today`.

        Without `today`, a site is dated as of its last update (`stale_days` ago), its files' times
        too, so its sitemap, feed and Last-Modified headers all tell the same age. An existing web
        root is kept (it may hold changes made during an earlier demo) unless `replace` is set.
        Returns whether the pages were (re)written.
        """
        if self.web_root.exists() and not replace:
            return False
        if self.web_root.exists():
            shutil.rmtree(self.web_root)
        shutil.copytree(self.spec.content, self.web_root)
        updated = today or date.today() - timedelta(days=self.spec.stale_days)
        render_tree(self.web_root, updated, self.url)
        if today is None and self.spec.stale_days:
            moment = datetime.combine(updated, time(9)).timestamp()
            for path in self.web_root.rglob("*"):
                os.utime(path, (moment, moment))
        self.access_log.parent.mkdir(parents=True, exist_ok=True)
        return True

    # Starting and stopping go through a marker file, so any process (the supervisor, a page of the
    # web interface, a test) can switch a site off and on without holding its process handle.
    def stop(self) -> None:
        self.stop_marker.parent.mkdir(parents=True, exist_ok=True)
        self.stop_marker.touch()

    def start(self) -> None:
        self.stop_marker.unlink(missing_ok=True)

    def is_stopped(self) -> bool:
        return self.stop_marker.exists()

    def server_command(self) -> list[str]:
        return [
            sys.executable, "-m", "jagaweb.demo.siteserver",
            "--root", str(self.web_root), "--port", str(self.port), "--log", str(self.access_log),
        ]

    def to_dict(self) -> dict[str, object]:
        return {
            "slug": self.slug, "name": self.name, "port": self.port, "url": self.url,
            "web_root": str(self.web_root), "access_log": str(self.access_log),
        }


def plan_sites(
    data_dir: Path, ports: Sequence[int], specs: Iterable[SiteSpec] = SAMPLE_SITES
) -> list[DemoSite]:
    return [DemoSite(spec, port, data_dir) for spec, port in zip(specs, ports, strict=True)]


def save_state(data_dir: Path, web_port: int, sites: Sequence[DemoSite]) -> None:
    path = state_file(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {"web_port": web_port, "sites": [site.to_dict() for site in sites]}
    path.write_text(json.dumps(state, indent=2), encoding="utf-8")


def load_web_port(data_dir: Path) -> int | None:
    """The port of the web interface of the demo in `data_dir`, or None when none was prepared there."""
    try:
        state = json.loads(state_file(data_dir).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return int(state["web_port"])


def load_sites(data_dir: Path) -> list[DemoSite]:
    """The sites of the demo in `data_dir`, or an empty list when none was prepared there."""
    try:
        state = json.loads(state_file(data_dir).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    return [DemoSite(spec_for(row["slug"]), int(row["port"]), data_dir) for row in state["sites"]]
