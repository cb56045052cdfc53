"""Which pixels changed between two screenshots, allowing for content that moved up or down.

A longer headline or one more news item pushes everything below it down; compared position by position,
the whole lower page would count as changed. So the rows of both images are matched first (like a text
diff, on a coarse signature of each row) and pixels are compared row against matched row: what was
inserted, removed or rewritten is a change, what merely moved is not.

Row matching can go wrong (noise or a gradient makes unrelated rows look alike), so a pixel counts as
changed only when it differs both from its matched row and from the same place in the other image: the
matching can explain a difference away, never invent one.

Images are (rows, columns, channels) int16 arrays of one width; a pixel differs when any channel moves by
more than the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

import numpy as np

SIGNATURE_STEP = 4  # every 4th column is enough to tell rows apart
SIGNATURE_SHIFT = 5  # levels in 8 bands: rows that differ only by blur noise still match


@dataclass(frozen=True)
class RowDiff:
    current_mask: np.ndarray  # changed pixels, in the current image's rows
    baseline_mask: np.ndarray  # the same changes, in the baseline's rows
    changed_pixels: int  # the larger of the two masks' counts (before the lines that mark removals)


BACKGROUND_SAMPLE_STEP = 4  # every 4th row and column: plenty to find the commonest colour, 16 times cheaper


def background(pixels: np.ndarray) -> np.ndarray:
    """The most common level of each channel: the page's background colour."""
    sample = pixels[::BACKGROUND_SAMPLE_STEP, ::BACKGROUND_SAMPLE_STEP]
    flat = np.clip(sample, 0, 255).reshape(-1, pixels.shape[-1]).astype(np.intp)
    return np.array([np.bincount(flat[:, channel], minlength=256).argmax() for channel in range(flat.shape[1])],
                    dtype=np.int16)


def differs(first: np.ndarray, second: np.ndarray, threshold: int) -> np.ndarray:
    return np.asarray((np.abs(first - second) > threshold).any(axis=-1))


def _signatures(pixels: np.ndarray) -> list[bytes]:
    coarse = (np.clip(pixels[:, ::SIGNATURE_STEP], 0, 255) >> SIGNATURE_SHIFT).astype(np.uint8)
    return [row.tobytes() for row in coarse]


def _in_place(pixels: np.ndarray, other: np.ndarray, other_background: np.ndarray, threshold: int) -> np.ndarray:
    """Pixels of `pixels` unlike the same place in `other` (beyond its end: unlike its background)."""
    rows = min(pixels.shape[0], other.shape[0])
    result = np.empty(pixels.shape[:2], dtype=bool)
    result[:rows] = differs(pixels[:rows], other[:rows], threshold)
    result[rows:] = differs(pixels[rows:], other_background, threshold)
    return result


def _mark_lines(mask: np.ndarray, source: np.ndarray, spans: list[tuple[int, int, int]]) -> None:
    """Where `source` rows start..end were inserted or removed (and still count as changed), a line at `row`
    of the other image's mask, so that the place shows among its boxes."""
    for start, end, row in spans:
        columns = source[start:end].any(axis=0)
        if mask.shape[0] and columns.any():
            mask[min(row, mask.shape[0] - 1)] |= columns


def row_diff(baseline: np.ndarray, current: np.ndarray, threshold: int, *, baseline_rows: int | None = None,
             current_rows: int | None = None) -> RowDiff:
    """Rows past `baseline_rows` / `current_rows` take part in the matching but are not reported: the
    caller's blur margin below each image."""
    old_mask = np.zeros(baseline.shape[:2], dtype=bool)
    new_mask = np.zeros(current.shape[:2], dtype=bool)
    old_background, new_background = background(baseline), background(current)
    added_spans: list[tuple[int, int, int]] = []  # (first, end) current rows, and where they go in the baseline
    lost_spans: list[tuple[int, int, int]] = []
    # autojunk keeps the matching near-linear on pages of many identical rows (plain background).
    matcher = SequenceMatcher(None, _signatures(baseline), _signatures(current), autojunk=True)
    for _tag, i1, i2, j1, j2 in matcher.get_opcodes():
        paired = min(i2 - i1, j2 - j1)
        if paired:
            rows = differs(baseline[i1:i1 + paired], current[j1:j1 + paired], threshold)
            old_mask[i1:i1 + paired] = rows
            new_mask[j1:j1 + paired] = rows
        if j2 - j1 > paired:  # content the baseline did not have, unless it is only more background
            new_mask[j1 + paired:j2] = differs(current[j1 + paired:j2], old_background, threshold)
            added_spans.append((j1 + paired, j2, i1 + paired))
        if i2 - i1 > paired:  # content the current page lost
            old_mask[i1 + paired:i2] = differs(baseline[i1 + paired:i2], new_background, threshold)
            lost_spans.append((i1 + paired, i2, j1 + paired))
    new_mask &= _in_place(current, baseline, old_background, threshold)
    old_mask &= _in_place(baseline, current, new_background, threshold)
    new_mask, old_mask = new_mask[:current_rows], old_mask[:baseline_rows]
    changed = max(int(new_mask.sum()), int(old_mask.sum()))
    _mark_lines(old_mask, new_mask, added_spans)
    _mark_lines(new_mask, old_mask, lost_spans)
    return RowDiff(new_mask, old_mask, changed)
