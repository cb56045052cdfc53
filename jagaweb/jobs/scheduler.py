"""Turns due schedule entries into tasks. Safe with several schedulers and workers at once.

Exactly-once per slot rests on two database facts, not on timing:
1. a scheduler moves an entry to its next slot with a compare-and-swap on `next_due_at`, and
   only the scheduler whose update matched creates the run (JobRun is also unique per slot);
2. a worker starts a run only by moving it from QUEUED to RUNNING in one UPDATE, so a task that
   was delivered twice finds the run already taken and does nothing.

The run and its task are written in one transaction: the queue (django-tasks-db) lives in the same
database, so a crash can never leave a queued run that no worker will ever see.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Least
from django.utils import timezone

from jagaweb.activity.log import Actor, record
from jagaweb.jobs import verbs
from jagaweb.jobs.choices import Trigger
from jagaweb.jobs.models import JobRun, ScheduleEntry
from jagaweb.jobs.registry import JOBS, PeriodicJob

logger = logging.getLogger(__name__)


def sync_entries(now: datetime | None = None) -> int:
    """Bring the entries in line with the declared jobs and the sites; returns how many were added.

    Every declared job gets an entry, per-site jobs one per active site. Entries still on the
    declared default follow a changed default; intervals set by hand are kept. Entries of a deleted
    site go with it (cascade); those of an inactive site are kept with their interval but never
    ticked (see `ScheduleEntry.objects.runnable`), so they pause at once and resume when the site
    is active again. Entries whose shape no longer fits the declaration are removed.
    """
    now = now or timezone.now()
    removed = remove_misfits()
    followed = follow_declared_intervals(now)
    created = create_missing(now)
    if removed or followed or created:
        logger.info("schedule: %d entries added, %d removed, %d on a new default", created, removed, followed)
    return created


def remove_misfits() -> int:
    """Delete entries of a per-site job without a site, or of a global job with one, or of a site the
    job no longer applies to (its `applies_to`, e.g. a site whose backup plan was removed)."""
    per_site = [job.name for job in JOBS.values() if job.per_site]
    single = [job.name for job in JOBS.values() if not job.per_site]
    misfit = Q(job__in=per_site, site__isnull=True) | Q(job__in=single, site__isnull=False)
    for job in JOBS.values():
        if job.per_site and job.applies_to is not None:
            misfit |= Q(job=job.name) & ~Q(site__in=job.eligible_sites().values("pk"))
    ids = list(ScheduleEntry.objects.filter(misfit).values_list("pk", flat=True))
    if ids:
        ScheduleEntry.objects.filter(pk__in=ids).delete()
    return len(ids)


def follow_declared_intervals(now: datetime) -> int:
    changed = 0
    for job in JOBS.values():
        changed += (
            ScheduleEntry.objects.filter(job=job.name, interval_is_custom=False)
            .exclude(interval=job.every)
            .update(interval=job.every, next_due_at=Least(F("next_due_at"), Value(now + job.every)))
        )
    return changed


def create_missing(now: datetime) -> int:
    existing = set(ScheduleEntry.objects.filter(job__in=list(JOBS)).values_list("job", "site_id"))
    missing = [
        ScheduleEntry(job=job.name, site_id=site_id, interval=job.every, next_due_at=now,
                      enabled=job.enabled_by_default)
        for job in JOBS.values()
        for site_id in (active_site_ids(job) if job.per_site else [None])
        if (job.name, site_id) not in existing
    ]
    try:
        with transaction.atomic():
            ScheduleEntry.objects.bulk_create(missing, ignore_conflicts=True, batch_size=500)
    except IntegrityError:
        # A site was deleted between reading and inserting; the next sync adds the others.
        logger.warning("schedule: a site vanished while entries were added; retrying on the next sync")
        return 0
    return len(missing)


def active_site_ids(job: PeriodicJob) -> list[int | None]:
    return list(job.eligible_sites().filter(is_active=True).values_list("pk", flat=True))


def enqueue_run(run: JobRun) -> None:
    """Queue the task for `run`; call inside the transaction that created the run."""
    from jagaweb.jobs.tasks import run_job

    run_job.enqueue(run.pk)


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
    due = (
        ScheduleEntry.objects.runnable()
        .filter(next_due_at__lte=now, job__in=list(JOBS))
        .order_by("next_due_at", "pk")[:limit]
    )
    runs = []
    for entry in due:
        run = claim_slot(entry, now)
        if run is not None:
            runs.append(run)
    return runs


def run_now(entry: ScheduleEntry, *, actor: Actor) -> JobRun:
    """A run by hand, outside the grid; it does not move the next scheduled slot."""
    with transaction.atomic():
        run = JobRun.objects.create(entry=entry, slot=timezone.now(), trigger=Trigger.MANUAL)
        enqueue_run(run)
        record(verbs.RUN_REQUESTED, actor=actor, site=entry.site, target=run, job=entry.job)
    return run


def change_entry(entry: ScheduleEntry, *, interval: timedelta, enabled: bool, actor: Actor) -> ScheduleEntry:
    """Set an entry's interval and enabled flag; a shorter interval brings the next slot closer."""
    changes = describe_changes(entry, interval, enabled)
    if not changes:
        return entry
    custom = entry.interval_is_custom
    if interval != entry.interval:
        declared = JOBS.get(entry.job)
        custom = declared is None or interval != declared.every
    with transaction.atomic():
        ScheduleEntry.objects.filter(pk=entry.pk).update(
            interval=interval, enabled=enabled, interval_is_custom=custom,
            next_due_at=Least(F("next_due_at"), Value(timezone.now() + interval)),
        )
        record(
            verbs.ENTRY_CHANGED, actor=actor, site=entry.site, target=entry, job=entry.job,
            fields="; ".join(changes), interval=str(interval), enabled=enabled,
        )
    entry.refresh_from_db()
    return entry


def describe_changes(entry: ScheduleEntry, interval: timedelta, enabled: bool) -> list[str]:
    changes = []
    if interval != entry.interval:
        changes.append(f"interval {entry.interval} → {interval}")
    if enabled != entry.enabled:
        changes.append(f"enabled {entry.enabled} → {enabled}")
    return changes
