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
        return self.function(site) if self.per_site else self.function()


JOBS: dict[str, PeriodicJob] = {}


def periodic(
    name: str, *, every: timedelta, per_site: bool = False, description: str = ""
) -> Callable[[JobFunction], JobFunction]:
    def declare(function: JobFunction) -> JobFunction:
        JOBS[name] = PeriodicJob(name, function, every, per_site, description or (function.__doc__ or "").strip())
        return function

    return declare
