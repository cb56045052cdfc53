"""`scan_database`: one site's CMS tables read through a read-only connection and judged row by row."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from jagaweb.guard.database.cms import SCANNERS
from jagaweb.guard.database.connections import Timeouts, open_readonly
from jagaweb.guard.database.errors import DatabaseScanError, UnsupportedCms
from jagaweb.guard.database.findings import DatabaseReport
from jagaweb.guard.database.login import DbLogin
from jagaweb.guard.database.reader import DEFAULT_BATCH, Progress, ScanContext

log = logging.getLogger(__name__)


def scan_database(
    login: DbLogin,
    cms: str,
    *,
    site_host: str | None = None,
    limit: int | None = None,
    progress: Progress | None = None,
    known_plugins: Iterable[str] | None = None,
    recent_days: int = 30,
    batch_size: int = DEFAULT_BATCH,
    timeouts: Timeouts | None = None,
) -> DatabaseReport:
    """Scan the content and settings tables of a site's CMS for gambling spam, injected code and takeovers.

    `site_host` is the site's own host name (links and scripts there are the site's own; without it the
    CMS's stored site address stands in). `limit` caps the rows read per table, newest first.
    `progress(done, planned)` is called as rows are read. `known_plugins` (WordPress plugin paths as in
    active_plugins) makes any other active plugin a finding. Administrators registered in the last
    `recent_days` are reported.

    Raises DatabaseScanError when the scan cannot start (unsupported CMS or engine, no connection); a
    query that fails later is an error in the report, and a missing table a note.
    """
    scanner_class = SCANNERS.get(cms)
    if scanner_class is None:
        raise UnsupportedCms(f"no database scanner for CMS {cms!r} (supported: {', '.join(sorted(SCANNERS))})")
    if limit is not None and limit < 1:
        raise ValueError("limit must be at least 1")
    started = time.monotonic()
    report = DatabaseReport(cms=cms, engine=login.engine, database=login.database)
    with open_readonly(login, timeouts) as db:
        ctx = ScanContext(db, report, site_hosts=[site_host] if site_host else [], limit=limit, progress=progress,
                          batch_size=batch_size, recent_days=recent_days, known_plugins=known_plugins)
        try:
            scanner = scanner_class(ctx)
            ctx.run(scanner.plan())
            scanner.finish()
        except DatabaseScanError as error:  # the table list itself could not be read
            report.errors.append(str(error))
    report.sort()
    report.seconds = time.monotonic() - started
    log.info("database guard: %s, %d rows, %d findings, %d errors in %.1f s", login.describe(), report.rows,
             len(report.findings), len(report.errors), report.seconds)
    return report
