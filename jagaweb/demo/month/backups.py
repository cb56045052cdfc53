"""A month of backups: one medium, a plan per site, the nightly `backup.run` of every site (a few failures, and
one site failing three nights running, which `backup.watch` reports as missed), the weekly verify and prune,
backups people asked for before maintenance, a couple of restores, and the snapshots the plans' retention
keeps (the real `store.retention.select`, applied after each backup as the pipeline does).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from jagaweb.activity.choices import Severity
from jagaweb.backup import verbs
from jagaweb.backup.choices import Operation, RunState, TargetKind
from jagaweb.backup.models import BackupPlan, BackupRun, BackupTarget, Snapshot
from jagaweb.backup.runs import human_size, summary_of
from jagaweb.backup.store.repository import SnapshotInfo
from jagaweb.backup.store.retention import select
from jagaweb.demo.month.base import Fill
from jagaweb.inventory.models import Site
from jagaweb.monitor.models import MaintenanceWindow

MEDIUM = "NAS cadangan"
SYSTEM = "sistem:"  # how `actor_label` names a system job in a run's "by" column
FAILURES = [  # (step, error) of a failed nightly backup
    ("open the backup medium", "TargetError: /mnt/nas/jagaweb is not mounted (no such directory)"),
    ("dump the database", "DumpError: mysqldump exited with 2: Got error: 2002: Can't connect to MySQL server"),
    ("back up the web root", "OSError: [Errno 5] Input/output error"),
    ("lock the repository", "RepositoryLocked: the repository is locked by another backup (pid 31877)"),
]
FAILURE_RATE = 0.012
VERIFY_ERROR = "VerifyFailed: pack {pack}: checksum mismatch; 14 chunks, 3 files in 2 snapshots affected"


@dataclass
class SiteBackups:
    site: Site
    plan: BackupPlan
    hour: float  # local time of the nightly slot
    size: int  # bytes of the web root, system paths and dump
    files: int
    runs: list[BackupRun] = field(default_factory=list)
    kept: list[tuple[SnapshotInfo, Snapshot]] = field(default_factory=list)
    trusted: str = ""


@dataclass
class BackupResult:
    target: BackupTarget
    trusted: dict[int, Snapshot]  # site id -> the snapshot the guard compares with and restores from


def plans_for(fill: Fill) -> tuple[BackupTarget, dict[int, BackupPlan]]:
    target, _created = BackupTarget.objects.get_or_create(
        name=MEDIUM, defaults={"kind": TargetKind.LOCAL, "path": "/mnt/nas/jagaweb",
                               "notes": "NAS di ruang server; disalin mingguan ke cakram USB."})
    plans = {plan.site_id: plan for plan in BackupPlan.objects.filter(site__in=fill.sites)}
    new = [BackupPlan(site=site, target=target, include_database=bool(site.db_engine) or fill.rng.random() < 0.8)
           for site in fill.sites if site.pk not in plans]
    fill.save(BackupPlan, new)
    plans.update({plan.site_id: plan for plan in new})
    return target, plans


def finished(fill: Fill, run: BackupRun) -> None:
    """The run's entry in the activity log, as `backup.runs.recorded_run` writes it (after the run is saved)."""
    assert run.finished_at is not None
    site, operation = run.site, str(Operation(run.operation).label)
    if run.state == RunState.SUCCEEDED:
        verb, severity = verbs.SUCCEEDED, Severity.INFO
        data = {"operation": operation, "site_name": site.name, "summary": summary_of(run)}
    else:
        verb = verbs.FAILED
        severity = Severity.CRITICAL if run.operation == Operation.BACKUP else Severity.WARNING
        data = {"operation": operation, "site_name": site.name, "step": run.step or "-", "error": run.error}
    row = (BackupRun, run.pk, f"{operation} {site} {run.started_at:%Y-%m-%d %H:%M}")  # as BackupRun.__str__
    if run.actor.startswith(SYSTEM):
        fill.events.system(verb, run.finished_at, run.actor.removeprefix(SYSTEM), site=site, row=row,
                           severity=severity, **data)
    else:
        fill.events.person(verb, run.finished_at, fill.people.named(run.actor), site=site, row=row,
                           severity=severity, **data)


