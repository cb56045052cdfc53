"""Values already judged, with what was found in them: a batch repeats most of the previous one's values
(the same pages, agents and referers), so each distinct value is normalised and matched once per process.

A value counts as seen by its 64-bit hash: testing a batch's values against a column of numbers is several
times as fast as against the text of every value seen (on a log whose query strings vary, that test cost a
quarter of the detection). The hash is keyed at random per process, so which values share one cannot be
known from outside; that one of a batch's 100,000 new values shares one by chance with the 500,000 a memory
holds is a chance of about three in a billion.

Bounded: past `limit` remembered values per kind the memory starts over (a cost in speed, never in results).
"""

from __future__ import annotations

import os
import threading

import polars as pl

# the key of Polars' hash, chosen at random for this process
SEED = int.from_bytes(os.urandom(8), "little")


def hashed(values: pl.Series) -> pl.Series:
    return values.hash(SEED)


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
        known = hashed(values).is_in(seen.implode())
        remembered = hits.filter(pl.col("value").is_in(values.filter(known).implode())) if len(hits) else hits
        return remembered, values.filter(~known)

    def add(self, kind: object, judged: pl.Series, hits: pl.DataFrame) -> None:
        hashes = hashed(judged)
        with self.lock:
            seen = self.seen.get(kind)
            if seen is None or len(seen) + len(hashes) > self.limit:
                self.seen[kind] = hashes
                self.hits[kind] = hits
                return
            self.seen[kind] = pl.concat([seen, hashes], rechunk=True)
            self.hits[kind] = pl.concat([self.hits[kind], hits])

    def clear(self) -> None:
        with self.lock:
            self.seen.clear()
            self.hits.clear()
