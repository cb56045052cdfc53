"""How much a screenshot differs from its baseline: changed-pixel ratio, perceptual hashes, changed boxes.

Both images are scaled to one working width and blurred (Gaussian), so anti-aliasing, font hinting and
one-pixel shifts do not count; a pixel counts as changed when a blurred colour channel moves by more than
`PIXEL_THRESHOLD`. Colour rather than grey: a red gambling banner over a blue header of the same
brightness is invisible in grey. Rows are matched first (`visual.align`), so content that only moved up or
down is not a change; inserted, removed or rewritten content is, and so is what a shorter page lost (a
page that only gained empty background did not change).

The perceptual hashes (`visual.phash`, in grey) are of the first screen: the top `FIRST_SCREEN_ROWS` rows
at the compared width, what a visitor sees first, so a page that merely grew longer keeps its hash.

A page is `changed` when at least `CHANGED_RATIO` of the pixels changed or the hashes are
`CHANGED_HASH_DISTANCE` bits or more apart. A new date, a counter or one news headline stays far below
both (its boxes are still reported); a defacement, a banner over the page or a new layout is far above.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageFilter

from jagaweb.guard.visual.align import background, row_diff
from jagaweb.guard.visual.phash import hash_distance, perceptual_hash
from jagaweb.guard.visual.regions import Box, changed_boxes

COMPARE_WIDTH = 1366  # working width: a desktop screenshot (the widest) is compared unscaled
MAX_COMPARE_HEIGHT = 6000  # working pixels; lower parts of longer images are not compared
FIRST_SCREEN_ROWS = 900
BLUR_RADIUS = 2.0
PIXEL_THRESHOLD = 32  # levels of 255, in any colour channel
CHANGED_RATIO = 0.03
CHANGED_HASH_DISTANCE = 18


@dataclass(frozen=True)
class VisualDiff:
    ratio: float  # share of compared pixels that changed, 0..1
    hash_distance: int  # 0..64
    baseline_hash: str
    current_hash: str
    boxes: tuple[Box, ...]  # changed areas in the current image's pixels, top to bottom
    baseline_boxes: tuple[Box, ...]  # the same changes where they are in the baseline (content may have moved)
    changed: bool
    baseline_size: tuple[int, int]
    current_size: tuple[int, int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "ratio": round(self.ratio, 6), "hash_distance": self.hash_distance,
            "baseline_hash": self.baseline_hash, "current_hash": self.current_hash,
            "boxes": [box.to_dict() for box in self.boxes],
            "baseline_boxes": [box.to_dict() for box in self.baseline_boxes], "changed": self.changed,
            "baseline_size": list(self.baseline_size), "current_size": list(self.current_size),
        }


def image_size(path: Path) -> tuple[int, int]:
    with Image.open(path) as image:  # reads the header only
        return image.size


def working_image(path: Path, width: int) -> Image.Image:
    """The image in RGB scaled to `width` and cut at `MAX_COMPARE_HEIGHT`, transparency shown over white.

    Cut before any conversion, so a very long image costs one decoded copy, not several."""
    with Image.open(path) as opened:
        scale = width / opened.width
        keep = min(opened.height, max(round(MAX_COMPARE_HEIGHT / scale), 1))
        image = opened.crop((0, 0, opened.width, keep)) if keep < opened.height else opened.copy()
    if "A" in image.getbands() or image.mode == "P":
        image = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image.convert("RGBA"))
    image = image.convert("RGB")
    size = (width, max(min(round(image.height * scale), MAX_COMPARE_HEIGHT), 1))
    return image if size == image.size else image.resize(size, Image.Resampling.BOX)


def blurred(image: Image.Image) -> np.ndarray:
    """The image blurred, as int16, with a margin of its background colour below it. The blur must see
    below the last rows as the longer page will show them if it only added empty space."""
    margin = math.ceil(3 * BLUR_RADIUS)
    colour = background(np.asarray(image, dtype=np.int16))
    extended = Image.new("RGB", (image.width, image.height + margin), tuple(int(c) for c in colour))
    extended.paste(image, (0, 0))
    return np.asarray(extended.filter(ImageFilter.GaussianBlur(BLUR_RADIUS)), dtype=np.int16)


def _in_pixels(boxes: list[Box], width: int, size: tuple[int, int]) -> tuple[Box, ...]:
    """Boxes found at the working width, in the pixels of the image of `size`."""
    return tuple(box.scaled(size[0] / width).clipped(*size) for box in boxes)


def first_screen_hash(work: Image.Image) -> str:
    """The perceptual hash of what a visitor sees first (the top of the page), as compare_images takes it."""
    return perceptual_hash(work.crop((0, 0, work.width, min(work.height, FIRST_SCREEN_ROWS))))


def screenshot_hash(path: Path) -> str:
    return first_screen_hash(working_image(path, min(COMPARE_WIDTH, image_size(path)[0])))


def compare_images(baseline: Path, current: Path) -> VisualDiff:
    old_size, new_size = image_size(baseline), image_size(current)
    width = min(COMPARE_WIDTH, old_size[0], new_size[0])
    old_work, new_work = working_image(baseline, width), working_image(current, width)
    old_hash, new_hash = first_screen_hash(old_work), first_screen_hash(new_work)
    rows = row_diff(blurred(old_work), blurred(new_work), PIXEL_THRESHOLD,
                    baseline_rows=old_work.height, current_rows=new_work.height)
    ratio = rows.changed_pixels / (width * max(old_work.height, new_work.height))
    distance = hash_distance(old_hash, new_hash)
    return VisualDiff(
        ratio=ratio, hash_distance=distance, baseline_hash=old_hash, current_hash=new_hash,
        boxes=_in_pixels(changed_boxes(rows.current_mask), width, new_size),
        baseline_boxes=_in_pixels(changed_boxes(rows.baseline_mask), width, old_size),
        changed=ratio >= CHANGED_RATIO or distance >= CHANGED_HASH_DISTANCE,
        baseline_size=old_size, current_size=new_size,
    )
