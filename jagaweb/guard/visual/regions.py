"""Where two screenshots differ: the changed-pixel mask turned into a few boxes a person can look at.

The mask is counted on a coarse grid, neighbouring changed cells are joined (8-connected), boxes closer than
a cell are merged, and the closest boxes are merged further until at most `MAX_BOXES` remain: a reviewer
wants "the banner and the footer changed", not three hundred rectangles around letters.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np

CELL = 16  # grid cell, in pixels of the mask
MIN_CELL_PIXELS = 3  # changed pixels that make a cell count: a stray pixel does not
MAX_BOXES = 8
BOX_MARGIN = CELL // 2  # around each box, so its outline does not hide the change's edge
MERGE_GAP_CELLS = 2  # boxes this close are one area (the words of one line, a picture and its caption)
# Beyond this many separate areas the grid is coarsened first, which keeps the merging below cheap.
MAX_COMPONENTS = 32


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.x + self.width

    @property
    def bottom(self) -> int:
        return self.y + self.height

    @property
    def area(self) -> int:
        return self.width * self.height

    def union(self, other: Box) -> Box:
        x, y = min(self.x, other.x), min(self.y, other.y)
        return Box(x, y, max(self.right, other.right) - x, max(self.bottom, other.bottom) - y)

    def gap(self, other: Box) -> int:
        """The larger of the horizontal and vertical distances between the two (0 when they touch)."""
        return max(other.x - self.right, self.x - other.right, other.y - self.bottom, self.y - other.bottom, 0)

    def scaled(self, factor: float) -> Box:
        x, y = round(self.x * factor), round(self.y * factor)
        return Box(x, y, max(round(self.right * factor) - x, 1), max(round(self.bottom * factor) - y, 1))

    def clipped(self, width: int, height: int) -> Box:
        """Within an image of width x height (rounding after scaling can overshoot by a pixel)."""
        x, y = min(max(self.x, 0), width - 1), min(max(self.y, 0), height - 1)
        return Box(x, y, max(min(self.right, width) - x, 1), max(min(self.bottom, height) - y, 1))

    def to_dict(self) -> dict[str, Any]:
        return {"x": self.x, "y": self.y, "width": self.width, "height": self.height}


def _components(grid: np.ndarray) -> list[tuple[int, int, int, int]]:
    """(first row, first column, last row, last column) of each 8-connected group of true cells."""
    seen = np.zeros_like(grid, dtype=bool)
    rows, cols = grid.shape
    found = []
    for start_row, start_col in zip(*np.nonzero(grid), strict=True):
        if seen[start_row, start_col]:
            continue
        seen[start_row, start_col] = True
        queue = deque([(int(start_row), int(start_col))])
        top, left, bottom, right = int(start_row), int(start_col), int(start_row), int(start_col)
        while queue:
            row, col = queue.popleft()
            top, bottom, left, right = min(top, row), max(bottom, row), min(left, col), max(right, col)
            for next_row in range(max(row - 1, 0), min(row + 2, rows)):
                for next_col in range(max(col - 1, 0), min(col + 2, cols)):
                    if grid[next_row, next_col] and not seen[next_row, next_col]:
                        seen[next_row, next_col] = True
                        queue.append((next_row, next_col))
        found.append((top, left, bottom, right))
    return found


def _grid(mask: np.ndarray, cell: int) -> np.ndarray:
    rows, cols = -(-mask.shape[0] // cell), -(-mask.shape[1] // cell)
    padded = np.zeros((rows * cell, cols * cell), dtype=np.int32)
    padded[:mask.shape[0], :mask.shape[1]] = mask
    return padded.reshape(rows, cell, cols, cell).sum(axis=(1, 3)) >= MIN_CELL_PIXELS


def _merge_close(boxes: list[Box], gap: int) -> list[Box]:
    merged = True
    while merged:
        merged = False
        for i, first in enumerate(boxes):
            for j in range(i + 1, len(boxes)):
                if first.gap(boxes[j]) <= gap:
                    boxes[i] = first.union(boxes.pop(j))
                    merged = True
                    break
            if merged:
                break
    return boxes


def _merge_cheapest(boxes: list[Box], limit: int) -> list[Box]:
    """Merge the pair whose union adds the least area, until `limit` boxes remain."""
    while len(boxes) > limit:
        pairs = ((boxes[i].union(boxes[j]).area - boxes[i].area - boxes[j].area, i, j)
                 for i in range(len(boxes)) for j in range(i + 1, len(boxes)))
        _cost, i, j = min(pairs)
        boxes[i] = boxes[i].union(boxes.pop(j))
    return boxes


def changed_boxes(mask: np.ndarray, *, limit: int = MAX_BOXES) -> list[Box]:
    """Boxes (in the mask's pixels) around the changed areas of a boolean mask, top to bottom."""
    height, width = mask.shape
    cell = CELL
    components = _components(_grid(mask, cell))
    while len(components) > MAX_COMPONENTS and cell < max(height, width):
        cell *= 2
        components = _components(_grid(mask, cell))
    boxes = []
    for top, left, bottom, right in components:
        x, y = max(left * cell - BOX_MARGIN, 0), max(top * cell - BOX_MARGIN, 0)
        boxes.append(Box(x, y, min((right + 1) * cell + BOX_MARGIN, width) - x,
                         min((bottom + 1) * cell + BOX_MARGIN, height) - y))
    boxes = _merge_cheapest(_merge_close(boxes, cell * MERGE_GAP_CELLS), limit)
    return sorted(boxes, key=lambda box: (box.y, box.x))
