"""Turns due schedule entries into tasks. Safe with several schedulers and workers at once.

Exactly-once per slot rests on two database facts, not on timing:
1. a scheduler moves an entry to its next slot with a compare-and-swap on `next_due_at`, and
   only the scheduler whose update matched creates the run (JobRun is also unique per slot);
2. a worker starts a run only by moving it from QUEUED to RUNNING in one UPDATE, so a task that
   was delivered twice finds the run already taken and does nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from jagaweb.inventory.models import Site
from jagaweb.jobs.choices import Trigger
from jagaweb.jobs.models import JobRun, ScheduleEntry
from jagaweb.jobs.registry import JOBS

logger = logging.getLogger(__name__)


def sync_entries(now: datetime | None = None) -> int:
    """Make sure every declared job (and every active site of a per-site job) has an entry."""
    now = now or timezone.now()
    existing = set(ScheduleEntry.objects.values_list("job", "site_id"))
    active_sites = list(Site.objects.filter(is_active=True).values_list("pk", flat=True))
    missing = []
    for job in JOBS.values():
        for site_id in active_sites if job.per_site else [None]:
            if (job.name, site_id) not in existing:
                missing.append(ScheduleEntry(job=job.name, site_id=site_id, interval=job.every, next_due_at=now))
    ScheduleEntry.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)


def enqueue_run(run: JobRun) -> None:
    from jagaweb.jobs.tasks import run_job

    transaction.on_commit(lambda: run_job.enqueue(run.pk))


def claim_slot(entry: ScheduleEntry, now: datetime) -> JobRun | None:
    """Advance the entry past `now`; the scheduler that wins the swap creates the slot's run."""
    slot = entry.next_due_at
    with transaction.atomic():
        moved = ScheduleEntry.objects.filter(pk=entry.pk, next_due_at=slot, enabled=True).update(
            next_due_at=entry.slot_after(slot, now)
        )
        if not moved:
            return None
        run, created = JobRun.objects.get_or_create(entry=entry, slot=slot)
        if not created:
            return None
        enqueue_run(run)
    return run


def tick(now: datetime | None = None, limit: int = 1000) -> list[JobRun]:
    """One pass of the scheduler: every due entry (at most `limit`) gets a run for its slot."""
    now = now or timezone.now()
    due = ScheduleEntry.objects.filter(enabled=True, next_due_at__lte=now).order_by("next_due_at")[:limit]
    runs = []
    for entry in due:
        if entry.job not in JOBS:
            continue
        run = claim_slot(entry, now)
        if run is not None:
            runs.append(run)
    return runs


def run_now(entry: ScheduleEntry) -> JobRun:
    """A run by hand, outside the grid; it does not move the next scheduled slot."""
    with transaction.atomic():
        run = JobRun.objects.create(entry=entry, slot=timezone.now(), trigger=Trigger.MANUAL)
        enqueue_run(run)
    return run
