"""Extra system paths the site needs besides its web root: the web server's vhost config,
.htaccess files kept elsewhere, PHP configuration, TLS settings, and so on.

Each absolute path (file or folder) is stored under ``system/<path without the leading slash>``.
A path that does not exist is a warning in the snapshot, not a failure: one stale entry in a
list of config files must not stop the backup of everything else. A path that is a symlink (as in
``/etc/nginx/sites-enabled/portal``) is stored as the link and, under its own path, as what it
points to, so the configuration itself is in the backup.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from jagaweb.backup.sources.base import Source, SourceError, SourceKind, warn
from jagaweb.backup.sources.crontab import CrontabSource
from jagaweb.backup.store.archiver import Archiver

PREFIX = "system"


def manifest_path(path: str) -> str:
    """'/etc/nginx/nginx.conf' -> 'system/etc/nginx/nginx.conf'."""
    relative = path.strip("/")
    return f"{PREFIX}/{relative}" if relative else PREFIX


def normalised(paths: list[str | Path]) -> list[str]:
    out: list[str] = []
    for raw in paths:
        path = str(raw)
        if not os.path.isabs(path):
            raise SourceError(f"extra system paths must be absolute, not {path!r}")
        path = os.path.normpath(path)
        if path not in out:
            out.append(path)
    return out


def covered(path: str, folders: list[str]) -> bool:
    """True when a folder already stored contains `path` (so it would be stored twice)."""
    return any(path == f or path.startswith(f.rstrip("/") + "/") for f in folders)


class ExtraPathsSource(Source):
    kind = SourceKind.PATHS

    def __init__(self, paths: list[str | Path]) -> None:
        self.paths = normalised(paths)

    def describe(self) -> str:
        return "system paths " + ", ".join(self.paths)

    def collect(self, archiver: Archiver) -> None:
        folders: list[str] = []
        for path in sorted(self.paths):
            self.add_one(archiver, path, folders)

    def add_one(self, archiver: Archiver, path: str, folders: list[str]) -> None:
        if covered(path, folders):
            return
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            warn(archiver, f"system path {path} does not exist")
            return
        except OSError as exc:
            warn(archiver, f"cannot read system path {path}: {exc.strerror}")
            return
        rel = manifest_path(path)
        if stat.S_ISREG(st.st_mode):
            archiver.stats.bytes_total += st.st_size
        archiver.add_path(path, rel, st)
        if stat.S_ISDIR(st.st_mode):
            folders.append(path)
            archiver.add_tree(Path(path), prefix=rel)
        elif stat.S_ISLNK(st.st_mode):
            self.add_link_target(archiver, path, folders)

    def add_link_target(self, archiver: Archiver, link: str, folders: list[str]) -> None:
        resolved = os.path.realpath(link)
        if resolved == link or resolved in self.paths:
            return  # a loop, or listed by itself (then added in its turn)
        if not os.path.exists(resolved):
            warn(archiver, f"system path {link} points to {resolved}, which does not exist")
            return
        self.add_one(archiver, resolved, folders)


def crontab_source(user: str) -> CrontabSource:
    """The user's crontab (`crontab -l -u USER`), stored as ``system/crontab/<user>``."""
    return CrontabSource(user)
