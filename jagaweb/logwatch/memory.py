"""How a one-shot log scan asks the C library's allocator to keep freed memory (no Polars imported here:
`jagaweb logs scan` sets it before its first thread starts).

Every batch needs buffers of the same tens of megabytes (the bytes read, the compiled reader's columns), and
a fresh page costs a page fault each 4 KiB: about a fifth of a scan's CPU time went to the kernel. glibc gives
each thread an arena of its own, and a thread's arena hands such buffers back to the system when they are
freed, whatever the thresholds say; so the scan's threads share the main arena, whose freed memory is kept for
the next batch (the compiled reader in a parsing thread: 8,700 page faults and 59 ms a 32 MiB batch before,
none and 43 ms after). Polars allocates through its own allocator (jemalloc), which this does not touch.
For one-shot commands only: a long-running process would keep its peak.
"""

from __future__ import annotations

import ctypes

# glibc's mallopt parameters, and the values keep_freed_memory sets
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
HEAP_ALLOCATION_LIMIT = 256 * 1024 * 1024
KEPT_FREE_MEMORY = 1024 * 1024 * 1024


def keep_freed_memory(*, share_arena: bool = False) -> None:
    """Allocations below HEAP_ALLOCATION_LIMIT come from the heap (reused) rather than fresh mappings, and a
    heap with up to KEPT_FREE_MEMORY free at its top is not shrunk; with `share_arena`, threads started from
    now on share the main arena (only for a process that does nothing but the scan: many threads of a server
    would wait for each other's allocations). Without glibc this does nothing."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    if share_arena:
        mallopt(M_ARENA_MAX, 1)
    mallopt(M_MMAP_THRESHOLD, HEAP_ALLOCATION_LIMIT)
    mallopt(M_TRIM_THRESHOLD, KEPT_FREE_MEMORY)
