"""Operations a person asked for on a page, run later by the worker in that person's name.

Each such task returns the id of the run record (BackupRun, GuardRun, ...) the operation made, also when
the operation failed: the operation records its failed run (error, step, alert) before raising, so the page
that queued the task can follow it to that run either way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Model, QuerySet
from django.utils import timezone

from jagaweb.activity.log import actor_label
from jagaweb.inventory.models import Site


def run_on_behalf(site_id: int, user_id: int, action: Callable[[Site, AbstractBaseUser], Model],
                  runs: QuerySet[Any]) -> int:
    """`action(site, user)`'s run id; on failure, the id of the run of `runs` it recorded, or the exception."""
    site = Site.objects.get(pk=site_id)
    user = get_user_model().objects.get(pk=user_id)
    started = timezone.now()
    try:
        return int(action(site, user).pk)
    except Exception:
        failed = (runs.filter(site=site, actor=actor_label(user), started_at__gte=started)
                  .order_by("-started_at", "-pk").values_list("pk", flat=True).first())
        if failed is None:
            raise
        return int(failed)
