"""What every check kind provides: option validation, the per-host key, the run, and its own notices.

`run` is a coroutine that sees only a `CheckSpec` (a plain copy of the check's row) and a `Context`
(shared network sessions, the clock), never the ORM, so the engine can run thousands at once and
write their results in batches. A run never raises: whatever goes wrong becomes an `Outcome` with a
clear message.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jagaweb.activity.choices import Severity
from jagaweb.monitor.choices import CheckKind, Status


@dataclass(frozen=True)
class CheckSpec:
    id: int
    site_id: int
    site_name: str
    site_url: str
    kind: str
    target: str  # already defaulted from the site's URL by `CheckType.target_for`
    config: dict[str, Any]
    timeout: float
    interval: int
    allow_private: bool
    facts: dict[str, Any] = field(default_factory=dict)  # from the previous run
    baseline: dict[str, Any] = field(default_factory=dict)
    last_ping_at: datetime | None = None
    stale_after_days: int = 14


@dataclass
class Outcome:
    status: Status
    message: str = ""
    response_ms: float | None = None
    facts: dict[str, Any] = field(default_factory=dict)  # JSON-safe: numbers, strings, ISO dates, lists
    new_baseline: dict[str, Any] | None = None  # set when the kind records a first baseline


@dataclass(frozen=True)
class Notice:
    """A kind-specific alert (certificate expiring, content stale, DNS changed); sent once per `key`."""

    key: str
    verb: str
    severity: Severity
    data: dict[str, Any]


class Context:
    """What runs share: network sessions (see `jagaweb.net`) and the time the batch started."""

    def __init__(self, now: datetime, sessions: Any) -> None:
        self.now = now
        self.sessions = sessions


def opened_options(config: Any, known: Iterable[str]) -> tuple[dict[str, Any], list[ValidationError]]:
    """The options as a dict, and an error naming any unknown option: how every kind's clean_config starts."""
    config = config or {}
    if not isinstance(config, dict):
        raise ValidationError(_("The options must be a JSON object."))
    unknown = sorted(set(config) - set(known))
    if not unknown:
        return config, []
    return config, [ValidationError(_("Unknown option: %(names)s."), params={"names": ", ".join(unknown)})]


class CheckType(ABC):
    kind: ClassVar[CheckKind]
    label: ClassVar[Promise | str]
    default_interval: ClassVar[int] = 60
    counts_for_uptime: ClassVar[bool] = False  # HTTP and TCP answer "is the site reachable"

    def target_for(self, target: str, site_url: str) -> str:
        """The check's target; empty means the site's own URL (kinds that want a host override this)."""
        return target or site_url

    def host_key(self, spec: CheckSpec) -> str:
        """Runs with the same key share the per-host concurrency cap."""
        return (urlsplit(spec.target).hostname or spec.target).lower()

    def clean_config(self, config: dict[str, Any]) -> dict[str, Any]:
        """Validated options with defaults filled in; raises django ValidationError with clear messages."""
        return dict(config)

    @abstractmethod
    async def run(self, spec: CheckSpec, context: Context) -> Outcome: ...

    def notices(self, spec: CheckSpec, outcome: Outcome) -> list[Notice]:
        """Alerts beyond down/recovered (which the engine raises for every kind from incidents)."""
        return []
