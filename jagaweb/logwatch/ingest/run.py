"""One run of a site's log ingest: read every configured log from where the last run stopped, detect,
count visitors, and commit.

Each commit (every `commit_bytes` of log text, and at the end) is one transaction holding the daily figures,
the findings and incidents, the alerts, the behaviour windows and the cursors of exactly the lines it
counted. A run that dies before a commit leaves nothing of the lines since the previous commit, and the next
run reads them again from the stored cursors: no line is lost and none is counted twice. Each commit also
moves the site's generation number on with a compare-and-swap, so of two runs of one site started together
only one can commit what both read (the other stops with ConcurrentIngest).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from jagaweb.inventory.models import Site
from jagaweb.logwatch.daily import day_deltas, merge_days
from jagaweb.logwatch.detect import Behaviour, detect_requests
from jagaweb.logwatch.following import Identity, Planner, Position, live_paths, planning
from jagaweb.logwatch.incidents import Recorded, close_quiet, record_findings, send_alerts
from jagaweb.logwatch.ingest import state as behaviour_state
from jagaweb.logwatch.ingest.reading import FileJob, Piece, pieces
from jagaweb.logwatch.models import LogCursor, WatchState
from jagaweb.logwatch.scan import in_thread
from jagaweb.logwatch.stats import VisitorStats

DEFAULT_COMMIT_BYTES = 128 * 1024 * 1024
DEFAULT_BATCH_BYTES = 16 * 1024 * 1024
NOTE_CHARS = 500

FindingsHook = Callable[[pl.DataFrame], None]


class ConcurrentIngest(Exception):
    """Another run of the same site committed first; this run's reading is dropped (the other counted it)."""


@dataclass
class IngestReport:
    site: str
    files: int = 0
    lines: int = 0
    requests: int = 0
    unparsed: int = 0
    findings: int = 0
    stored_findings: int = 0
    incidents_opened: int = 0
    incidents_closed: int = 0
    alerts: int = 0
    commits: int = 0
    bytes: int = 0
    seconds: float = 0.0
    db_seconds: float = 0.0  # inside commits: the database's share of the run
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (f"{self.files} files, {self.lines} lines, {self.requests} requests, {self.unparsed} unparsed, "
                f"{self.findings} findings, {self.incidents_opened} incidents opened, {self.alerts} alerts")
        return "; ".join([text, *self.notes, *self.errors])

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass
class CursorUpdate:
    identity: Identity
    offset: int
    next_line: int
    log_format: str = ""
    format_state: dict[str, Any] = field(default_factory=dict)
    lines: int = 0
    note: str = ""


class Pending:
    """What has been read since the last commit."""

    def __init__(self, time_zone: str) -> None:
        self.stats = VisitorStats(time_zone)
        self.findings: list[pl.DataFrame] = []
        self.unparsed: Counter[date] = Counter()
        self.cursors: dict[str, CursorUpdate] = {}
        self.bytes = 0


def position_of(cursor: LogCursor | None) -> Position | None:
    if cursor is None:
        return None
    return Position(cursor.device, cursor.inode, cursor.offset, cursor.next_line, cursor.fingerprint,
                    cursor.fingerprint_bytes)


