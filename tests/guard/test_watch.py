"""Real-time mode: a site's web root watched, a files-only check as soon as something changes in it."""

from __future__ import annotations

import os
import signal
import threading
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError, close_old_connections

from jagaweb.guard.choices import FindingState, RunKind, RunState, Source, Verdict
from jagaweb.guard.models import Finding, GuardProfile, GuardRun
from jagaweb.guard.watching import (
    REALTIME,
    WatchError,
    WatchOptions,
    check_files,
    sites_to_watch,
    watch_sites,
)
from jagaweb.inventory.models import Site
from tests.guard.test_check_files import WEBSHELL, attack, trust_a_backup
from tests.guard.test_check_files import guarded as guarded  # a fixture
from tests.guard.test_check_files import web_root as web_root  # a fixture
from tests.services import unavailable

# The watch runs in threads with database connections of their own: they must see committed rows.
pytestmark = pytest.mark.django_db(transaction=True)
WAIT = 30.0  # seconds at most for a check to follow a change
SHELL_PATH = "wp-content/uploads/2024/cache.php"


def wait_for_run(site: Site, *, after: int = 0, with_file: str = "") -> GuardRun | None:
    """The first finished check of `site` with a pk above `after` (and a finding at `with_file`), or None."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        runs = GuardRun.objects.filter(site=site, kind=RunKind.CHECK, pk__gt=after).exclude(state=RunState.RUNNING)
        if with_file:
            runs = runs.filter(findings__source=Source.FILE, findings__location=with_file)
        try:
            found = runs.order_by("pk").first()
        except OperationalError:  # the in-memory test database locks whole tables while the watch writes
            found = None
        if found is not None:
            return found
        time.sleep(0.1)
    return None


class Watching:
    """watch_sites() in a thread of its own, with what it said and which runs it reported."""

    def __init__(self, sites: list[Site], options: WatchOptions) -> None:
        self.stop = threading.Event()
        self.said: list[str] = []
        self.runs: list[int] = []
        self.thread = threading.Thread(target=watch_sites, args=(sites,), daemon=True, kwargs={
            "stop": self.stop, "options": options, "say": self.said.append,
            "on_run": lambda _site, run: self.runs.append(run.pk)})
        self.thread.start()

    def close(self) -> float:
        begun = time.monotonic()
        self.stop.set()
        self.thread.join(WAIT)
        assert not self.thread.is_alive(), "the watch did not stop"
        return time.monotonic() - begun


def test_a_planted_webshell_is_found_by_the_watch_within_seconds(guarded: Site, web_root: Path) -> None:
    trust_a_backup(guarded)
    # A rescan only every hour: only inotify can bring the check on in time.
    watching = Watching([guarded], WatchOptions(debounce=0.2, rescan_every=3600))
    try:
        first = wait_for_run(guarded)  # once the watch is up: whatever changed while nobody watched
        if any("rescanning every" in line for line in watching.said):
            unavailable("inotify", "; ".join(watching.said))
        assert first is not None and first.state == RunState.SUCCEEDED and first.actor.endswith(REALTIME.name)
        assert not first.findings.filter(source=Source.FILE).exists()
        (web_root / SHELL_PATH).write_text(WEBSHELL)
        found = wait_for_run(guarded, after=first.pk, with_file=SHELL_PATH)
        assert found is not None, f"no check found the webshell; the watch said {watching.said}"
        assert found.severity == "critical" and found.counts["changed"] >= 1
        assert "pages" not in found.counts  # the pages were not fetched again
        assert found.pk in watching.runs
    finally:
        assert watching.close() < 5.0


def test_a_files_only_check_carries_what_the_other_views_found(guarded: Site, web_root: Path) -> None:
    trust_a_backup(guarded)
    earlier = GuardRun.objects.create(site=guarded, kind=RunKind.CHECK, state=RunState.SUCCEEDED)
    page = Finding.objects.create(run=earlier, site=guarded, source=Source.PAGE, location="http://127.0.0.1:9/",
                                  identity="googlebot", verdict=Verdict.JUDOL, severity="critical", score=90,
                                  reasons=[{"code": "gambling.promo", "message": "m", "weight": 90, "evidence": []}])
    attack(web_root)
    run = check_files(guarded)
    assert run.state == RunState.SUCCEEDED
    carried = run.findings.get(source=Source.PAGE)
    assert (carried.location, carried.identity, carried.verdict, carried.reasons) == (
        page.location, page.identity, page.verdict, page.reasons)
    assert run.findings.filter(source=Source.FILE, location=SHELL_PATH).exists()
    page.refresh_from_db()
    assert page.state == FindingState.GONE  # superseded by the carried copy, which is open
    assert run.verdict == Verdict.JUDOL
    assert any("files only" in note for note in run.report["notes"])


def test_an_attack_seen_by_the_watch_is_restored_when_the_profile_says_so(guarded: Site, web_root: Path) -> None:
    trust_a_backup(guarded)
    GuardProfile.objects.filter(site=guarded).update(auto_restore=True)
    (web_root / SHELL_PATH).write_text(WEBSHELL)
    run = check_files(guarded, changed=1)
    restore = GuardRun.objects.get(site=guarded, kind=RunKind.RESTORE)
    assert restore.check_run == run and restore.state == RunState.SUCCEEDED
    assert not (web_root / SHELL_PATH).exists()


def test_which_sites_are_watched(guarded: Site, site_b: Site, tmp_path: Path) -> None:
    assert sites_to_watch([]) == [guarded]  # site_b has no web root
    site_b.web_root = str(tmp_path)
    site_b.save()
    assert sites_to_watch([]) == [site_b, guarded]  # ordered by short name: disdik, kominfo
    GuardProfile.objects.create(site=site_b, files=False)
    assert sites_to_watch([]) == [guarded]
    with pytest.raises(WatchError, match="does not check the files"):
        sites_to_watch([site_b.slug])
    with pytest.raises(WatchError, match="No site"):
        sites_to_watch(["tidak-ada"])
    guarded.is_active = False
    guarded.save()
    assert sites_to_watch([]) == []
    with pytest.raises(CommandError, match="No site to watch"):
        call_command("guard", "watch")


def test_the_command_rescans_periodically_and_stops_on_sigterm(guarded: Site, web_root: Path) -> None:
    trust_a_backup(guarded)
    ours: list[int] = []

    def mine(number: int, _frame: object) -> None:
        ours.append(number)

    previous = signal.signal(signal.SIGTERM, mine)
    finished = threading.Event()
    seen: list[GuardRun | None] = []

    failures: list[BaseException] = []

    def plant_then_stop() -> None:
        try:
            first = wait_for_run(guarded)
            (web_root / SHELL_PATH).write_text(WEBSHELL)
            seen.append(wait_for_run(guarded, after=first.pk if first else 0, with_file=SHELL_PATH))
        except BaseException as exc:  # reported below: the command must be stopped first
            failures.append(exc)
        finally:
            close_old_connections()
        # Sent even when the waits above failed: without it the command, and the suite, would watch for ever.
        os.kill(os.getpid(), signal.SIGTERM)
        if not finished.wait(WAIT):
            import _thread

            _thread.interrupt_main()  # a command deaf to SIGTERM: its SIGINT (or the test) ends it

    helper = threading.Thread(target=plant_then_stop, daemon=True)
    out, err = StringIO(), StringIO()
    try:
        helper.start()
        call_command("guard", "watch", guarded.slug, "--periodic", "--rescan-every", "0.3", "--json",
                     stdout=out, stderr=err)
        finished.set()
        helper.join(WAIT)
        assert signal.getsignal(signal.SIGTERM) is mine  # put back as it was
        assert ours == []  # the command's own handler took the signal
    finally:
        finished.set()
        signal.signal(signal.SIGTERM, previous)
    assert not failures, f"the helper thread failed: {failures!r}"
    assert seen and seen[0] is not None
    assert f'"location": "{SHELL_PATH}"' in out.getvalue()
    assert "Watching kominfo" in err.getvalue()
