"""The scheduler: slot arithmetic, ticks, the compare-and-swap per slot, entries in step with sites."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jagaweb.activity.models import Event
from jagaweb.inventory.models import Site
from jagaweb.jobs import verbs
from jagaweb.jobs.choices import RunStatus, Trigger
from jagaweb.jobs.models import JobRun, ScheduleEntry
from jagaweb.jobs.registry import PeriodicJob, periodic
from jagaweb.jobs.scheduler import change_entry, claim_slot, run_now, sync_entries, tick

T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("only_test_jobs")


def noop(*args):
    return "ok"


def entry_for(job: str, site: Site | None = None) -> ScheduleEntry:
    return ScheduleEntry.objects.get(job=job, site=site)


@pytest.mark.parametrize(
    "now, expected",
    [
        (T0 + timedelta(minutes=1), T0 + timedelta(minutes=10)),  # on time: the next slot
        (T0 + timedelta(minutes=10), T0 + timedelta(minutes=20)),  # strictly after now
        (T0 + timedelta(minutes=35), T0 + timedelta(minutes=40)),  # three missed slots skipped
        (T0 + timedelta(days=2, seconds=1), T0 + timedelta(days=2, minutes=10)),
    ],
)
def test_slot_after_stays_on_the_grid_and_skips_missed_slots(now, expected):
    entry = ScheduleEntry(job="x", interval=timedelta(minutes=10), next_due_at=T0)
    assert entry.slot_after(T0, now) == expected


def test_periodic_refuses_an_interval_under_ten_seconds():
    with pytest.raises(ValueError, match="at most every 10 seconds"):
        periodic("too.fast", every=timedelta(seconds=5))


@pytest.mark.django_db
def test_tick_makes_one_run_per_due_entry_and_advances_it(declare, site_a, site_b):
    declare("test.global", noop, every=timedelta(minutes=5))
    declare("test.per_site", noop, every=timedelta(minutes=1), per_site=True)
    assert sync_entries(now=T0) == 3

    runs = tick(now=T0 + timedelta(seconds=30))

    assert len(runs) == 3
    assert {(r.entry.job, r.entry.site_id, r.slot) for r in runs} == {
        ("test.global", None, T0), ("test.per_site", site_a.pk, T0), ("test.per_site", site_b.pk, T0),
    }
    assert entry_for("test.global").next_due_at == T0 + timedelta(minutes=5)
    assert entry_for("test.per_site", site_a).next_due_at == T0 + timedelta(minutes=1)
    # every run was queued for a worker, in the same transaction
    tasks = DBTaskResult.objects.all()
    assert sorted(t.args_kwargs["args"][0] for t in tasks) == sorted(r.pk for r in runs)
    assert {t.task_path for t in tasks} == {"jagaweb.jobs.tasks.run_job"}
    # a second pass at the same moment finds nothing due
    assert tick(now=T0 + timedelta(seconds=30)) == []
    assert JobRun.objects.count() == 3


@pytest.mark.django_db
def test_tick_skips_disabled_entries_inactive_sites_and_undeclared_jobs(declare, site_a, site_b):
    declare("test.per_site", noop, per_site=True)
    sync_entries(now=T0)
    ScheduleEntry.objects.filter(site=site_a).update(enabled=False)
    Site.objects.filter(pk=site_b.pk).update(is_active=False)
    ScheduleEntry.objects.create(job="gone.job", interval=timedelta(minutes=1), next_due_at=T0)

    assert tick(now=T0 + timedelta(hours=1)) == []


@pytest.mark.django_db
def test_two_schedulers_claiming_the_same_slot_make_one_run(declare):
    declare("test.global", noop)
    sync_entries(now=T0)
    # Both schedulers read the entry before either moved it: the race the swap must settle.
    first, second = entry_for("test.global"), entry_for("test.global")
    now = T0 + timedelta(seconds=1)

    assert claim_slot(first, now) is not None
    assert claim_slot(second, now) is None
    assert JobRun.objects.count() == 1
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db
def test_a_slot_that_already_has_a_run_gets_no_second_one(declare):
    declare("test.global", noop)
    sync_entries(now=T0)
    claim_slot(entry_for("test.global"), T0)
    # Someone moved the entry back onto the slot it already ran (e.g. a stale edit).
    ScheduleEntry.objects.update(next_due_at=T0)

    assert claim_slot(entry_for("test.global"), T0) is None
    assert JobRun.objects.count() == 1
    assert entry_for("test.global").next_due_at > T0


@pytest.mark.django_db
def test_sync_follows_the_sites(declare, org_a, site_a):
    declare("test.per_site", noop, per_site=True)
    sync_entries(now=T0)
    assert list(ScheduleEntry.objects.values_list("site_id", flat=True)) == [site_a.pk]

    new = Site.objects.create(slug="baru", name="Baru", url="http://127.0.0.1:8083/", organisation=org_a)
    assert sync_entries(now=T0) == 1
    assert entry_for("test.per_site", new).next_due_at == T0

    # Inactive: the entry (and any interval set by hand) is kept, but the scheduler passes it by.
    Site.objects.filter(pk=new.pk).update(is_active=False)
    assert sync_entries(now=T0) == 0
    assert [r.entry.site_id for r in tick(now=T0)] == [site_a.pk]
    Site.objects.filter(pk=new.pk).update(is_active=True)
    assert [r.entry.site_id for r in tick(now=T0)] == [new.pk]

    new.delete()
    sync_entries(now=T0)
    assert not ScheduleEntry.objects.filter(site_id=new.pk).exists()


@pytest.mark.django_db
def test_sync_removes_entries_that_no_longer_fit_their_declaration(declare, site_a):
    declare("test.shape", noop, per_site=True)
    sync_entries(now=T0)
    declare("test.shape", noop, per_site=False)  # a later version made it one job for everything

    sync_entries(now=T0)

    assert list(ScheduleEntry.objects.filter(job="test.shape").values_list("site_id", flat=True)) == [None]


@pytest.mark.django_db
def test_a_new_default_interval_keeps_intervals_set_by_hand(declare, site_a, site_b, operator):
    declare("test.per_site", noop, every=timedelta(minutes=10), per_site=True)
    sync_entries(now=T0)
    a = entry_for("test.per_site", site_a)
    change_entry(a, interval=timedelta(minutes=3), enabled=True, actor=operator)

    declare("test.per_site", noop, every=timedelta(minutes=2), per_site=True)
    sync_entries(now=T0)

    custom, default = entry_for("test.per_site", site_a), entry_for("test.per_site", site_b)
    assert (custom.interval, custom.interval_is_custom) == (timedelta(minutes=3), True)
    assert (default.interval, default.interval_is_custom) == (timedelta(minutes=2), False)


@pytest.mark.django_db
def test_change_entry_records_and_brings_the_next_slot_closer(declare, operator):
    declare("test.global", noop, every=timedelta(days=1))
    sync_entries(now=T0)
    entry = entry_for("test.global")
    tomorrow = timezone.now() + timedelta(days=1)
    ScheduleEntry.objects.update(next_due_at=tomorrow)
    entry.refresh_from_db()

    change_entry(entry, interval=timedelta(minutes=1), enabled=False, actor=operator)

    entry.refresh_from_db()
    assert entry.interval == timedelta(minutes=1) and not entry.enabled and entry.interval_is_custom
    assert entry.next_due_at <= timezone.now() + timedelta(minutes=1)
    event = Event.objects.get(verb=verbs.ENTRY_CHANGED)
    assert event.actor == operator and "interval 1 day, 0:00:00 → 0:01:00" in event.message

    change_entry(entry, interval=timedelta(days=1), enabled=True, actor=operator)  # back to the default
    entry.refresh_from_db()
    assert not entry.interval_is_custom
    # nothing changed: nothing recorded
    change_entry(entry, interval=timedelta(days=1), enabled=True, actor=operator)
    assert Event.objects.filter(verb=verbs.ENTRY_CHANGED).count() == 2


@pytest.mark.django_db
def test_run_now_queues_a_manual_run_without_moving_the_schedule(declare, site_a, operator):
    declare("test.per_site", noop, per_site=True)
    sync_entries(now=T0)
    entry = entry_for("test.per_site", site_a)

    run = run_now(entry, actor=operator)

    assert run.trigger == Trigger.MANUAL and run.status == RunStatus.QUEUED
    assert entry_for("test.per_site", site_a).next_due_at == T0
    assert DBTaskResult.objects.filter(args_kwargs__args=[run.pk]).exists()
    event = Event.objects.get(verb=verbs.RUN_REQUESTED)
    assert (event.actor, event.site, event.data["job"]) == (operator, site_a, "test.per_site")


def test_a_per_site_job_without_a_site_refuses_to_run():
    job = PeriodicJob("test.per_site", noop, timedelta(minutes=1), True, "")
    with pytest.raises(LookupError, match="runs per site"):
        job.call(None)


@pytest.mark.django_db
def test_a_job_declared_off_by_default_gets_switched_off_entries(site_a):
    from jagaweb.jobs.registry import JOBS, periodic

    saved = dict(JOBS)
    try:
        periodic("test.opt_in", every=timedelta(days=1), per_site=True, enabled_by_default=False)(noop)
        sync_entries(now=T0)
        entry = ScheduleEntry.objects.get(job="test.opt_in", site=site_a)
        assert not entry.enabled
        assert not [run for run in tick(now=T0 + timedelta(days=2)) if run.job == "test.opt_in"]
    finally:
        JOBS.clear()
        JOBS.update(saved)