class SiteIngest:
    def __init__(self, site: Site, *, on_findings: FindingsHook | None = None,
                 commit_bytes: int = DEFAULT_COMMIT_BYTES, batch_bytes: int = DEFAULT_BATCH_BYTES,
                 now: Callable[[], datetime] = timezone.now) -> None:
        self.site = site
        self.on_findings = on_findings
        self.commit_bytes = commit_bytes
        self.batch_bytes = batch_bytes
        self.now = now
        self.time_zone = settings.TIME_ZONE
        self.zone = ZoneInfo(self.time_zone)
        self.report = IngestReport(site.slug)
        state, _created = WatchState.objects.get_or_create(site=site)
        self.generation = state.generation
        self.behaviour = Behaviour()
        if not behaviour_state.load(self.behaviour, state.behaviour_events, state.behaviour_alerts,
                                    state.behaviour_version) and state.behaviour_version:
            self.report.notes.append("behaviour windows started empty")
        self.cursors = {cursor.path: cursor for cursor in LogCursor.objects.filter(site=site)}

    def run(self) -> IngestReport:
        started = time.perf_counter()
        with planning() as planner:
            jobs = self.plan(planner)
            pending = Pending(self.time_zone)
            # closed explicitly: the reading thread stops before the planned files are closed
            with closing(in_thread(pieces(jobs, self.batch_bytes), "logwatch-ingest-read")) as reading:
                for piece in reading:
                    self.take(piece, pending)
                    if pending.bytes >= self.commit_bytes:
                        self.commit(pending)
                        pending = Pending(self.time_zone)
            self.commit(pending)
        self.finish()
        self.report.seconds = time.perf_counter() - started
        return self.report

    def plan(self, planner: Planner) -> list[FileJob]:
        jobs = []
        for path in live_paths(self.site.access_logs):
            cursor = self.cursors.get(str(path))
            plan = planner.plan(path, position_of(cursor))
            if plan.note:
                self.report.notes.append(f"{path}: {plan.note}")
            if not plan.segments:
                if cursor is None:
                    self.report.notes.append(f"{path}: {planner.failures.get(path, 'not found')}")
                continue
            self.report.files += 1
            jobs.append(FileJob(str(path), plan, cursor.log_format if cursor else "",
                                dict(cursor.format_state) if cursor else {}))
        return jobs

    def take(self, piece: Piece, pending: Pending) -> None:
        """Count, detect and remember how far the file is read."""
        frame = piece.batch.frame
        if piece.batch.lines:
            pending.stats.feed(frame)
            if len(frame):
                found = [detect_requests(frame), self.behaviour.feed(frame)]
                pending.findings += [part for part in found if part is not None and len(part)]
            unparsed = piece.batch.unparsed_count
            if unparsed:
                pending.unparsed[self.day_of(frame)] += unparsed
            self.report.lines += piece.batch.lines
            self.report.requests += len(frame)
            self.report.unparsed += unparsed
        pending.bytes += piece.consumed
        self.report.bytes += piece.consumed
        if piece.error:
            self.report.errors.append(f"{piece.segment.path}: {piece.error}")
        previous = pending.cursors.get(piece.job.key)
        lines = (previous.lines if previous else 0) + piece.batch.lines
        update = CursorUpdate(piece.segment.identity, piece.offset, piece.next_line,
                              piece.log_format if piece.confident else piece.job.log_format, piece.format_state,
                              lines, piece.job.plan.note)
        segments = piece.job.plan.segments
        if piece.end and not piece.segment.live:
            following = segments.index(piece.segment) + 1
            if following < len(segments):  # the rotated file is done: the new one starts at its beginning
                update.identity, update.offset, update.next_line = segments[following].identity, 0, 1
        pending.cursors[piece.job.key] = update
        if piece.confident:
            piece.job.log_format = piece.log_format

    def day_of(self, frame: pl.DataFrame) -> date:
        """The local day unparsed lines are counted on: that of the batch's newest request, or today."""
        newest = frame.get_column("time").max() if len(frame) else None
        moment = newest if isinstance(newest, datetime) else self.now()
        return moment.astimezone(self.zone).date()

    def changed(self, path: str, update: CursorUpdate) -> bool:
        cursor = self.cursors.get(path)
        if cursor is None:
            return True
        return (cursor.device, cursor.inode, cursor.offset, cursor.next_line, cursor.fingerprint,
                cursor.log_format, cursor.format_state) != (
            update.identity.device, update.identity.inode, update.offset, update.next_line,
            update.identity.fingerprint, update.log_format, update.format_state)

    def commit(self, pending: Pending) -> None:
        cursors = {path: update for path, update in pending.cursors.items() if self.changed(path, update)}
        if not cursors and not pending.bytes:
            return
        deltas = day_deltas(pending.stats, dict(pending.unparsed))
        findings = pl.concat(pending.findings, how="vertical_relaxed") if pending.findings else None
        events, alerts = behaviour_state.dump(self.behaviour)
        started = time.perf_counter()
        with transaction.atomic():
            claimed = WatchState.objects.filter(site=self.site, generation=self.generation).update(
                generation=F("generation") + 1, behaviour_events=events, behaviour_alerts=alerts,
                behaviour_version=behaviour_state.version_tag())
            if not claimed:
                raise ConcurrentIngest(f"{self.site.slug}: another run committed first")
            merge_days(self.site, deltas)
            recorded = record_findings(self.site, findings) if findings is not None else Recorded()
            if self.on_findings is not None and findings is not None:
                self.on_findings(findings)
            self.save_cursors(cursors)
            state = WatchState.objects.get(site=self.site)
            sent = send_alerts(self.site, recorded.touched, state, self.now())
        self.generation += 1
        self.report.db_seconds += time.perf_counter() - started
        self.report.commits += 1
        self.report.findings += recorded.findings
        self.report.stored_findings += recorded.stored
        self.report.incidents_opened += recorded.opened
        self.report.alerts += sent

    def save_cursors(self, cursors: dict[str, CursorUpdate]) -> None:
        for path, update in cursors.items():
            cursor = self.cursors.get(path) or LogCursor(site=self.site, path=path)
            identity = update.identity
            cursor.device, cursor.inode, cursor.size = identity.device, identity.inode, identity.size
            cursor.fingerprint, cursor.fingerprint_bytes = identity.fingerprint, identity.fingerprint_bytes
            cursor.offset, cursor.next_line = update.offset, update.next_line
            cursor.log_format, cursor.format_state = update.log_format, update.format_state
            cursor.lines += update.lines
            cursor.note = update.note[:NOTE_CHARS]
            cursor.save()
            self.cursors[path] = cursor

    def finish(self) -> None:
        """Close incidents gone quiet, send alerts that waited for the hourly limit, note how the run went."""
        now = self.now()
        with transaction.atomic():
            self.report.incidents_closed = close_quiet(now, self.site)
            state = WatchState.objects.select_for_update().get(site=self.site)
            self.report.alerts += send_alerts(self.site, [], state, now)
            WatchState.objects.filter(site=self.site).update(
                last_run_at=now, last_lines=self.report.lines, last_error="\n".join(self.report.errors)[:4000])


def ingest_site(site: Site, **options: Any) -> IngestReport:
    """Read the site's access logs from where the last run stopped (see SiteIngest for the options)."""
    return SiteIngest(site, **options).run()
