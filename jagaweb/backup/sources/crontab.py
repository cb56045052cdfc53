"""A user's crontab (`crontab -l -u USER`), stored as ``system/crontab/<user>``.

Scheduled tasks of a site (WordPress cron, Laravel's scheduler, backup scripts) live there, not in
the web root. No crontab, no `crontab` program, or no permission to read another user's crontab is
a warning in the snapshot, not a failure. Crontabs are small, so the output is read whole (with a
size limit) and stored only when `crontab` succeeded.
"""

from __future__ import annotations

import io
import shutil
import subprocess

from jagaweb.backup.sources.base import Source, SourceError, SourceKind, warn
from jagaweb.backup.store.archiver import Archiver

TIMEOUT = 30.0
LIMIT = 4 * 1024 * 1024


class CrontabSource(Source):
    kind = SourceKind.CRONTAB

    def __init__(self, user: str) -> None:
        if not user or user.startswith("-") or "/" in user:
            raise SourceError(f"{user!r} is not a user name")
        self.user = user

    def describe(self) -> str:
        return f"crontab of {self.user}"

    @property
    def entry_path(self) -> str:
        return f"system/crontab/{self.user}"

    def collect(self, archiver: Archiver) -> None:
        tool = shutil.which("crontab")
        if tool is None:
            warn(archiver, f"crontab of {self.user} not stored: crontab is not installed")
            return
        try:
            done = subprocess.run(
                [tool, "-l", "-u", self.user], capture_output=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL,
                check=False,
            )
        except subprocess.TimeoutExpired:
            warn(archiver, f"crontab of {self.user} not stored: crontab -l took longer than {TIMEOUT:g} s")
            return
        if done.returncode != 0:
            message = done.stderr.decode(errors="replace").strip() or f"exit status {done.returncode}"
            warn(archiver, f"crontab of {self.user} not stored: {message[-500:]}")
        elif len(done.stdout) > LIMIT:
            warn(archiver, f"crontab of {self.user} not stored: larger than {LIMIT} bytes")
        else:
            archiver.add_stream(self.entry_path, io.BytesIO(done.stdout))
