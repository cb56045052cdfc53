"""The monitoring engine: one asyncio loop running thousands of checks, one thread doing all ORM work.

    claim (DB thread) --> tasks: per-host slot, global slot, kind.run() --> done list --> write (DB thread)

- Due checks are claimed in batches (`claims.claim_due`), so several engines on PostgreSQL never
  run the same slot; a claim moves the check to its next slot before it runs.
- A run waits for a slot of its host (`kind.host_key`, JAGAWEB_MONITOR_PER_HOST) and then for a
  global slot (JAGAWEB_MONITOR_CONCURRENCY): never more in flight than either cap, and a run
  waiting for a busy host does not hold a global slot.
- Finished runs are written every FLUSH_EVERY seconds or BATCH_SIZE runs, whichever comes first, in
  one transaction a batch (`writer.write_batch`).
- The ORM runs in a single worker thread, never on the event loop: the loop only does network I/O.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection, connections
from django.utils import timezone
from django.utils.translation import gettext as _

from jagaweb.monitor.checks import kind_of
from jagaweb.monitor.checks.base import CheckSpec, CheckType, Context, Outcome
from jagaweb.monitor.choices import Status
from jagaweb.monitor.claims import Claimed, claim_due
from jagaweb.monitor.writer import Finished, Written, write_batch

logger = logging.getLogger("jagaweb.monitor")

T = TypeVar("T")
BATCH_SIZE = 500
FLUSH_EVERY = 1.0
POLL = 0.25  # seconds between claims when nothing more is due (a cheap read when nothing is)
MARGIN = 5.0  # a run gets its own timeout plus this before the engine gives up on it
STOP_GRACE = 5.0  # on stop, runs in flight get this long; the rest run again at their next slot
MAX_BACKLOG = 50_000  # finished runs kept while the database is away; older ones are dropped
STATS_EVERY = 60.0


def default_sessions() -> Any:
    from jagaweb.monitor.checks.sessions import Sessions

    return Sessions()


async def execute(kind: CheckType | None, spec: CheckSpec, context: Context, margin: float = MARGIN) -> Outcome:
    """One run that always ends in an Outcome: a kind that raises or overruns gives UNKNOWN with the reason."""
    if kind is None:
        return Outcome(Status.UNKNOWN, _("Unknown check kind %(kind)s.") % {"kind": spec.kind})
    try:
        # asyncio.timeout rather than wait_for: no extra task per run (a tenth of the engine's own CPU).
        async with asyncio.timeout(spec.timeout + margin):
            outcome = await kind.run(spec, context)
    except TimeoutError:
        return Outcome(Status.UNKNOWN, _("The check did not finish within %(seconds)s seconds.")
                       % {"seconds": f"{spec.timeout + margin:g}"})
    except Exception as exc:
        logger.exception("check %s (%s) raised", spec.id, spec.kind)
        return Outcome(Status.UNKNOWN, _("The check failed: %(error)s") % {"error": f"{type(exc).__name__}: {exc}"})
    if not isinstance(outcome, Outcome):
        return Outcome(Status.UNKNOWN, _("The check gave no result."))
    return outcome


def kind_or_none(name: str) -> CheckType | None:
    try:
        return kind_of(name)
    except Exception:  # an unknown name, or a kind module that fails to import: the run says so
        logger.exception("no check kind %r", name)
        return None


def write_each(batch: list[Finished]) -> Written:
    written = Written()
    for done in batch:
        try:
            written.results += write_batch([done]).results
        except Exception:
            logger.exception("check %s: dropping a result that cannot be written", done.spec.id)
    return written


def close_connection() -> None:
    """Drop the DB thread's connection after an error; the next query opens a fresh one. (The engine keeps
    its connection otherwise: with CONN_MAX_AGE=0, Django's close_old_connections would reconnect every call.)"""
    connection.close()


async def close_sessions(sessions: Any) -> None:
    closing = sessions.close()
    if inspect.isawaitable(closing):
        await closing


