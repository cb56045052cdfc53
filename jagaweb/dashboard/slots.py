"""Columns that capabilities add to the dashboard's site table.

A slot reads what it shows for one page of sites in one query (`load(site_ids)` returns a value per
site id) and renders each value with its own small template, so the dashboard stays one query per
slot however many sites there are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Slot:
    key: str
    title: Promise | str
    template: str
    load: Callable[[list[int]], dict[int, Any]]
    order: int = 100


SLOTS: dict[str, Slot] = {}


def register(slot: Slot) -> Slot:
    SLOTS[slot.key] = slot
    return slot


def ordered() -> list[Slot]:
    return sorted(SLOTS.values(), key=lambda s: (s.order, s.key))


def fill(site_ids: list[int]) -> list[tuple[Slot, dict[int, Any]]]:
    return [(slot, slot.load(site_ids)) for slot in ordered()]
