"""The snapshot's side of a comparison: the entries below one prefix (the web root's `webroot/`).

A rescan looks up every path of the web root here, so it works on the manifest's compact form
(manifest.Compact): a dict from path to row number, and per file the packed size, mtime, ctime and
inode the backup itself compares. An entry is made from its JSON row only for the few paths whose
metadata differ; an unchanged tree makes none.
"""

from __future__ import annotations

import json
from bisect import bisect_left

from jagaweb.backup.store.manifest import Entry, Manifest


def normal_prefix(prefix: str) -> str:
    """"webroot", "/webroot/" -> "webroot/"; "" stays "" (the whole manifest)."""
    stripped = prefix.strip("/")
    return f"{stripped}/" if stripped else ""


class Baseline:
    def __init__(self, manifest: Manifest, prefix: str) -> None:
        compact = manifest.compact()
        self.compact = compact
        self.prefix = normal_prefix(prefix)
        self.paths, self.keys, self.index = compact.paths, compact.keys, compact.index
        if self.prefix:
            # Paths are sorted, so those below the prefix are one run: from "webroot/" up to "webroot0".
            self.start = bisect_left(self.paths, self.prefix)
            self.end = bisect_left(self.paths, self.prefix[:-1] + chr(ord("/") + 1))
        else:
            self.start, self.end = 0, len(self.paths)

    def __len__(self) -> int:
        return self.end - self.start

    def number(self, path: str) -> int | None:
        """The row of a manifest path (prefix included), if it is below the prefix."""
        number = self.index.get(path)
        return number if number is not None and self.start <= number < self.end else None

    def entry(self, number: int) -> Entry:
        return Entry(*json.loads(self.compact.text(number)))

    def relative(self, number: int) -> str:
        return self.paths[number][len(self.prefix):]
