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
    from jagaweb.inventory.models import Site

JobFunction = Callable[..., Any]


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    function: JobFunction
    every: timedelta
    per_site: bool
    description: str

    def call(self, site: Site | None) -> Any:
        if self.per_site:
            if site is None:
                raise LookupError(f"{self.name} runs per site, but its schedule entry has no site")
            return self.function(site)
        return self.function()


JOBS: dict[str, PeriodicJob] = {}


def periodic(
    name: str, *, every: timedelta, per_site: bool = False, description: str = ""
) -> Callable[[JobFunction], JobFunction]:
    """Declare `function` as the periodic job `name`, run every `every` (per active site if `per_site`)."""
    if every < timedelta(seconds=10):
        raise ValueError(f"{name}: a periodic job runs at most every 10 seconds")

    def declare(function: JobFunction) -> JobFunction:
        text = description or (function.__doc__ or "").strip()
        JOBS[name] = PeriodicJob(name, function, every, per_site, text)
        return function

    return declare
