"""A web root that fights back: a bind-mount loop must not make the scan wander or hang."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.guard.integrity.helpers import make_site, take_snapshot

ROOT = Path(__file__).resolve().parents[3]


def test_a_bind_mount_loop_is_walked_once(tmp_path):
    """The mount lives in a private mount namespace of a child process, gone when it exits."""
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        pytest.skip("util-linux's unshare and mount are needed")
    root = make_site(tmp_path / "www")
    snapshot, _ = take_snapshot(root, tmp_path / "repo")
    script = textwrap.dedent(f"""
        import json, subprocess, sys
        sys.path.insert(0, {str(ROOT)!r})
        from pathlib import Path
        subprocess.run(["mount", "--bind", {str(root)!r}, {str(root / "kosong")!r}], check=True)
        from jagaweb.backup.store.repository import Repository
        from jagaweb.backup.targets.local import LocalTarget
        from jagaweb.guard.integrity import compare_with_snapshot
        _, manifest = Repository.open(LocalTarget(Path({str(tmp_path / "repo")!r})), cache=False).load_snapshot(
            {snapshot!r})
        report = compare_with_snapshot(Path({str(root)!r}), manifest)
        print(json.dumps({{"changes": [[c.path, c.kind] for c in report.changes],
                          "skipped": [[s.path, s.reason] for s in report.skipped]}}))
    """)
    done = subprocess.run(["unshare", "--mount", "--propagation", "private", sys.executable, "-c", script],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if done.returncode != 0 and ("mount" in done.stderr or "unshare" in done.stderr):
        pytest.skip(f"cannot make a private bind mount here: {done.stderr.strip()[-300:]}")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["changes"] == []
    assert [path for path, _ in result["skipped"]] == ["kosong"]
    assert "contains itself" in result["skipped"][0][1]
    assert not any((root / "kosong").iterdir())  # the mount went with the child
