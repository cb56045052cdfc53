"""In a demo, a sample site's page gets a switch: stop its web server (to watch the monitoring notice)
and start it again; and an attack button (to watch the guard find, alert on and restore it). Registered
only where a demo runs (its demo.json is in the data directory)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from jagaweb.demo.guarding import not_ready
from jagaweb.demo.sites import DemoSite, load_sites, state_file
from jagaweb.inventory.models import Site
from jagaweb.inventory.panels import Panel, register


def demo_site_for(site: Site) -> DemoSite | None:
    """The running demo's sample site behind `site` (same short name and address), if there is one."""
    return next((demo for demo in load_sites(settings.DATA_DIR) if demo.slug == site.slug and demo.url == site.url),
                None)


def load(site: Site) -> dict[str, Any]:
    demo = demo_site_for(site)
    return {"demo": demo, "stopped": demo.is_stopped() if demo else False,
            "guard_problem": not_ready(site) if demo else ""}


def register_if_demo() -> None:
    if state_file(settings.DATA_DIR).exists():
        register(Panel("demo", _("Demo"), "demo/panel.html", load, order=10, permission="inventory.change_site"))
