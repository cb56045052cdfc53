"""A site's renewals at a glance, as evidence of the maintenance SOP's step 4 ("update the service cycle of
connection, hosting and domain"): the services of the site and of its organisation as a whole, which have
ended, which end soon, and where monitoring disagrees with the recorded end."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q
from django.utils import timezone

from jagaweb.inventory.models import Site
from jagaweb.renewals.models import Service

SOON_DAYS = 30


@dataclass(frozen=True)
class ServiceState:
    service_id: int
    name: str
    kind: str
    period_end: date
    days_left: int
    monitored_end: date | None

    @property
    def ended(self) -> bool:
        return self.days_left < 0

    @property
    def disagrees(self) -> bool:
        return self.monitored_end is not None and self.monitored_end != self.period_end


@dataclass(frozen=True)
class Review:
    site_id: int
    on: date
    services: list[ServiceState] = field(default_factory=list)

    @property
    def ended(self) -> list[ServiceState]:
        return [state for state in self.services if state.ended]

    @property
    def ending_soon(self) -> list[ServiceState]:
        return [state for state in self.services if 0 <= state.days_left <= SOON_DAYS]

    @property
    def ok(self) -> bool:
        """Nothing has ended, nothing ends within a month, and monitoring agrees with every end date."""
        return bool(self.services) and not self.ended and not self.ending_soon and not any(
            state.disagrees for state in self.services)

    def as_evidence(self) -> dict[str, Any]:
        """Plain data for a step's recorded evidence."""
        return {
            "on": f"{self.on:%Y-%m-%d}", "ok": self.ok, "services": [
                {"id": s.service_id, "name": s.name, "kind": s.kind, "period_end": f"{s.period_end:%Y-%m-%d}",
                 "days_left": s.days_left, "monitored_end": f"{s.monitored_end:%Y-%m-%d}" if s.monitored_end else None}
                for s in self.services],
            "ended": [s.service_id for s in self.ended], "ending_soon": [s.service_id for s in self.ending_soon],
        }


def review_site(site: Site, today: date | None = None) -> Review:
    """The services in use of the site and of its organisation as a whole, soonest end first."""
    today = today or timezone.localdate()
    services = Service.objects.filter(Q(site=site) | Q(site__isnull=True, organisation_id=site.organisation_id),
                                      is_active=True).order_by("period_end", "pk")
    states = [ServiceState(service.pk, str(service), service.kind, service.period_end, service.days_left(today),
                           service.monitored_end) for service in services]
    return Review(site.pk, today, states)
