"""Maintenance windows in force during a batch, loaded once for all of the batch's alerts."""

from __future__ import annotations

from datetime import datetime

from jagaweb.inventory.models import Site
from jagaweb.monitor.models import MaintenanceWindow


class Windows:
    def __init__(self, windows: list[MaintenanceWindow]) -> None:
        self.windows = windows

    @classmethod
    def between(cls, first: datetime, last: datetime) -> Windows:
        """Every window open at some moment from `first` to `last`."""
        return cls(list(MaintenanceWindow.objects.filter(starts_at__lte=last, ends_at__gt=first)))

    def covering(self, site: Site, at: datetime) -> MaintenanceWindow | None:
        return next((window for window in self.windows if window.covers(site, at)), None)
