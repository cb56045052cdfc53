"""Hashing the files the walk could not vouch for, in worker threads while the walk goes on.

BLAKE3 and reading release the GIL, so a first comparison of a tree whose inodes changed (a restored
or copied web root) uses every core. Each batch is one folder's files, hashed through a duplicate of
the folder's descriptor, closed when the batch is done.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from jagaweb.guard.integrity.hashing import Hasher, NotRegular, hash_file
from jagaweb.guard.integrity.walk import ToHash

THREADS = 4  # more than the cores: small files wait on the disk as much as on a CPU
IN_FLIGHT = 64  # batches queued at most, each holding a descriptor
# A file changed less than this before it was hashed may change again with the same mtime (timestamps
# move a clock tick at a time): its hash is reported but not trusted by the next scan.
RACY_NS = 50_000_000

Progress = Callable[[int, int], None]  # (bytes hashed, bytes to hash so far)


@dataclass(slots=True)
class Hashed:
    path: str  # manifest path
    st: os.stat_result | None  # fstat the hash belongs to; None: gone before it was opened
    digest: str = ""
    error: str = ""
    racy: bool = False


def hash_batch(dir_fd: int, batch: list[ToHash], hasher: Hasher) -> list[Hashed]:
    try:
        results = []
        for name, rel, _ in batch:
            started = time.time_ns()
            try:
                st, digest = hash_file(dir_fd, name, hasher)
            except FileNotFoundError:
                results.append(Hashed(rel, None))
            except NotRegular:
                results.append(Hashed(rel, None, error="replaced by something else than a file during the scan"))
            except OSError as exc:
                results.append(Hashed(rel, None, error=exc.strerror or str(exc)))
            else:
                racy = max(st.st_mtime_ns, st.st_ctime_ns) > started - RACY_NS
                results.append(Hashed(rel, st, digest, racy=racy))
        return results
    finally:
        os.close(dir_fd)


class HashPool:
    def __init__(self, hasher: Hasher, threads: int = THREADS, progress: Progress | None = None) -> None:
        self.hasher, self.threads, self.progress = hasher, threads, progress
        self.pool: ThreadPoolExecutor | None = None
        self.pending: deque[tuple[int, int, Future[list[Hashed]]]] = deque()  # (bytes, descriptor, batch)
        self.results: list[Hashed] = []
        self.files = self.bytes_total = self.bytes_done = 0

    def submit(self, dir_fd: int, batch: list[ToHash]) -> None:
        if self.pool is None:
            self.pool = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="integrity-hash")
        size = sum(st.st_size for _, _, st in batch)
        duplicate = os.dup(dir_fd)
        try:
            future = self.pool.submit(hash_batch, duplicate, batch, self.hasher)
        except BaseException:
            os.close(duplicate)
            raise
        self.pending.append((size, duplicate, future))
        self.bytes_total += size
        while self.pending and (len(self.pending) > IN_FLIGHT or self.pending[0][2].done()):
            self.collect()

    def collect(self) -> None:
        size, _, future = self.pending.popleft()
        hashed = future.result()
        self.results.extend(hashed)
        self.files += sum(1 for item in hashed if item.st is not None)
        self.bytes_done += size
        if self.progress is not None:
            self.progress(self.bytes_done, self.bytes_total)

    def finish(self) -> list[Hashed]:
        try:
            while self.pending:
                self.collect()
        finally:
            if self.pool is not None:
                self.pool.shutdown(cancel_futures=True)
            for _, duplicate, future in self.pending:  # left by an error: batches that never ran
                if future.cancelled():
                    os.close(duplicate)
        return self.results
