"""`record()`: the single way any capability writes to the activity log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import models

from jagaweb.activity.choices import Severity
from jagaweb.activity.models import Event

if TYPE_CHECKING:
    from jagaweb.inventory.models import Organisation, Site


@dataclass(frozen=True)
class SystemJob:
    """An actor that is not a person: the scheduler, a check, a worker job."""

    name: str


Actor = AbstractBaseUser | AnonymousUser | SystemJob


def actor_label(actor: Actor) -> str:
    """Who did it, as run records keep it: a user name, or "sistem:<job>" for a system job."""
    if isinstance(actor, SystemJob):
        return f"sistem:{actor.name}"
    return str(getattr(actor, "username", "")) or "anonymous"


def record(
    verb: str,
    *,
    actor: Actor,
    site: Site | None = None,
    organisation: Organisation | None = None,
    target: models.Model | None = None,
    severity: str = Severity.INFO,
    **data: object,
) -> Event:
    event = Event(verb=verb, severity=severity, site=site, data=data)
    if isinstance(actor, SystemJob):
        event.job = actor.name
    elif actor.is_authenticated:
        event.actor = actor  # type: ignore[assignment]
    else:
        event.job = "anonymous"
    event.organisation = organisation or (site.organisation if site is not None else None)
    if target is not None:
        event.target_type = ContentType.objects.get_for_model(target)
        event.target_id = str(target.pk)
        event.target_label = str(target)[:300]
    event.save()
    return event
