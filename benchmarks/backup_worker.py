"""The JagaWeb side of benchmarks/backup.py: one store operation per process, as a command would run it.

    python benchmarks/backup_worker.py init|backup|restore REPO [SOURCE|DEST]

It imports only what the operation needs (the harness's own imports stay out of the timed process)
and prints a JSON line with the summary, the import time and the time of the operation itself.
The passphrase comes from JAGAWEB_BENCH_PASSPHRASE (empty: unencrypted), the local metadata cache
from JAGAWEB_BACKUP_CACHE_DIR.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SITE = "bench"


def worker_backup(repo_path: str, source: str, passphrase: str | None) -> tuple[float, dict[str, object]]:
    """What a site's backup does in jagaweb/backup/pipeline.py, without Django and its database: open
    (or create) the repository, lock it, take the newest snapshot of this site as the parent, read the
    web root with the default excludes (WebRootSource, stored under webroot/), save the snapshot and
    apply the default retention policy. Returns when its imports were done, and the summary."""
    from jagaweb.backup.sources.webroot import WebRootSource
    from jagaweb.backup.store.archiver import Archiver
    from jagaweb.backup.store.repository import Repository
    from jagaweb.backup.store.retention import Policy, select
    from jagaweb.backup.targets.local import LocalTarget

    imported = time.perf_counter()
    policy = Policy(keep_last=3, keep_daily=7, keep_weekly=4, keep_monthly=6, keep_yearly=1)  # a plan's defaults
    repo = Repository.open_or_init(LocalTarget(repo_path), passphrase)
    with repo.locked():
        mine = [s for s in repo.snapshots() if s.source == SITE]
        parent = repo.load_snapshot(mine[-1].id) if mine else None
        archiver = Archiver(repo, parent=parent[1] if parent else None)
        WebRootSource(source).add_to(archiver)
        info = archiver.finish(source=SITE, meta={"site": SITE}, parent_id=parent[0].id if parent else None)
        mine = [s for s in repo.snapshots() if s.source == SITE]
        for old in select(mine, policy, datetime.now().astimezone()).forget:
            repo.forget(old.id)
    return imported, {k: v for k, v in info.summary.items() if k != "warnings"}


def worker_restore(repo_path: str, dest: str, passphrase: str | None) -> tuple[float, dict[str, object]]:
    """What `jagaweb backup restore SITE SNAPSHOT --to DIR` does with the store: the whole snapshot,
    under the lock, into an empty folder (the web root lands in DIR/webroot)."""
    from jagaweb.backup.store.repository import Repository
    from jagaweb.backup.store.restorer import Restorer
    from jagaweb.backup.targets.local import LocalTarget

    imported = time.perf_counter()
    repo = Repository.open(LocalTarget(repo_path), passphrase)
    with repo.locked():
        _, manifest = repo.load_snapshot(repo.snapshots()[-1].id)
        report = Restorer(repo, manifest).restore(Path(dest))
    if report.failed:
        raise SystemExit(f"restore failed: {report.failed}")
    return imported, {"restored": len(report.restored)}


def worker(arguments: list[str]) -> None:
    """Each operation imports only what it needs, as a command would."""
    started = time.perf_counter()
    action, repo_path, *rest = arguments
    passphrase = os.environ.get("JAGAWEB_BENCH_PASSPHRASE") or None
    if action == "init":
        from jagaweb.backup.store.repository import Repository
        from jagaweb.backup.targets.local import LocalTarget

        Repository.init(LocalTarget(repo_path), passphrase)
        return
    imported, result = (worker_backup if action == "backup" else worker_restore)(repo_path, rest[0], passphrase)
    print(json.dumps({**result, "import_seconds": imported - started, "work_seconds": time.perf_counter() - imported}))


if __name__ == "__main__":
    worker(sys.argv[1:])
