"""The supervisor's restart and backoff rules, driven through its small methods with real processes."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from jagaweb.service.supervisor import Child, Supervisor


def exits(code: int) -> list[str]:
    return [sys.executable, "-c", f"raise SystemExit({code})"]


def sleeps(seconds: float = 60) -> list[str]:
    return [sys.executable, "-c", f"import time; time.sleep({seconds})"]


def wait_exit(child: Child) -> int:
    assert child.process is not None
    return child.process.wait(timeout=30)


def test_a_child_that_exits_is_restarted_after_a_pause():
    child = Child("flaky", exits(3))
    supervisor = Supervisor([child], first_pause=0.5)
    supervisor.start(child, 0.0)
    assert wait_exit(child) == 3

    supervisor.check_children(10.0)
    assert child.process is None and child.restart_at == 10.5 and child.restarts == [10.0]
    supervisor.check_children(10.2)
    assert child.process is None  # still pausing
    supervisor.check_children(10.5)
    assert child.process is not None and wait_exit(child) == 3
    assert not supervisor.stopping and supervisor.failed is None


def test_pauses_double_and_a_child_that_keeps_dying_stops_the_service():
    child = Child("broken", exits(1))
    supervisor = Supervisor([child], max_restarts=5, window=60.0, first_pause=1.0)
    pauses = []
    for now in [0.0, 1.0, 3.0, 7.0, 15.0]:
        supervisor.schedule_restart(child, 1, now)
        pauses.append(child.restart_at - now)
    assert pauses == [1.0, 2.0, 4.0, 8.0, 16.0] and not supervisor.stopping

    supervisor.schedule_restart(child, 1, 31.0)

    assert supervisor.stopping
    assert supervisor.failed == "broken exited 6 times within 60s"


def test_exits_far_apart_are_forgiven():
    child = Child("sometimes", exits(1))
    supervisor = Supervisor([child], max_restarts=2, window=60.0)
    for now in [0.0, 100.0, 200.0, 300.0]:
        supervisor.schedule_restart(child, 1, now)
    assert not supervisor.stopping and child.restarts == [300.0]


def test_a_command_that_cannot_start_counts_as_an_exit(tmp_path: Path):
    child = Child("missing", [str(tmp_path / "no-such-program")])
    supervisor = Supervisor([child])
    supervisor.start(child, 5.0)
    assert child.process is None and child.restarts == [5.0] and child.restart_at == 6.0


def test_run_gives_up_on_a_crashing_child_and_stops_the_others():
    steady, crashing = Child("steady", sleeps()), Child("crashing", exits(2))
    supervisor = Supervisor([steady, crashing], poll=0.02, max_restarts=2, first_pause=0.05, grace=5)
    before = signal.getsignal(signal.SIGTERM)

    started = time.monotonic()
    assert supervisor.run() == 1

    assert time.monotonic() - started < 10
    assert supervisor.failed == "crashing exited 3 times within 60s"
    assert steady.process is not None and steady.process.returncode == -signal.SIGTERM
    assert signal.getsignal(signal.SIGTERM) is before  # the handlers are put back


def test_run_stops_cleanly_when_asked():
    children = [Child("a", sleeps()), Child("b", sleeps())]
    supervisor = Supervisor(children, poll=0.02)
    threading.Timer(0.5, supervisor.request_stop, (signal.SIGTERM, None)).start()

    assert supervisor.run() == 0

    assert all(c.process is not None and c.process.returncode == -signal.SIGTERM for c in children)


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace_period(tmp_path: Path):
    ready = tmp_path / "ready"
    stubborn = Child("stubborn", [
        sys.executable, "-c",
        "import pathlib, signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        f"pathlib.Path({str(ready)!r}).touch(); time.sleep(60)",
    ])
    supervisor = Supervisor([stubborn], grace=0.5)
    supervisor.start(stubborn, 0.0)
    deadline = time.monotonic() + 30
    while not ready.exists():
        assert time.monotonic() < deadline, "the child never got ready"
        time.sleep(0.05)

    supervisor.stop_all()

    assert stubborn.process is not None and stubborn.process.returncode == -signal.SIGKILL


@pytest.mark.skipif(sys.platform != "linux", reason="the parent-death signal is Linux-only")
def test_children_do_not_outlive_a_killed_supervisor():
    parent = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time\n"
         "from jagaweb.service.supervisor import Child\n"
         f"child = Child('orphan', {sleeps()!r})\n"
         "child.start()\n"
         "print(child.process.pid, flush=True)\n"
         "time.sleep(60)\n"],
        cwd=Path(__file__).resolve().parents[2], stdout=subprocess.PIPE, text=True,
    )
    try:
        child_pid = int(parent.stdout.readline())
        parent.kill()
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while Path(f"/proc/{child_pid}").exists() and "Z" not in state(child_pid):
            assert time.monotonic() < deadline, "the child outlived its supervisor"
            time.sleep(0.05)
    finally:
        if parent.poll() is None:
            parent.kill()
        parent.stdout.close()


def state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"
