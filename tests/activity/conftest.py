"""Helpers for the activity tests: events at chosen times, without going through a view."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from django.utils import timezone

from jagaweb.activity.models import Event


@pytest.fixture
def event_at() -> Callable[..., Event]:
    """event_at(datetime, verb=..., **fields): an event written at a given (local) time."""

    def make(at: datetime, verb: str = "test.thing", **fields: Any) -> Event:
        if timezone.is_naive(at):
            at = timezone.make_aware(at)
        if "site" in fields and "organisation" not in fields and fields["site"] is not None:
            fields["organisation"] = fields["site"].organisation
        return Event.objects.create(at=at, verb=verb, **fields)

    return make
