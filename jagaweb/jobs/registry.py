"""The one declared table of periodic jobs.

Each capability adds its rows with `periodic(...)` when its module is imported (apps import their
`jobs` module from AppConfig.ready). A row names a plain function; the scheduler, never the job,
decides when it runs next. Per-site rows get one schedule entry per active site, with an interval
the operator can change per site.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from jagaweb.inventory.models import Site

JobFunction = Callable[..., Any]
SiteFilter = Callable[["QuerySet[Site]"], "QuerySet[Site]"]


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    function: JobFunction
    every: timedelta
    per_site: bool
    description: str
    applies_to: SiteFilter | None = None
    enabled_by_default: bool = True

    def eligible_sites(self) -> QuerySet[Site]:
        """The sites this per-site job is for, active or not (all of them unless `applies_to` narrows it)."""
        from jagaweb.inventory.models import Site

        sites = Site.objects.all()
        return self.applies_to(sites) if self.applies_to is not None else sites

    def call(self, site: Site | None) -> Any:
        if self.per_site:
            if site is None:
                raise LookupError(f"{self.name} runs per site, but its schedule entry has no site")
            return self.function(site)
        return self.function()


JOBS: dict[str, PeriodicJob] = {}


def periodic(
    name: str, *, every: timedelta, per_site: bool = False, description: str = "",
    applies_to: SiteFilter | None = None, enabled_by_default: bool = True,
) -> Callable[[JobFunction], JobFunction]:
    """Declare `function` as the periodic job `name`, run every `every` (per active site if `per_site`;
    `applies_to` narrows the sites, e.g. to those with a backup plan). With `enabled_by_default` false its
    entries are made switched off: someone switches them on where the job is wanted."""
    if every < timedelta(seconds=10):
        raise ValueError(f"{name}: a periodic job runs at most every 10 seconds")

    def declare(function: JobFunction) -> JobFunction:
        text = description or (function.__doc__ or "").strip()
        JOBS[name] = PeriodicJob(name, function, every, per_site, text, applies_to, enabled_by_default)
        return function

    return declare
