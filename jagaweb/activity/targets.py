"""Links from events to the objects they are about, resolved for a whole page of events at once.

An event keeps its target as (content type, primary key, label). Looking each target up on its own
costs a query per row; here the targets of one page are fetched with one query per model.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import NoReverseMatch

from jagaweb.activity.models import Event

# "app_label.model" -> URL of an object, for models without get_absolute_url (such as auth.User).
URL_BUILDERS: dict[str, Callable[[models.Model], str]] = {}


def register_target_url(model_label: str, build: Callable[[models.Model], str]) -> None:
    URL_BUILDERS[model_label.lower()] = build


def object_url(obj: models.Model) -> str | None:
    build = URL_BUILDERS.get(obj._meta.label_lower)
    get_url = getattr(obj, "get_absolute_url", None)
    try:
        if build is not None:
            return build(obj)
        return get_url() if callable(get_url) else None
    except NoReverseMatch:
        # The target's app may not offer a page for it (yet); the event still shows its label.
        return None


def _urls_for(content_type_id: int, ids: set[str]) -> dict[str, str | None]:
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    if model is None:
        return {}
    keys = []
    for raw in ids:
        try:
            keys.append(model._meta.pk.to_python(raw))
        except ValidationError:
            continue  # a stored id that does not fit the model's key type: no link, label only
    return {str(obj.pk): object_url(obj) for obj in model._default_manager.filter(pk__in=keys)}


def attach_target_urls(events: Iterable[Event]) -> None:
    """Set `_target_url` on each event: one query per target model, none for rows without a target."""
    rows = list(events)
    wanted: dict[int, set[str]] = defaultdict(set)
    for event in rows:
        if event.target_type_id is not None and event.target_id:
            wanted[event.target_type_id].add(event.target_id)
    found = {ct_id: _urls_for(ct_id, ids) for ct_id, ids in wanted.items()}
    for event in rows:
        event._target_url = found.get(event.target_type_id or 0, {}).get(event.target_id)
