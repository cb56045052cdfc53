"""Where inotify cannot watch every folder, the real-time mode says so and rescans periodically instead."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.services import unavailable

ROOT = Path(__file__).resolve().parents[2]


def test_the_watch_limit_falls_back_to_periodic_rescans(tmp_path: Path) -> None:
    """In a user namespace of its own, whose inotify watch limit the test may lower without touching the host."""
    tree = tmp_path / "www"
    for number in range(6):
        (tree / f"folder-{number}").mkdir(parents=True)
    if shutil.which("unshare") is None:
        unavailable("unshare", "util-linux's unshare is not installed")
    script = textwrap.dedent(f"""
        import sys, threading
        sys.path.insert(0, {str(ROOT)!r})
        open("/proc/sys/user/max_inotify_watches", "w").write("3")
        import django
        django.setup()
        from django.utils import translation
        translation.activate("en")  # the assertions read the English source strings
        from pathlib import Path
        from jagaweb.guard.watching import WatchOptions, keep_watching
        stop, ready, calls = threading.Event(), threading.Event(), []

        def on_change(paths):
            calls.append(paths)
            print("RESCAN", sorted(paths), flush=True)
            if len(calls) == 2:
                stop.set()

        keep_watching(Path({str(tree)!r}), on_change, stop=stop, options=WatchOptions(rescan_every=0.2),
                      ready=ready, say=lambda line: print("SAID", line, flush=True), name="kominfo")
        print("READY", ready.is_set())
    """)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "tests.settings",
           "JAGAWEB_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run(["unshare", "--user", "--map-root-user", sys.executable, "-c", script],
                          capture_output=True, text=True, timeout=60, env=env)
    if done.returncode != 0 and "SAID" not in done.stdout:
        unavailable("user namespaces", f"unshare failed: {done.stderr.strip()[-300:]}")
    lines = done.stdout.splitlines()
    said = [line for line in lines if line.startswith("SAID")]
    assert len(said) == 1 and "max_user_watches" in said[0] and "rescanning every 0.2 s instead" in said[0]
    assert lines.count("RESCAN ['']") == 2  # RESCAN_ALL: everything, since no event says what changed
    assert lines[-1] == "READY True"
