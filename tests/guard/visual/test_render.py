"""side_by_side and thumbnail on pictures drawn in the test."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from jagaweb.guard.visual import compare_images, side_by_side, thumbnail
from jagaweb.guard.visual.render import BACKGROUND, LABEL_HEIGHT, MARGIN, MAX_WIDTH
from tests.guard.visual.images import defaced_image, page_image, save


def red_pixels(image: Image.Image, box: tuple[int, int, int, int]) -> int:
    pixels = np.asarray(image.crop(box).convert("RGB"), dtype=np.int16)
    return int(((pixels[..., 0] > 180) & (pixels[..., 1] < 80) & (pixels[..., 2] < 80)).sum())


@pytest.fixture
def pair(tmp_path):
    baseline = save(page_image(), tmp_path, "baseline")
    current = save(page_image(date="Selasa, 4 Maret 2025"), tmp_path, "current")
    return baseline, current, compare_images(baseline, current)


def test_side_by_side_marks_the_change_on_the_current_half(tmp_path, pair):
    baseline, current, diff = pair
    out = side_by_side(baseline, current, diff, tmp_path / "out" / "diff.png",
                       baseline_label="Acuan", current_label="Sekarang")
    assert out == tmp_path / "out" / "diff.png"
    picture = Image.open(out)
    assert picture.width <= MAX_WIDTH
    panel = (picture.width - 3 * MARGIN) // 2
    scale = panel / 1366
    box = diff.boxes[0]
    left_of_current = 2 * MARGIN + panel
    top = MARGIN + LABEL_HEIGHT
    around = (left_of_current + int(box.x * scale) - 4, top + int(box.y * scale) - 4,
              left_of_current + int(box.right * scale) + 4, top + int(box.bottom * scale) + 4)
    assert red_pixels(picture, around) > 20
    # The current half has no red anywhere else (the page itself has none).
    lower_half = (left_of_current, top + int(box.bottom * scale) + 8, picture.width, picture.height)
    assert red_pixels(picture, lower_half) == 0
    # Faint on the baseline: reddish, but not the strong red.
    baseline_box = (MARGIN + int(box.x * scale) - 4, top + int(box.y * scale) - 4,
                    MARGIN + int(box.right * scale) + 4, top + int(box.bottom * scale) + 4)
    assert red_pixels(picture, baseline_box) < red_pixels(picture, around)


def test_labels_are_drawn(tmp_path, pair):
    baseline, current, diff = pair
    picture = Image.open(side_by_side(baseline, current, diff, tmp_path / "labelled.png"))
    band = np.asarray(picture.crop((0, 0, picture.width, MARGIN + LABEL_HEIGHT)).convert("RGB"))
    assert (band != np.array(BACKGROUND, dtype=np.uint8)).any(axis=2).sum() > 50
    unlabelled = Image.open(side_by_side(baseline, current, diff, tmp_path / "blank.png",
                                         baseline_label="", current_label=""))
    blank = np.asarray(unlabelled.crop((0, 0, unlabelled.width, MARGIN + LABEL_HEIGHT)).convert("RGB"))
    assert not (blank != np.array(BACKGROUND, dtype=np.uint8)).any()


def test_narrow_and_unequal_pictures(tmp_path):
    baseline = save(page_image(390, 2000), tmp_path, "phone")
    current = save(defaced_image(390, 844), tmp_path, "phone-defaced")
    diff = compare_images(baseline, current)
    picture = Image.open(side_by_side(baseline, current, diff, tmp_path / "phone.png", max_width=600))
    assert picture.width <= 600
    assert red_pixels(picture, (picture.width // 2, 0, picture.width, picture.height)) > 100


def test_thumbnail_keeps_the_top_of_the_page(tmp_path):
    source = save(page_image(1366, 3000), tmp_path, "long")
    screen = Image.open(thumbnail(source, tmp_path / "thumb.png", 320))
    assert screen.size == (320, 240)
    whole = Image.open(thumbnail(source, tmp_path / "whole.png", 320, aspect=None))
    assert whole.size == (320, round(3000 * 320 / 1366))
    small = save(page_image(200, 300), tmp_path, "small")
    assert Image.open(thumbnail(small, tmp_path / "small-thumb.png", 320)).width == 200  # never enlarged
