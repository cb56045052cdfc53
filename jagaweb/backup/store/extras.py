"""Files at a restore destination that the snapshot does not have: what an attacker added.

Restoring "to the original state" means removing them too; it is opt-in (`delete=True`), listed by a
dry run first, and never follows a symlink out of the destination.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from jagaweb.backup.store.manifest import Manifest


def extra_paths(manifest: Manifest, dest: Path, paths: list[str] | None = None) -> list[str]:
    """Paths below `dest` (within `paths`, if given) that the manifest lacks; a whole extra folder is one item."""
    known = manifest.by_path
    wanted = [p.strip("/") for p in paths or [""]]
    found: list[str] = []
    for dirpath, dirs, files in os.walk(dest, followlinks=False):
        relative_dir = Path(dirpath).relative_to(dest).as_posix()
        prefix = "" if relative_dir == "." else relative_dir + "/"
        for name in sorted(dirs):
            rel = prefix + name
            if rel not in known and selected(rel, wanted):
                found.append(rel)
        dirs[:] = [d for d in dirs if prefix + d in known]  # do not descend into extra folders
        found += [prefix + f for f in sorted(files) if prefix + f not in known and selected(prefix + f, wanted)]
    return sorted(found)


def selected(path: str, wanted: list[str]) -> bool:
    return any(not w or path == w or path.startswith(w + "/") for w in wanted)


def remove_extras(dest: Path, extras: list[str]) -> None:
    for rel in extras:
        target = dest / rel
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)
