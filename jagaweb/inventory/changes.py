"""Writing inventory changes to the activity log: one place for the UI and the API.

Events name the changed fields, never their values, so a secret such as the database password
cannot reach the log.
"""

from __future__ import annotations

from collections.abc import Iterable
from copy import copy
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.utils import translation

from jagaweb.activity.log import Actor, record
from jagaweb.inventory import verbs
from jagaweb.inventory.models import Site, Tag


def kind_of(obj: models.Model) -> str:
    # Stored untranslated so the log reads the same whoever made the change; shown translated later.
    with translation.override(None):
        return str(obj._meta.verbose_name)


def site_of(obj: models.Model) -> Site | None:
    return obj if isinstance(obj, Site) else None


def snapshot(obj: models.Model, names: Iterable[str]) -> dict[str, Any]:
    """The current values of the named model fields (related objects by primary key)."""
    values: dict[str, Any] = {}
    if obj.pk is None:
        return values
    for name in names:
        try:
            field = obj._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if field.many_to_many:
            values[name] = sorted(getattr(obj, name).values_list("pk", flat=True))
        elif field.concrete:
            values[name] = getattr(obj, field.attname)
    return values


def changed_names(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [name for name in after if before.get(name) != after[name]]


def record_created(obj: models.Model, actor: Actor) -> None:
    record(verbs.CREATED, actor=actor, site=site_of(obj), target=obj, kind=kind_of(obj))


def record_changed(obj: models.Model, actor: Actor, fields: Iterable[str]) -> None:
    names = list(fields)
    if names:
        site, kind = site_of(obj), kind_of(obj)
        record(verbs.CHANGED, actor=actor, site=site, target=obj, kind=kind, fields=", ".join(names))


def delete_recorded(obj: models.Model, actor: Actor) -> None:
    """Delete and log it; raises ProtectedError when other records still need the object."""
    # Django clears the primary key of a deleted instance; the event keeps the old one.
    gone = copy(obj)
    organisation = obj.organisation if isinstance(obj, Site) else None
    with transaction.atomic():
        obj.delete()
        record(verbs.DELETED, actor=actor, organisation=organisation, target=gone, kind=kind_of(gone))



def set_tags(site: Site, names: Iterable[str]) -> None:
    """Give the site exactly these tags, creating the ones that do not exist yet."""
    wanted = sorted(set(names))
    existing = set(Tag.objects.filter(name__in=wanted).values_list("name", flat=True))
    missing = [Tag(name=name) for name in wanted if name not in existing]
    Tag.objects.bulk_create(missing, ignore_conflicts=True)
    site.tags.set(Tag.objects.filter(name__in=wanted))