def backup(fill: Fill, state: SiteBackups, start: datetime, actor: str, fails: bool) -> BackupRun:
    """One backup run: failed at a step, or a new snapshot after which the plan's retention forgets old ones."""
    rng = fill.rng
    if fails:
        step, error = rng.choice(FAILURES)
        return BackupRun(site=state.site, operation=Operation.BACKUP, started_at=start, actor=actor, step=step,
                         error=error, state=RunState.FAILED, finished_at=start + timedelta(seconds=rng.uniform(2, 40)))
    finished = start + timedelta(seconds=30 + state.size / 2**30 * rng.uniform(25, 70))
    state.size += int(state.size * rng.uniform(0, 0.002))
    state.files += rng.randint(0, 12)
    new_bytes = int(state.size * rng.uniform(0.002, 0.03))
    summary = {"files": state.files, "dirs": state.files // 9, "symlinks": 0,
               "unchanged_files": state.files - rng.randint(0, 40), "bytes_total": state.size,
               "bytes_read": state.size, "new_blobs": rng.randint(3, 400), "new_bytes": new_bytes, "warnings": []}
    taken = finished - timedelta(seconds=rng.uniform(1, 4))
    info = SnapshotInfo(id=fill.hex_id(), time=taken.isoformat(), source=state.site.slug, tags=[], summary=summary)
    snapshot = Snapshot(site=state.site, target=state.plan.target, snapshot_id=info.id, taken_at=taken,
                        files=state.files, size=state.size, new_bytes=new_bytes, summary=summary,
                        trusted=not state.trusted)
    state.trusted = state.trusted or info.id  # the month's first snapshot is the one the guard trusts
    state.kept.append((info, snapshot))
    _keep, forget = select([info for info, _snapshot in state.kept], state.plan.policy(),
                           taken.astimezone(fill.month.zone))
    forgotten = {info.id for info in forget} - {state.trusted}
    state.kept = [(info, kept) for info, kept in state.kept if info.id not in forgotten]
    return BackupRun(site=state.site, operation=Operation.BACKUP, started_at=start, actor=actor,
                     finished_at=finished, state=RunState.SUCCEEDED, step="apply the retention policy",
                     snapshot_id=info.id, files=state.files, bytes_total=state.size, bytes_new=new_bytes,
                     report={"warnings": [], "summary": summary, "forgotten": sorted(forgotten)})


def next_watch(after: datetime, minute: int) -> datetime:
    """The first run of the hourly `backup.watch` job after `after`."""
    moment = after.replace(minute=minute, second=0, microsecond=0)
    return moment if moment > after else moment + timedelta(hours=1)


def watch_missed(fill: Fill, state: SiteBackups, minute: int) -> None:
    """`backup.watch`: once a day while the site's last good backup is older than its plan allows."""
    good = [run.finished_at for run in state.runs
            if run.operation == Operation.BACKUP and run.state == RunState.SUCCEEDED and run.finished_at]
    for previous, following in zip(good, [*good[1:], fill.month.end], strict=True):
        moment = next_watch(previous + state.plan.max_age, minute)
        while moment < following and fill.month.contains(moment):
            fill.events.system(verbs.MISSED, moment, "backup.watch", site=state.site, target=state.plan,
                               severity=Severity.CRITICAL, site_name=state.site.name,
                               since=f"{previous:%Y-%m-%d %H:%M}")
            moment = next_watch(moment + timedelta(days=1), minute)


def nightly(fill: Fill, states: list[SiteBackups], before_windows: dict[int, list[MaintenanceWindow]]) -> None:
    """Every night's `backup.run` of every site, and the backups people asked for, in the order they ran."""
    rng, month = fill.rng, fill.month
    troubled = rng.randrange(len(states))
    streak_start = rng.randrange(8, len(month.days) - 5)
    for index, state in enumerate(states):
        for number, day in enumerate(month.days):
            start = month.at(day, state.hour + rng.uniform(0, 0.02))
            in_streak = index == troubled and streak_start <= number < streak_start + 3
            state.runs.append(backup(fill, state, start, SYSTEM + "backup.run",
                                     in_streak or rng.random() < FAILURE_RATE))
            for window in before_windows.get(state.site.pk, []):
                if month.day_of(window.starts_at) == day:
                    state.runs.append(requested(fill, state, window))
        watch_missed(fill, state, 17)


