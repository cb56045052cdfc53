"""Columns that capabilities add to the dashboard's site table.

A slot reads what it shows for one page of sites in one query (`load(site_ids)` returns a value per
site id) and draws each site's cell with `cell(value, site)` (see `dashboard.cells` for why in Python),
so the dashboard stays one query per slot however many sites there are. A slot with a `permission`
is shown only to users who have it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.safestring import SafeString

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from jagaweb.inventory.models import Site


@dataclass(frozen=True)
class Slot:
    key: str
    title: Promise | str
    load: Callable[[list[int]], dict[int, Any]]
    cell: Callable[[Any, Site], SafeString]  # the value is None for a site that `load` left out
    order: int = 100
    permission: str | None = None


SLOTS: dict[str, Slot] = {}


def register(slot: Slot) -> Slot:
    SLOTS[slot.key] = slot
    return slot


def ordered() -> list[Slot]:
    return sorted(SLOTS.values(), key=lambda s: (s.order, s.key))


def shown_to(user: User | AnonymousUser) -> list[Slot]:
    return [slot for slot in ordered() if slot.permission is None or user.has_perm(slot.permission)]


def cells(sites: list[Site], slots: list[Slot]) -> list[tuple[Site, list[SafeString]]]:
    """Each site with its drawn cells, in the order of `slots`: what the table shows."""
    site_ids = [site.pk for site in sites]
    loaded = [(slot, slot.load(site_ids)) for slot in slots]
    return [(site, [slot.cell(values.get(site.pk), site) for slot, values in loaded]) for site in sites]
