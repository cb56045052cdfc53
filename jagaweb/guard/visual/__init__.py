"""The guard's visual check: screenshots in headless Chromium, compared with a baseline screenshot.

    shots = capture([ShotRequest(url, Identity.NORMAL), ShotRequest(url, Identity.MOBILE)], folder,
                    allow_private=site_allows_private)
    diff = compare_images(baseline_png, shots[0].path)          # diff.changed, diff.ratio, diff.boxes
    side_by_side(baseline_png, shots[0].path, diff, out_png, baseline_label=_("Baseline"),
                 current_label=_("Current"))

Browser traffic obeys JagaWeb's address policy through `visual.proxy` (see `visual.policy`).
"""

from jagaweb.guard.visual.browser import BrowserUnavailable
from jagaweb.guard.visual.capture import MAX_HEIGHT, Shot, ShotRequest, capture
from jagaweb.guard.visual.compare import (
    CHANGED_HASH_DISTANCE,
    CHANGED_RATIO,
    VisualDiff,
    compare_images,
    screenshot_hash,
)
from jagaweb.guard.visual.phash import hash_distance, perceptual_hash
from jagaweb.guard.visual.policy import BrowserPolicy
from jagaweb.guard.visual.regions import Box
from jagaweb.guard.visual.render import side_by_side, thumbnail

__all__ = [
    "CHANGED_HASH_DISTANCE", "CHANGED_RATIO", "MAX_HEIGHT", "Box", "BrowserPolicy", "BrowserUnavailable", "Shot",
    "ShotRequest", "VisualDiff", "capture", "compare_images", "hash_distance", "perceptual_hash", "screenshot_hash",
    "side_by_side", "thumbnail",
]