class HostSlots:
    """A semaphore per host key, made when first needed and dropped when nobody holds or waits for it."""

    def __init__(self, per_host: int) -> None:
        self.per_host = per_host
        self.slots: dict[str, list[Any]] = {}  # key -> [semaphore, users]

    async def acquire(self, key: str) -> None:
        entry = self.slots.get(key)
        if entry is None:
            entry = self.slots[key] = [asyncio.Semaphore(self.per_host), 0]
        entry[1] += 1
        try:
            await entry[0].acquire()
        except BaseException:
            self.forget(key, entry)
            raise

    def release(self, key: str) -> None:
        entry = self.slots[key]
        entry[0].release()
        self.forget(key, entry)

    def forget(self, key: str, entry: list[Any]) -> None:
        entry[1] -= 1
        if entry[1] == 0:
            del self.slots[key]


@dataclass
class Stats:
    runs: int = 0
    lag_total: float = 0.0
    lag_max: float = 0.0
    written: int = 0
    started: float = 0.0

    def line(self, in_flight: int) -> str:
        seconds = max(time.monotonic() - self.started, 1e-9)
        lag = self.lag_total / self.runs if self.runs else 0.0
        return (f"ran {self.runs} checks in {seconds:.0f}s ({self.runs / seconds:.1f}/s), wrote {self.written}, "
                f"lag avg {lag:.2f}s max {self.lag_max:.2f}s, {in_flight} in flight")


