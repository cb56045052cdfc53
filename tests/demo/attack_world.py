"""A demo as `jagaweb demo` prepares it, in-process: the three sample sites registered (with their guard), the
attacked one served on 127.0.0.1 by the demo's own site server, the demo panel registered."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from jagaweb.demo.catalog import ATTACKED_SITE
from jagaweb.demo.guarding import prepare_site
from jagaweb.demo.panels import register_if_demo
from jagaweb.demo.ports import any_free_port
from jagaweb.demo.setup import ACTOR, register_demo_sites
from jagaweb.demo.sites import DemoSite, plan_sites, save_state
from jagaweb.demo.siteserver import SiteServer, serve_in_thread, shutdown
from jagaweb.guard.models import GuardProfile
from jagaweb.inventory.models import Site
from jagaweb.inventory.panels import PANELS

PASSWORD = "Sandi-Demo-2026"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


@dataclass
class DemoWorld:
    data_dir: Path
    sites: list[DemoSite]
    server: SiteServer

    @property
    def attacked(self) -> DemoSite:
        return next(site for site in self.sites if site.slug == ATTACKED_SITE)

    @property
    def site(self) -> Site:
        return Site.objects.get(slug=ATTACKED_SITE)

    def prepare(self, *, visual: bool = False) -> Site:
        """The worker's preparation, here: trusted backup and known-good (screenshots only when asked)."""
        site = self.site
        GuardProfile.objects.filter(site=site).update(visual=visual)
        outcome = prepare_site(site, ACTOR, timeout=5)
        assert "trusted backup" in outcome, outcome
        return site


@pytest.fixture
def demo_world(tmp_path: Path, settings: Any) -> Iterator[DemoWorld]:
    data_dir = tmp_path / "data"
    settings.DATA_DIR = data_dir
    sites = plan_sites(data_dir, [any_free_port() for _ in range(3)])
    for site in sites:
        site.install_content()
    save_state(data_dir, any_free_port(), sites)
    attacked = next(site for site in sites if site.slug == ATTACKED_SITE)
    server = serve_in_thread(attacked.web_root, attacked.port, attacked.access_log)
    try:
        register_demo_sites(data_dir, sites, password=PASSWORD)
        # The worker's queued preparations are the fixture's `prepare` here; the views tests count tasks.
        DBTaskResult.objects.all().delete()
        register_if_demo()
        yield DemoWorld(data_dir, sites, server)
    finally:
        PANELS.pop("demo", None)
        shutdown(server)
