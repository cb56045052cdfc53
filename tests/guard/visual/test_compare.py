"""compare_images on pictures drawn in the test: no browser needed."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image, ImageDraw

from jagaweb.guard.visual import CHANGED_HASH_DISTANCE, CHANGED_RATIO, compare_images, hash_distance, perceptual_hash
from jagaweb.guard.visual.compare import MAX_COMPARE_HEIGHT
from jagaweb.guard.visual.regions import MAX_BOXES
from tests.guard.visual.images import DATE_AT, covered, defaced_image, difference_bbox, font, page_image, save


@pytest.fixture
def baseline(tmp_path):
    return save(page_image(), tmp_path, "baseline")


def test_identical_pictures_did_not_change(tmp_path, baseline):
    diff = compare_images(baseline, save(page_image(), tmp_path, "again"))
    assert diff.ratio == 0 and diff.hash_distance == 0 and diff.boxes == () and not diff.changed
    assert diff.baseline_hash == diff.current_hash and len(diff.current_hash) == 16
    assert diff.baseline_size == diff.current_size == (1366, 1600)


def test_a_new_date_is_a_small_located_change(tmp_path, baseline):
    current = save(page_image(date="Selasa, 4 Maret 2025"), tmp_path, "date")
    diff = compare_images(baseline, current)
    assert not diff.changed
    assert 0 < diff.ratio < CHANGED_RATIO / 10 and diff.hash_distance < CHANGED_HASH_DISTANCE
    exact = difference_bbox(baseline, current)
    assert exact is not None and covered(diff.boxes, exact)
    assert len(diff.boxes) == 1
    box = diff.boxes[0]
    assert box.x >= DATE_AT[0] - 32 and box.bottom <= 36 + 32 and box.right <= 400  # the top bar's left end
    assert diff.baseline_boxes == diff.boxes  # nothing moved


def test_a_defaced_page_changed(tmp_path, baseline):
    diff = compare_images(baseline, save(defaced_image(), tmp_path, "defaced"))
    assert diff.changed
    assert diff.ratio > 0.5 and diff.hash_distance >= CHANGED_HASH_DISTANCE
    assert diff.boxes and diff.boxes[0].width > 1000


def test_a_banner_over_the_page_changed(tmp_path, baseline):
    image = page_image()
    ImageDraw.Draw(image).rectangle((300, 160, 1300, 700), fill="#c00000")
    diff = compare_images(baseline, save(image, tmp_path, "banner"))
    assert diff.changed and diff.ratio >= CHANGED_RATIO
    assert covered(diff.boxes, (300, 160, 1301, 701)) and len(diff.boxes) == 1


def test_noise_and_one_pixel_shifts_are_not_changes(tmp_path, baseline):
    pixels = np.asarray(Image.open(baseline), dtype=np.int16)
    noise = np.random.default_rng(7).integers(-20, 21, pixels.shape)
    noisy = save(Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8)), tmp_path, "noisy")
    shifted = save(Image.fromarray(np.roll(pixels, 1, axis=1).astype(np.uint8)), tmp_path, "shifted")
    lowered = save(Image.fromarray(np.roll(pixels, 1, axis=0).astype(np.uint8)), tmp_path, "lowered")
    for current in (noisy, shifted, lowered):
        diff = compare_images(baseline, current)
        assert not diff.changed and diff.ratio < 0.005, current.name


def test_content_pushed_down_counts_only_where_it_was_inserted(tmp_path, baseline):
    original = page_image()
    pushed = Image.new("RGB", (1366, 1660), "#f4f6f8")
    pushed.paste(original.crop((0, 0, 1366, 440)), (0, 0))
    ImageDraw.Draw(pushed).rectangle((24, 450, 700, 490), fill="#2a9d8f")  # a new notice
    pushed.paste(original.crop((0, 440, 1366, 1600)), (0, 500))
    diff = compare_images(baseline, save(pushed, tmp_path, "pushed"))
    assert diff.ratio < 0.02 and not diff.changed
    assert covered(diff.boxes, (24, 450, 701, 491))
    assert all(box.bottom < 540 for box in diff.boxes)  # not the whole page below the new notice


def test_different_widths_are_compared_at_one_scale(tmp_path, baseline):
    half = page_image().resize((683, 800), Image.Resampling.LANCZOS)
    diff = compare_images(baseline, save(half, tmp_path, "half"))
    assert not diff.changed and diff.hash_distance <= 4
    assert diff.current_size == (683, 800) and diff.baseline_size == (1366, 1600)
    for box in diff.boxes:  # in the current image's pixels
        assert box.right <= 683 and box.bottom <= 800


def test_a_longer_page_with_only_background_below_did_not_change(tmp_path, baseline):
    longer = Image.new("RGB", (1366, 2400), "#f4f6f8")
    longer.paste(page_image(), (0, 0))
    assert compare_images(baseline, save(longer, tmp_path, "longer")).boxes == ()


def test_content_added_below_the_old_end_is_located(tmp_path, baseline):
    longer = Image.new("RGB", (1366, 2400), "#f4f6f8")
    longer.paste(page_image(), (0, 0))
    ImageDraw.Draw(longer).text((100, 2000), "SLOT GACOR MAXWIN HARI INI", fill="black", font=font(40))
    diff = compare_images(baseline, save(longer, tmp_path, "added"))
    assert diff.boxes and all(box.y >= 1900 for box in diff.boxes)
    assert covered(diff.boxes, (100, 2000, 500, 2030))


def test_a_shorter_page_lost_content(tmp_path, baseline):
    shorter = page_image().crop((0, 0, 1366, 500))
    diff = compare_images(baseline, save(shorter, tmp_path, "shorter"))
    assert diff.changed and diff.ratio > CHANGED_RATIO
    assert all(box.bottom <= 500 for box in diff.boxes)  # marked where the content went missing
    assert any(box.bottom > 1000 for box in diff.baseline_boxes)


def test_all_white_pictures(tmp_path, baseline):
    white = save(Image.new("RGB", (1366, 900), "white"), tmp_path, "white")
    other_white = save(Image.new("RGB", (800, 3000), "white"), tmp_path, "white2")
    same = compare_images(white, other_white)
    assert same.ratio == 0 and same.hash_distance == 0 and not same.changed and same.boxes == ()
    assert compare_images(baseline, white).changed
    assert compare_images(white, baseline).changed


def test_transparency_is_seen_over_white(tmp_path):
    opaque = save(Image.new("RGB", (400, 300), "white"), tmp_path, "opaque")
    clear = save(Image.new("RGBA", (400, 300), (0, 0, 0, 0)), tmp_path, "clear")
    assert compare_images(opaque, clear).ratio == 0


def test_a_huge_height_is_cut_at_the_compare_limit(tmp_path):
    tall = Image.new("RGB", (1366, 20000), "white")
    ImageDraw.Draw(tall).rectangle((0, 0, 1366, 35), fill="#0b3d6e")
    baseline = save(tall, tmp_path, "tall")
    draw = ImageDraw.Draw(tall)
    draw.rectangle((500, 200, 700, 260), fill="red")  # compared
    draw.rectangle((500, 15000, 700, 15060), fill="red")  # beyond MAX_COMPARE_HEIGHT: not compared
    diff = compare_images(baseline, save(tall, tmp_path, "tall-changed"))
    assert diff.current_size == (1366, 20000)
    assert covered(diff.boxes, (500, 200, 701, 261))
    assert all(box.bottom <= MAX_COMPARE_HEIGHT for box in diff.boxes)
    assert 0 < diff.ratio < 0.01


def test_many_scattered_changes_give_few_boxes(tmp_path, baseline):
    image = page_image()
    draw = ImageDraw.Draw(image)
    for row in range(12):
        for col in range(10):
            x, y = 40 + col * 130, 40 + row * 130
            draw.rectangle((x, y, x + 20, y + 20), fill="#ff00ff")
    diff = compare_images(baseline, save(image, tmp_path, "scattered"))
    assert 1 <= len(diff.boxes) <= MAX_BOXES
    assert covered(diff.boxes, (40, 40, 1231, 1491))


def test_to_dict_is_json(tmp_path, baseline):
    diff = compare_images(baseline, save(page_image(date="Rabu, 5 Maret 2025"), tmp_path, "date"))
    data = json.loads(json.dumps(diff.to_dict()))
    assert data["changed"] is False and data["boxes"][0].keys() == {"x", "y", "width", "height"}
    assert data["current_size"] == [1366, 1600] and data["hash_distance"] == diff.hash_distance
    assert data["baseline_hash"] == diff.baseline_hash


def test_perceptual_hash_of_related_and_unrelated_pictures():
    page, flat = page_image(), Image.new("RGB", (500, 500), "white")
    assert perceptual_hash(flat) == perceptual_hash(Image.new("L", (20, 900), 255))
    assert hash_distance(perceptual_hash(page), perceptual_hash(page.resize((683, 800)))) <= 4
    assert hash_distance(perceptual_hash(page), perceptual_hash(defaced_image())) >= CHANGED_HASH_DISTANCE
    assert hash_distance("0" * 16, "f" * 16) == 64
