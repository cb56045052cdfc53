"""Values already judged, with what was found in them: a batch repeats most of the previous one's values
(the same pages, agents and referers), so each distinct value is normalised and matched once per process.

Bounded: past `limit` remembered values per kind the memory starts over (a cost in speed, never in results).
"""

from __future__ import annotations

import threading

import polars as pl


class HitMemo:
    def __init__(self, limit: int = 500_000) -> None:
        self.limit = limit
        self.seen: dict[object, pl.Series] = {}
        self.hits: dict[object, pl.DataFrame] = {}
        self.lock = threading.Lock()

    def split(self, kind: object, values: pl.Series) -> tuple[pl.DataFrame | None, pl.Series]:
        """The remembered hits of `values` (None when nothing is remembered) and the values not judged yet."""
        with self.lock:
            seen = self.seen.get(kind)
            hits = self.hits.get(kind)
        if seen is None or hits is None:
            return None, values
        known = values.is_in(seen.implode())
        remembered = hits.filter(pl.col("value").is_in(values.filter(known).implode()))
        return remembered, values.filter(~known)

    def add(self, kind: object, judged: pl.Series, hits: pl.DataFrame) -> None:
        with self.lock:
            seen = self.seen.get(kind)
            if seen is None or seen.len() + judged.len() > self.limit:
                self.seen[kind] = judged
                self.hits[kind] = hits
                return
            self.seen[kind] = pl.concat([seen, judged])
            self.hits[kind] = pl.concat([self.hits[kind], hits])

    def clear(self) -> None:
        with self.lock:
            self.seen.clear()
            self.hits.clear()