class Engine:
    def __init__(
        self, *, concurrency: int | None = None, per_host: int | None = None, batch_size: int = BATCH_SIZE,
        flush_every: float = FLUSH_EVERY, poll: float = POLL, margin: float = MARGIN,
        sessions_factory: Callable[[], Any] = default_sessions, rng: random.Random | None = None,
    ) -> None:
        self.concurrency = concurrency or settings.JAGAWEB_MONITOR_CONCURRENCY
        self.per_host = per_host or settings.JAGAWEB_MONITOR_PER_HOST
        self.batch_size, self.flush_every, self.poll, self.margin = batch_size, flush_every, poll, margin
        self.sessions_factory = sessions_factory
        self.rng = rng or random.Random()
        # Room for runs waiting on a busy host besides those in flight, so other hosts keep going.
        self.max_pending = self.concurrency * 2
        self.db_thread = ThreadPoolExecutor(1, thread_name_prefix="monitor-db")
        self.global_slots = asyncio.Semaphore(self.concurrency)
        self.hosts = HostSlots(self.per_host)
        self.tasks: set[asyncio.Task[None]] = set()
        self.done: list[Finished] = []
        self.room = asyncio.Event()
        self.flush_now = asyncio.Event()
        self.stats = Stats(started=time.monotonic())
        self.total = Stats(started=time.monotonic())
        self.sessions: Any = None

    async def db(self, function: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.db_thread, partial(function, *args))

    # ---- claiming and running ----

    async def claim(self) -> tuple[int, int]:
        """Claim what fits into the free room; returns (asked for, got). Nothing is asked for until at
        least half the room is free: claims of a few rows each would cost a transaction per few checks."""
        room = self.max_pending - len(self.tasks)
        if room < self.max_pending // 2:
            return 0, 0
        now = timezone.now()
        try:
            claimed = await self.db(self.claim_in_thread, now, room)
        except DatabaseError:
            # The database is briefly away (restart, failover, a long lock): try again at the next poll,
            # on a new connection.
            logger.exception("claiming due checks failed; retrying")
            await self.db(close_connection)
            return room, 0
        context = Context(now, self.sessions)
        loop = asyncio.get_running_loop()
        for item in claimed:
            task = loop.create_task(self.run_one(item, context))
            self.tasks.add(task)
            task.add_done_callback(self.task_done)
        return room, len(claimed)

    def claim_in_thread(self, now: datetime, limit: int) -> list[Claimed]:
        return claim_due(now, limit, self.rng)

    def task_done(self, task: asyncio.Task[None]) -> None:
        self.tasks.discard(task)
        if len(self.tasks) <= self.max_pending // 2:
            self.room.set()  # enough room for a claim (see `claim`); waking up for less would be wasted

    async def run_one(self, claimed: Claimed, context: Context) -> None:
        spec = claimed.spec
        kind = kind_or_none(spec.kind)
        try:
            key = kind.host_key(spec) if kind is not None else spec.target
        except Exception:
            key = spec.target
        await self.hosts.acquire(key)
        try:
            async with self.global_slots:
                lag = time.time() - claimed.due_at.timestamp()
                outcome = await execute(kind, spec, context, self.margin)
        finally:
            self.hosts.release(key)
        self.done.append(Finished(spec, outcome, timezone.now()))
        for stats in (self.stats, self.total):
            stats.runs += 1
            stats.lag_total += lag
            stats.lag_max = max(stats.lag_max, lag)
        if len(self.done) >= self.batch_size:
            self.flush_now.set()

    # ---- writing ----

    async def flush(self) -> None:
        while self.done:
            batch, self.done = self.done[: self.batch_size], self.done[self.batch_size:]
            try:
                written = await self.db(write_batch, batch)
            except (OperationalError, InterfaceError):
                # The database is away or locked for too long: keep the results for the next flush.
                logger.exception("writing %d results failed; keeping them for the next attempt", len(batch))
                await self.db(close_connection)
                self.done[:0] = batch
                del self.done[:-MAX_BACKLOG]
                return
            except Exception:
                # Something in the batch cannot be written (a bug, a constraint): write the runs one by
                # one so that only the culprit is lost, never the engine's ability to write.
                logger.exception("writing a batch of %d results failed; writing them one by one", len(batch))
                written = await self.db(write_each, batch)
            self.stats.written += written.results
            self.total.written += written.results

    async def flush_loop(self, stop: asyncio.Event) -> None:
        while not (stop.is_set() and not self.tasks):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.flush_now.wait(), self.flush_every)
            self.flush_now.clear()
            await self.flush()
        await self.flush()

    # ---- the loop ----

    async def serve(self, stop: asyncio.Event) -> None:
        """Claim, run and write until `stop` is set; then let runs in flight finish briefly and write them."""
        self.sessions = self.sessions_factory()
        flusher = asyncio.get_running_loop().create_task(self.flush_loop(stop))
        next_stats = time.monotonic() + STATS_EVERY
        try:
            while not stop.is_set():
                if time.monotonic() >= next_stats:
                    logger.info("monitor: %s", self.stats.line(len(self.tasks)))
                    self.stats, next_stats = Stats(started=time.monotonic()), time.monotonic() + STATS_EVERY
                asked, got = await self.claim()
                if got and got == asked:
                    continue  # more may be due: claim again as soon as there is room
                await self.pause(stop, wait_for_room=asked == 0)
        finally:
            await self.finish(flusher, stop)

    async def pause(self, stop: asyncio.Event, *, wait_for_room: bool) -> None:
        """Until the next poll, or earlier when stopped or (if waiting for room) when room for a claim frees."""
        self.room.clear()
        if wait_for_room and len(self.tasks) <= self.max_pending // 2:
            return  # the room freed before the event was cleared
        await wait_first([stop.wait(), self.room.wait()] if wait_for_room else [stop.wait()], self.poll)

    async def finish(self, flusher: asyncio.Task[None], stop: asyncio.Event) -> None:
        stop.set()
        if self.tasks:
            _done, late = await asyncio.wait(set(self.tasks), timeout=STOP_GRACE)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late)
        await flusher
        await close_sessions(self.sessions)
        await self.db(connections.close_all)
        self.db_thread.shutdown(wait=True)

    async def run_due(self) -> int:
        """Run everything due now, write it, and return how many ran (`jagaweb monitor --once`, tests)."""
        stop = asyncio.Event()
        self.sessions = self.sessions_factory()
        flusher = asyncio.get_running_loop().create_task(self.flush_loop(stop))
        try:
            while True:
                asked, got = await self.claim()
                if asked and got < asked:
                    break
                if not asked:
                    await self.pause(stop, wait_for_room=True)
            if self.tasks:
                await asyncio.wait(set(self.tasks))
        finally:
            await self.finish(flusher, stop)
        return self.total.runs


async def wait_first(waiters: list[Any], timeout: float) -> None:
    tasks = [asyncio.ensure_future(waiter) for waiter in waiters]
    try:
        await asyncio.wait(tasks, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
