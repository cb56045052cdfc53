"""The real-time mode: inotify events of a web root, coalesced into sets of changed paths."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from jagaweb.guard.integrity.watch import RESCAN_ALL, watch
from tests.services import unavailable

ROOT = Path(__file__).resolve().parents[3]
WAIT = 10.0  # seconds at most for an event to come through


class Watcher:
    """watch() in a thread of its own; the sets it reports, in order."""

    def __init__(self, root: Path, **options: object) -> None:
        self.batches: list[set[str]] = []
        self.seen = threading.Condition()
        self.stop, self.ready = threading.Event(), threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self.run, args=(root, options), daemon=True)
        self.thread.start()
        if not self.ready.wait(WAIT):
            self.close()
            raise AssertionError(f"the watcher did not start: {self.error!r}")

    def run(self, root: Path, options: dict) -> None:
        try:
            watch(root, self.on_change, stop=self.stop, ready=self.ready, **options)
        except OSError as exc:
            self.error = exc
            self.ready.set()

    def on_change(self, paths: set[str]) -> None:
        with self.seen:
            self.batches.append(paths)
            self.seen.notify_all()

    def reported(self) -> set[str]:
        with self.seen:
            return set().union(*self.batches)

    def wait_for(self, wanted: set[str]) -> set[str]:
        deadline = time.monotonic() + WAIT
        with self.seen:
            while not wanted <= set().union(*self.batches) and time.monotonic() < deadline:
                self.seen.wait(max(0.0, deadline - time.monotonic()))
            return set().union(*self.batches)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(WAIT)
        assert not self.thread.is_alive()


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "www"
    (root / "wp-content/uploads").mkdir(parents=True)
    (root / "index.php").write_text("<?php ?>\n")
    return root


@pytest.fixture
def watcher(tree):
    started = Watcher(tree, debounce=0.2)
    if isinstance(started.error, OSError):
        started.close()
        unavailable("inotify", f"cannot watch: {started.error}")
    yield started
    started.close()


def test_create_modify_delete_in_a_new_subfolder(tree, watcher):
    new = tree / "wp-content/uploads/2026"
    new.mkdir()
    (new / "dalam").mkdir()  # made at once with its parent: perhaps before the parent's watch
    (new / "dalam/shell.php").write_text("<?php system($_GET['c']); ?>\n")
    assert watcher.wait_for({"wp-content/uploads/2026", "wp-content/uploads/2026/dalam/shell.php"})
    # now watched: later events in the new folders come through too
    (new / "dalam/shell.php").write_text("<?php passthru($_GET['c']); ?>\n")
    (new / "foto.jpg").write_bytes(b"\xff\xd8\xff")
    (new / "foto.jpg").unlink()
    (new / "dalam/baru.txt").write_text("x")
    seen = watcher.wait_for({"wp-content/uploads/2026/foto.jpg", "wp-content/uploads/2026/dalam/baru.txt"})
    assert {"wp-content/uploads/2026/foto.jpg", "wp-content/uploads/2026/dalam/baru.txt",
            "wp-content/uploads/2026/dalam/shell.php"} <= seen
    assert RESCAN_ALL not in seen


def test_events_are_coalesced(tree, watcher):
    for number in range(50):
        (tree / "index.php").write_text(f"<?php echo {number}; ?>\n")
    seen = watcher.wait_for({"index.php"})
    assert seen == {"index.php"}
    assert len(watcher.batches) <= 2  # 50 writes, one path, at most split once by the debounce


def test_folders_moved_in_and_out(tree, tmp_path, watcher):
    outside = tmp_path / "luar"
    (outside / "tema").mkdir(parents=True)
    (outside / "tema/functions.php").write_text("<?php ?>\n")
    shutil.move(str(outside / "tema"), str(tree / "wp-content/tema"))
    assert "wp-content/tema/functions.php" in watcher.wait_for({"wp-content/tema", "wp-content/tema/functions.php"})
    (tree / "wp-content/tema").rename(tree / "wp-content/tema-lama")
    (tree / "wp-content/tema-lama/style.css").write_text("body {}\n")
    assert "wp-content/tema-lama/style.css" in watcher.wait_for({"wp-content/tema-lama/style.css"})
    shutil.move(str(tree / "wp-content/tema-lama"), str(outside / "pergi"))
    assert "wp-content/tema-lama" in watcher.wait_for({"wp-content/tema-lama"})
    count = len(watcher.batches)
    (outside / "pergi/lagi.php").write_text("<?php ?>\n")  # moved out: no longer watched
    time.sleep(0.6)
    assert not any("lagi.php" in path for batch in watcher.batches[count:] for path in batch)


def test_a_symlink_to_a_folder_outside_is_not_watched(tree, tmp_path, watcher):
    outside = tmp_path / "luar"
    outside.mkdir()
    (tree / "keluar").symlink_to(outside)
    assert "keluar" in watcher.wait_for({"keluar"})
    count = len(watcher.batches)
    (outside / "rahasia.txt").write_text("x")
    (tree / "penanda.txt").write_text("x")  # an event after it, to know the other had its chance
    seen = watcher.wait_for({"penanda.txt"})
    assert "penanda.txt" in seen and not any("rahasia" in p for b in watcher.batches[count:] for p in b)


def test_excluded_paths_are_left_out(tree):
    (tree / "wp-content/cache").mkdir()
    started = Watcher(tree, debounce=0.2, excludes=["wp-content/cache/*", "*.swp"])
    try:
        (tree / "wp-content/cache/halaman.html").write_text("x")
        (tree / ".index.php.swp").write_text("x")
        (tree / "index.php").write_text("<?php echo 1; ?>\n")
        assert started.wait_for({"index.php"}) == {"index.php"}
    finally:
        started.close()


def test_stop_ends_the_watch_quickly(tree):
    started = Watcher(tree, debounce=5.0)
    begun = time.monotonic()
    started.close()
    assert time.monotonic() - begun < 2.0


def test_watch_limit_is_a_clear_error(tree):
    """In a user namespace of its own, whose inotify watch limit the test may lower without touching the host."""
    for number in range(6):
        (tree / f"folder-{number}").mkdir()
    if shutil.which("unshare") is None:
        unavailable("unshare", "util-linux's unshare is not installed")
    script = textwrap.dedent(f"""
        import sys, threading
        sys.path.insert(0, {str(ROOT)!r})
        open("/proc/sys/user/max_inotify_watches", "w").write("3")
        from pathlib import Path
        from jagaweb.guard.integrity.watch import WatchLimitError, watch
        try:
            watch(Path({str(tree)!r}), print, stop=threading.Event())
        except WatchLimitError as exc:
            print("LIMIT", exc)
    """)
    done = subprocess.run(["unshare", "--user", "--map-root-user", sys.executable, "-c", script],
                          capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if done.returncode != 0 and "LIMIT" not in done.stdout:
        unavailable("user namespaces", f"unshare failed: {done.stderr.strip()[-300:]}")
    assert "LIMIT" in done.stdout and "max_user_watches" in done.stdout and "rescan periodically" in done.stdout


class SlowWatcher(Watcher):
    """Its first on_change blocks until released, so the kernel's event queue fills meanwhile."""

    def __init__(self, root: Path, **options: object) -> None:
        self.release = threading.Event()
        self.blocked = threading.Event()
        super().__init__(root, **options)

    def on_change(self, paths: set[str]) -> None:
        if not self.blocked.is_set():
            self.blocked.set()
            self.release.wait(WAIT)
        super().on_change(paths)


def test_lost_events_ask_for_a_full_rescan(tree):
    limit = int(Path("/proc/sys/fs/inotify/max_queued_events").read_text())
    if limit > 100_000:
        pytest.skip(f"fs.inotify.max_queued_events is {limit}: too many events to make here")
    started = SlowWatcher(tree, debounce=0.05)
    try:
        (tree / "banyak").mkdir()  # watched from the first batch on
        assert started.blocked.wait(WAIT)
        for number in range(limit // 3 + 500):  # each file: a create, a modify and a close
            (tree / "banyak" / f"{number}.txt").write_bytes(b"x")
        started.release.set()
        assert RESCAN_ALL in started.wait_for({RESCAN_ALL})
        # the watches are made again: a new folder's files still come through
        (tree / "banyak/baru").mkdir()
        (tree / "banyak/baru/akhir.php").write_text("<?php ?>\n")
        assert "banyak/baru/akhir.php" in started.wait_for({"banyak/baru/akhir.php"})
    finally:
        started.release.set()
        started.close()
