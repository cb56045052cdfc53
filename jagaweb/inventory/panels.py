"""Sections that capabilities add to a site's page (monitoring, backups, guard, ...).

A capability registers a `Panel` from its AppConfig.ready; the site page shows every panel whose
permission the reader holds, in order, each rendered by its own template with the context its
`load(site)` returns (the template gets it as `panel_data`, next to `site` and `panel`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise

from jagaweb.inventory.models import Site


@dataclass(frozen=True)
class Panel:
    key: str
    title: Promise | str
    template: str
    load: Callable[[Site], dict[str, Any]]
    order: int = 100
    permission: str | None = None  # e.g. "monitor.view_check"; None: whoever sees the site


PANELS: dict[str, Panel] = {}


def register(panel: Panel) -> Panel:
    PANELS[panel.key] = panel
    return panel


def ordered() -> list[Panel]:
    return sorted(PANELS.values(), key=lambda p: (p.order, p.key))


def fill(site: Site, user: Any) -> list[tuple[Panel, dict[str, Any]]]:
    return [
        (panel, panel.load(site)) for panel in ordered()
        if panel.permission is None or user.has_perm(panel.permission)
    ]