def weekly(fill: Fill, state: SiteBackups, offset: int, broken: bool) -> list[BackupRun]:
    """`backup.verify` and `backup.prune`, every seven days from the site's own first day."""
    rng, month = fill.rng, fill.month
    runs = []
    for day in month.days[offset::7]:
        start = month.at(day, state.hour + 1.5)
        count = len(state.kept)
        verify = BackupRun(site=state.site, operation=Operation.VERIFY, actor=SYSTEM + "backup.verify",
                           started_at=start, finished_at=start + timedelta(minutes=rng.uniform(1, 12)),
                           state=RunState.SUCCEEDED, step="")
        packs = max(4, state.size // (16 * 2**20))
        verify.report = {"summary": _("%(snapshots)d snapshots, %(packs)d packs, %(read)d packs read, "
                                      "%(chunks)d chunks checked") % {
            "snapshots": count, "packs": packs, "read": max(1, packs // 10), "chunks": packs * 40},
            "read_data": True, "sample": 0.1, "problems": [], "damage": []}
        if broken:
            verify.state, broken = RunState.FAILED, False
            verify.error = VERIFY_ERROR.format(pack=fill.hex_id()[:16])
        prune_start = (verify.finished_at or start) + timedelta(minutes=5)
        freed = int(state.size * rng.uniform(0.005, 0.05))
        prune = BackupRun(site=state.site, operation=Operation.PRUNE, actor=SYSTEM + "backup.prune",
                          started_at=prune_start, finished_at=prune_start + timedelta(minutes=rng.uniform(0.5, 4)),
                          state=RunState.SUCCEEDED)
        deleted, repacked = rng.randint(1, 30), rng.randint(0, 4)
        prune.report = {"dry_run": False, "forgotten": [], "packs_deleted": deleted, "packs_repacked": repacked,
                        "bytes_freed": freed, "summary": f"0 snapshot(s) forgotten, {deleted} pack(s) deleted, "
                                                         f"{repacked} repacked, {human_size(freed)} freed"}
        runs += [verify, prune]
    return runs


def requested(fill: Fill, state: SiteBackups, window: MaintenanceWindow) -> BackupRun:
    """A person backs the site up by hand before its maintenance window."""
    rng = fill.rng
    user = fill.people.pick(rng)
    asked = window.starts_at - timedelta(minutes=rng.uniform(20, 50))
    fill.events.person(verbs.REQUESTED, asked, user, site=state.site, operation=str(Operation.BACKUP.label),
                       site_name=state.site.name, task=str(uuid.UUID(int=rng.getrandbits(128), version=4)))
    return backup(fill, state, asked + timedelta(seconds=rng.uniform(5, 40)), user.get_username(), False)


def restore(fill: Fill, state: SiteBackups) -> BackupRun:
    """A person restores a folder of an earlier snapshot next to the site, to look at an old version."""
    rng, month = fill.rng, fill.month
    user = fill.people.pick(rng)
    info, _snapshot = state.kept[0]
    start = month.at(rng.choice([day for day in month.days[-8:] if day.weekday() < 5] or month.days[-3:]),
                     rng.uniform(9, 14))
    create, replace = rng.randint(20, 400), rng.randint(0, 5)
    run = BackupRun(site=state.site, operation=Operation.RESTORE, actor=user.get_username(), started_at=start,
                    finished_at=start + timedelta(minutes=rng.uniform(1, 9)), state=RunState.SUCCEEDED,
                    snapshot_id=info.id, files=create + replace, bytes_total=rng.randint(2, 300) * 2**20)
    run.report = {"destination": f"/srv/pulih/{state.site.slug}", "dry_run": False,
                  "paths": ["webroot/wp-content/uploads"], "create": [], "replace": [], "unchanged": 0,
                  "restored": create + replace, "failed": {}, "delete": [],
                  "summary": _("%(create)d created, %(replace)d replaced, %(delete)d deleted, %(unchanged)d unchanged")
                  % {"create": create, "replace": replace, "delete": 0, "unchanged": 0}}
    return run


def fill_backups(fill: Fill, windows: list[MaintenanceWindow]) -> BackupResult:
    rng = fill.rng
    target, plans = plans_for(fill)
    states = [SiteBackups(site, plans[site.pk], rng.uniform(1.0, 4.0), int(rng.lognormvariate(21.0, 1.0)),
                          int(rng.lognormvariate(9.4, 0.8))) for site in fill.sites]
    before_windows: dict[int, list[MaintenanceWindow]] = {}
    for window in windows:
        if window.site is not None:
            before_windows.setdefault(window.site.pk, []).append(window)
    nightly(fill, states, before_windows)
    runs: list[BackupRun] = [run for state in states for run in state.runs]
    broken = rng.randrange(len(states))
    for index, state in enumerate(states):
        runs += weekly(fill, state, index % 7, index == broken)
    runs += [restore(fill, states[index]) for index in rng.sample(range(len(states)), min(2, len(states)))]
    fill.save(BackupRun, runs)
    for run in sorted(runs, key=lambda run: (run.finished_at or run.started_at, run.pk)):
        finished(fill, run)
    snapshots = [snapshot for state in states for _info, snapshot in state.kept]
    fill.save(Snapshot, snapshots)
    fill.counts.backup_runs += len(runs)
    fill.counts.snapshots += len(snapshots)
    return BackupResult(target=target, trusted={snapshot.site_id: snapshot for snapshot in snapshots
                                                if snapshot.trusted})
