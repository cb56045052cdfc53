"""Response-time histograms and the figures made from them (uptime, percentiles).

Every rollup keeps counts per fixed bucket, so histograms of minutes add up to the hour's and of
hours to the day's or month's, and a percentile over any span is read from the sum without the raw
results. Within a bucket the value is interpolated linearly; the error is bounded by the bucket width.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence

# Upper edges in milliseconds; the last bucket holds everything slower than the last edge.
EDGES: tuple[float, ...] = (
    10, 20, 30, 50, 75, 100, 150, 200, 300, 400, 500, 750, 1000, 1500, 2000, 3000, 5000, 7500, 10000, 20000, 30000,
)
BUCKETS = len(EDGES) + 1


def bucket_of(ms: float) -> int:
    return bisect_left(EDGES, ms)


def histogram_of(values: Iterable[float]) -> list[int]:
    counts = [0] * BUCKETS
    for ms in values:
        counts[bucket_of(ms)] += 1
    return counts


def merged(histograms: Iterable[Sequence[int]]) -> list[int]:
    total = [0] * BUCKETS
    for histogram in histograms:
        for i, count in enumerate(histogram[:BUCKETS]):
            total[i] += count
    return total


def percentile(histogram: Sequence[int], fraction: float) -> float | None:
    """The response time below which `fraction` (0..1) of the answers fall; None without answers."""
    total = sum(histogram)
    if total == 0:
        return None
    wanted = fraction * total
    seen = 0
    for i, count in enumerate(histogram):
        if count and seen + count >= wanted:
            low = EDGES[i - 1] if i > 0 else 0.0
            high = EDGES[i] if i < len(EDGES) else EDGES[-1] * 2
            return low + (high - low) * (wanted - seen) / count
        seen += count
    return float(EDGES[-1] * 2)


def uptime_percent(up: int, degraded: int, down: int) -> float | None:
    """Share of judged runs in which the site answered (degraded counts as answering); None when none ran."""
    judged = up + degraded + down
    return None if judged == 0 else 100.0 * (up + degraded) / judged
