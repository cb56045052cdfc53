"""A month of generated activity across many sites, as JagaWeb would have recorded it: monitoring, backups,
the guard, visitor logs, renewals, SOP cases, complaints and website requests, and the activity log of all
of it, by the system's jobs and by a handful of people. For the demo, the report tests and the benchmarks.

    fill_month(site_ids, 2025, 11, seed=1) -> MonthFill (how many rows of each kind were made)

Deterministic for a seed and the same sites; bulk inserts only, in one transaction (1,000 sites fill in well
under two minutes on SQLite). The month must have ended: its records describe what happened in it.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone, translation

from jagaweb.demo.month.activity import fill_activity, people_of
from jagaweb.demo.month.backups import fill_backups
from jagaweb.demo.month.base import Fill, Month, MonthFill
from jagaweb.demo.month.guard import fill_guard
from jagaweb.demo.month.logwatch import fill_logwatch
from jagaweb.demo.month.monitoring import fill_monitoring
from jagaweb.demo.month.renewals import fill_renewals, plan_domains
from jagaweb.demo.month.service import fill_service
from jagaweb.inventory.models import Site

__all__ = ["Month", "MonthFill", "fill_month"]


def fill_month(site_ids: Sequence[int], year: int, month: int, *, seed: int = 1,
               people: Sequence[User] = ()) -> MonthFill:
    """Fill the month with the sites' activity; `people` work on them (a handful of staff when empty)."""
    span = Month.of(year, month)
    if span.end > timezone.now():
        raise ValueError(f"{year}-{month:02d} has not ended; only a past month can be filled")
    sites = list(Site.objects.filter(pk__in=list(site_ids)).select_related("organisation").order_by("pk"))
    if not sites:
        raise ValueError("no sites to fill")
    # Stored texts (messages, titles, labels) come out in the installation's language, as the jobs write them.
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        fill = Fill(rng=random.Random(seed), month=span, sites=sites, people=people_of(people), seed=seed)
        domains = plan_domains(fill)
        monitor = fill_monitoring(fill, domains)
        backups = fill_backups(fill, monitor.windows)
        guard = fill_guard(fill, backups.trusted)
        logs = fill_logwatch(fill)
        fill_renewals(fill, domains)
        fill_service(fill, monitor.incidents, guard.attacks, logs.serious)
        fill_activity(fill)
        fill.events.flush()
        fill.keys.settle()
    return fill.counts
