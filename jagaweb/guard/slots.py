"""The dashboard column "guard": the verdict of each site's last guard check."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from jagaweb.dashboard.slots import Slot, register
from jagaweb.guard.views_index import latest_checks


def last_checks(site_ids: list[int]) -> dict[int, Any]:
    return dict(latest_checks(site_ids))


register(Slot("guard", _("Guard"), "guard/slot.html", last_checks, order=150))
