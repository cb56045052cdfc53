"""The engine against real local servers: claiming, caps, batches, incidents, windows, notices, failures.

The engine does its ORM work in its own thread, so these tests use committed data (transactional_db).
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import timezone

from jagaweb.activity.choices import Severity
from jagaweb.activity.models import Event
from jagaweb.activity.verbs import register
from jagaweb.inventory.models import Site
from jagaweb.monitor import verbs
from jagaweb.monitor.checks import KINDS, all_kinds
from jagaweb.monitor.checks.base import CheckSpec, CheckType, Context, Notice, Outcome
from jagaweb.monitor.choices import CheckKind, IncidentState, Status
from jagaweb.monitor.claims import JITTER, claim_due
from jagaweb.monitor.engine import Engine
from jagaweb.monitor.models import Check, Incident, MaintenanceWindow, MonitorProfile, Result
from jagaweb.notify.models import Message
from tests.monitor.servers import WebServer

TEST_NOTICE = register("monitor.test_notice", "{site_name}: test notice {level}")


@pytest.fixture
def kinds() -> Iterator[Any]:
    """kinds(name, check_type): a kind replaced for this test only."""
    saved = dict(all_kinds())

    def use(name: str, check_type: CheckType) -> None:
        KINDS[name] = check_type

    yield use
    KINDS.clear()
    KINDS.update(saved)


@pytest.fixture
def web() -> Iterator[WebServer]:
    with WebServer() as server:
        server.route("/", "<h1>Portal</h1>")
        yield server


class CountingServer:
    """HTTP on one loopback address that holds each request `hold` seconds and counts requests in flight."""

    def __init__(self, address: str, hold: float, counter: dict[str, int] | None = None) -> None:
        self.hold, self.lock = hold, threading.Lock()
        self.now, self.most, self.total = 0, 0, 0
        self.shared = counter  # several servers counting together: {"now": 0, "most": 0}
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                server.enter()
                try:
                    threading.Event().wait(server.hold)
                finally:
                    server.leave()
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer((address, 0), Handler)
        self.httpd.daemon_threads = True
        self.address = address
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def enter(self) -> None:
        with self.lock:
            self.now += 1
            self.total += 1
            self.most = max(self.most, self.now)
            if self.shared is not None:
                self.shared["now"] += 1
                self.shared["most"] = max(self.shared["most"], self.shared["now"])

    def leave(self) -> None:
        with self.lock:
            self.now -= 1
            if self.shared is not None:
                self.shared["now"] -= 1

    def url(self, path: str = "/") -> str:
        return f"http://{self.address}:{self.httpd.server_address[1]}{path}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def make_checks(site: Site, targets: list[str], kind: str = CheckKind.HTTP, **fields: Any) -> list[Check]:
    now = timezone.now()
    fields = {"interval": 60, "timeout": 5.0, "allow_private": True, **fields}
    return Check.objects.bulk_create(
        Check(site=site, kind=kind, target=target, next_due_at=now - timedelta(seconds=1), **fields)
        for target in targets
    )


def due_again() -> None:
    Check.objects.update(next_due_at=timezone.now() - timedelta(seconds=1))


def run_engine(**options: Any) -> int:
    options = {"poll": 0.05, "flush_every": 0.05, **options}
    return asyncio.run(Engine(**options).run_due())


class ProbeKind(CheckType):
    """A test-only kind: answers from `script` by check id without the network; counts its runs."""

    kind = CheckKind.TCP
    label = "probe"

    def __init__(self, script: dict[int, Any] | None = None, notices: list[Notice] | None = None) -> None:
        self.script = script or {}
        self.notice_list = notices or []
        self.runs: list[int] = []

    def host_key(self, spec: CheckSpec) -> str:
        return f"probe:{spec.id}"

    async def run(self, spec: CheckSpec, context: Context) -> Outcome:
        self.runs.append(spec.id)
        action = self.script.get(spec.id, Status.UP)
        if isinstance(action, BaseException):
            raise action
        if action == "hang":
            await asyncio.sleep(60)
        if action == "baseline":
            return Outcome(Status.UP, "answers", facts={"a": ["10.0.0.1"]},
                           new_baseline=None if spec.baseline else {"a": ["10.0.0.1"]})
        return Outcome(action, f"probe {action}", response_ms=12.0)

    def notices(self, spec: CheckSpec, outcome: Outcome) -> list[Notice]:
        return list(self.notice_list)


# ---- running and writing ----

def test_due_checks_run_once_and_their_state_is_written(transactional_db, site_a, web):
    due = make_checks(site_a, [web.url("/")] * 5)
    later = make_checks(site_a, [web.url("/")])[0]
    Check.objects.filter(pk=later.pk).update(next_due_at=timezone.now() + timedelta(minutes=5))
    idle = make_checks(site_a, [web.url("/")], is_active=False)[0]
    before = timezone.now()
    assert run_engine() == 5
    assert Result.objects.count() == 5
    assert set(Result.objects.values_list("status", flat=True)) == {Status.UP}
    for check in Check.objects.filter(pk__in=[c.pk for c in due]):
        assert check.status == Status.UP and check.consecutive_successes == 1
        assert check.response_ms is not None and check.facts["status_code"] == 200
        assert check.last_checked_at >= before
        low, high = before + timedelta(seconds=60 * (1 - JITTER)), timezone.now() + timedelta(seconds=60 * (1 + JITTER))
        assert low <= check.next_due_at <= high
    assert Check.objects.get(pk=later.pk).status == Status.PENDING
    assert Check.objects.get(pk=idle.pk).status == Status.PENDING
    assert run_engine() == 0, "nothing is due any more"


def test_checks_of_an_inactive_site_do_not_run(transactional_db, site_a, web):
    make_checks(site_a, [web.url("/")])
    Site.objects.filter(pk=site_a.pk).update(is_active=False)
    assert run_engine() == 0


def test_per_host_cap_is_never_exceeded(transactional_db, site_a):
    servers = [CountingServer("127.0.0.2", hold=0.15), CountingServer("127.0.0.3", hold=0.15)]
    try:
        for server in servers:
            make_checks(site_a, [server.url(f"/{n}") for n in range(8)])
        assert run_engine(concurrency=50, per_host=2) == 16
    finally:
        for server in servers:
            server.stop()
    assert [server.total for server in servers] == [8, 8]
    assert [server.most for server in servers] == [2, 2], "each host at most 2 at once, and both in parallel"


def test_global_cap_is_never_exceeded(transactional_db, site_a):
    shared = {"now": 0, "most": 0}
    servers = [CountingServer(f"127.0.0.{n}", hold=0.1, counter=shared) for n in (4, 5, 6)]
    try:
        for server in servers:
            make_checks(site_a, [server.url(f"/{n}") for n in range(4)])
        assert run_engine(concurrency=3, per_host=10) == 12
    finally:
        for server in servers:
            server.stop()
    assert shared["most"] == 3


def test_jitter_spreads_the_next_slots(transactional_db, site_a):
    make_checks(site_a, [f"http://127.0.0.1:9/{n}" for n in range(300)])
    now = timezone.now()
    claimed = claim_due(now, 1000, random.Random(7))
    assert len(claimed) == 300
    offsets = sorted((c.next_due_at - now).total_seconds() for c in Check.objects.all())
    assert offsets[0] >= 54 and offsets[-1] <= 66
    assert offsets[-1] - offsets[0] > 10, "slots spread over most of the ±10% window"
    assert len({round(o, 3) for o in offsets}) > 290
    assert claim_due(now, 1000) == [], "claimed rows are no longer due"


def test_a_run_that_raises_is_unknown_with_the_error_and_the_rest_go_on(transactional_db, site_a, kinds):
    checks = make_checks(site_a, ["probe"] * 3, kind=CheckKind.TCP)
    probe = ProbeKind({checks[1].pk: RuntimeError("kaputt")})
    kinds(CheckKind.TCP, probe)
    assert run_engine() == 3
    broken = Check.objects.get(pk=checks[1].pk)
    assert broken.status == Status.UNKNOWN and "RuntimeError: kaputt" in broken.message
    assert Result.objects.get(check_ref=broken).message.startswith("The check failed: RuntimeError: kaputt")
    assert {c.status for c in Check.objects.exclude(pk=broken.pk)} == {Status.UP}
    due_again()
    assert run_engine() == 3, "the engine keeps running the check"


def test_a_run_that_overruns_its_timeout_is_unknown(transactional_db, site_a, kinds):
    checks = make_checks(site_a, ["probe", "probe"], kind=CheckKind.TCP, timeout=0.1)
    kinds(CheckKind.TCP, ProbeKind({checks[0].pk: "hang"}))
    assert run_engine(margin=0.2) == 2
    hung = Check.objects.get(pk=checks[0].pk)
    assert hung.status == Status.UNKNOWN and "did not finish within 0.3 seconds" in hung.message
    assert Check.objects.get(pk=checks[1].pk).status == Status.UP


def test_results_are_written_in_batches(transactional_db, site_a, kinds):
    make_checks(site_a, ["probe"] * 120, kind=CheckKind.TCP)
    kinds(CheckKind.TCP, ProbeKind())
    assert run_engine(batch_size=50) == 120
    assert Result.objects.count() == 120
    assert Check.objects.filter(status=Status.UP).count() == 120


# ---- incidents and alerts ----

def alerts_about(site: Site) -> list[str]:
    return list(Message.objects.filter(site=site).order_by("pk").values_list("title", flat=True))


def test_incident_opens_after_n_failures_and_resolves_after_m_successes(transactional_db, site_a, web):
    MonitorProfile.objects.create(site=site_a, failures_to_open=3, successes_to_resolve=2)
    web.route("/", "Internal Server Error", status=500)
    check = make_checks(site_a, [web.url("/")])[0]
    for _ in range(2):
        run_engine()
        due_again()
    assert not Incident.objects.exists() and alerts_about(site_a) == []
    run_engine()
    incident = Incident.objects.get()
    assert incident.state == IncidentState.OPEN and not incident.silenced and incident.check_ref_id == check.pk
    assert "500" in incident.cause
    opened = Event.objects.get(verb=verbs.INCIDENT_OPENED)
    assert opened.job == "monitor" and opened.site_id == site_a.pk and opened.severity == Severity.CRITICAL
    assert alerts_about(site_a) == [f"{site_a.name} is down ({Check.objects.get()}): {incident.cause}"]

    due_again()
    run_engine()
    assert Incident.objects.get().state == IncidentState.OPEN, "still failing: still open"
    web.route("/", "<h1>Portal</h1>")
    due_again()
    run_engine()
    assert Incident.objects.get().state == IncidentState.OPEN, "one success is not enough"
    due_again()
    run_engine()
    incident.refresh_from_db()
    assert incident.state == IncidentState.RESOLVED and incident.resolved_at is not None
    assert Event.objects.filter(verb=verbs.INCIDENT_RESOLVED).count() == 1
    assert len(alerts_about(site_a)) == 2 and "is back up" in alerts_about(site_a)[1]
    assert Incident.objects.count() == 1


def test_maintenance_window_silences_alerts_but_records(transactional_db, site_a, kinds):
    MonitorProfile.objects.create(site=site_a, failures_to_open=1, successes_to_resolve=1)
    now = timezone.now()
    window = MaintenanceWindow.objects.create(organisation=site_a.organisation, starts_at=now - timedelta(hours=1),
                                              ends_at=now + timedelta(hours=1), reason="Migrasi server")
    check = make_checks(site_a, ["probe"], kind=CheckKind.TCP)[0]
    kinds(CheckKind.TCP, ProbeKind({check.pk: Status.DOWN}))
    run_engine()
    incident = Incident.objects.get()
    assert incident.silenced
    event = Event.objects.get(verb=verbs.INCIDENT_OPENED)
    assert event.data["silenced_by"] == "Migrasi server"
    assert alerts_about(site_a) == []

    due_again()
    run_engine()
    assert alerts_about(site_a) == [], "still inside the window"
    MaintenanceWindow.objects.filter(pk=window.pk).update(ends_at=timezone.now() - timedelta(seconds=1))
    due_again()
    run_engine()
    assert len(alerts_about(site_a)) == 1 and "still down after the maintenance window" in alerts_about(site_a)[0]
    assert not Incident.objects.get().silenced
    due_again()
    run_engine()
    assert len(alerts_about(site_a)) == 1, "told once"


def test_recovery_of_a_silenced_incident_is_recorded_not_sent(transactional_db, site_a, kinds):
    MonitorProfile.objects.create(site=site_a, failures_to_open=1, successes_to_resolve=1)
    now = timezone.now()
    MaintenanceWindow.objects.create(site=site_a, starts_at=now - timedelta(hours=1),
                                     ends_at=now + timedelta(hours=1), reason="Pemeliharaan")
    check = make_checks(site_a, ["probe"], kind=CheckKind.TCP)[0]
    probe = ProbeKind({check.pk: Status.DOWN})
    kinds(CheckKind.TCP, probe)
    run_engine()
    probe.script[check.pk] = Status.UP
    due_again()
    run_engine()
    assert Incident.objects.get().state == IncidentState.RESOLVED
    assert Event.objects.filter(verb=verbs.INCIDENT_RESOLVED).count() == 1
    assert alerts_about(site_a) == []


def test_kind_notices_are_sent_once_and_silenced_in_windows(transactional_db, site_a, site_b, kinds):
    notice = Notice(key="cert:30", verb=TEST_NOTICE, severity=Severity.WARNING, data={"level": 30})
    first = make_checks(site_a, ["probe"], kind=CheckKind.TCP)[0]
    make_checks(site_b, ["probe"], kind=CheckKind.TCP)
    now = timezone.now()
    MaintenanceWindow.objects.create(site=site_b, starts_at=now - timedelta(hours=1),
                                     ends_at=now + timedelta(hours=1), reason="Pemeliharaan")
    kinds(CheckKind.TCP, ProbeKind(notices=[notice]))
    for _ in range(3):
        run_engine()
        due_again()
    assert alerts_about(site_a) == [f"{site_a.name}: test notice 30"]
    assert alerts_about(site_b) == []
    assert Event.objects.filter(verb=TEST_NOTICE).count() == 2, "recorded for both sites, once each"
    assert set(Check.objects.get(pk=first.pk).notices_sent) == {"cert:30"}


def test_a_new_baseline_is_saved(transactional_db, site_a, kinds):
    check = make_checks(site_a, ["probe"], kind=CheckKind.TCP)[0]
    kinds(CheckKind.TCP, ProbeKind({check.pk: "baseline"}))
    run_engine()
    assert Check.objects.get(pk=check.pk).baseline == {"a": ["10.0.0.1"]}


def test_a_check_deleted_while_running_is_dropped(transactional_db, site_a, kinds):
    from jagaweb.monitor.writer import Finished, write_batch

    check = make_checks(site_a, ["probe"], kind=CheckKind.TCP)[0]
    spec = CheckSpec(id=check.pk, site_id=site_a.pk, site_name=site_a.name, site_url=site_a.url, kind="tcp",
                     target="probe", config={}, timeout=5, interval=60, allow_private=True)
    check.delete()
    written = write_batch([Finished(spec, Outcome(Status.UP), timezone.now())])
    assert written.results == 0 and not Result.objects.exists()


def test_serve_runs_until_stopped(transactional_db, site_a, kinds):
    make_checks(site_a, ["probe"] * 4, kind=CheckKind.TCP)
    probe = ProbeKind()
    kinds(CheckKind.TCP, probe)

    async def serve_briefly() -> None:
        stop = asyncio.Event()
        engine = Engine(poll=0.05, flush_every=0.05)
        task = asyncio.ensure_future(engine.serve(stop))
        for _ in range(200):
            await asyncio.sleep(0.02)
            if engine.total.written >= 4:
                break
        stop.set()
        await asyncio.wait_for(task, 10)

    asyncio.run(serve_briefly())
    assert len(probe.runs) == 4 and Result.objects.count() == 4


def test_an_alert_that_cannot_be_recorded_costs_only_itself(transactional_db, site_a, kinds, caplog):
    poison = Notice(key="bad", verb=TEST_NOTICE, severity=Severity.WARNING, data={"level": object()})
    make_checks(site_a, ["probe"] * 3, kind=CheckKind.TCP)
    kinds(CheckKind.TCP, ProbeKind(notices=[poison]))
    assert run_engine() == 3
    assert Result.objects.count() == 3 and Check.objects.filter(status=Status.UP).count() == 3
    assert "could not record the notice event" in caplog.text


def test_a_batch_that_cannot_be_written_is_written_one_by_one(transactional_db, site_a, kinds, monkeypatch, caplog):
    from jagaweb.monitor import engine, writer

    checks = make_checks(site_a, ["probe"] * 4, kind=CheckKind.TCP)
    kinds(CheckKind.TCP, ProbeKind())
    real = writer.write_batch

    def fail_for_one(batch):
        if any(done.spec.id == checks[2].pk for done in batch):
            raise ValueError("cannot store this one")
        return real(batch)

    monkeypatch.setattr(engine, "write_batch", fail_for_one)
    assert run_engine() == 4
    assert set(Result.objects.values_list("check_ref_id", flat=True)) == {c.pk for c in checks} - {checks[2].pk}
    assert "dropping a result that cannot be written" in caplog.text
