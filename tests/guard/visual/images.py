"""Page-like pictures drawn with Pillow for the pure comparison tests, and exact-difference helpers."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from jagaweb.guard.visual import Box

WORDS = ("layanan", "publik", "informasi", "kabupaten", "dinas", "kegiatan", "program", "masyarakat", "pemerintah",
         "daerah", "pembangunan", "kesehatan", "pendidikan", "anggaran", "laporan", "kinerja", "rapat", "berita")
DATE = "Senin, 3 Maret 2025"
DATE_AT = (24, 10)


def font(size: int = 14) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def page_image(width: int = 1366, height: int = 1600, *, seed: int = 1, date: str = DATE) -> Image.Image:
    """A government home page: top bar with the date, header, banner, news blocks of text, footer."""
    rng = random.Random(seed)
    image = Image.new("RGB", (width, height), "#f4f6f8")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, 35), fill="#0b3d6e")
    draw.text(DATE_AT, date, fill="white", font=font())
    draw.rectangle((0, 36, width, 140), fill="white")
    draw.ellipse((24, 56, 88, 120), fill="#0b3d6e")
    draw.text((104, 70), "Dinas Komunikasi dan Informatika", fill="#0b3d6e", font=font(24))
    draw.rectangle((0, 140, width, 420), fill="#13579b")
    draw.text((24, 200), "Melayani dengan Sepenuh Hati", fill="white", font=font(34))
    y = 450
    while y < height - 220:
        draw.rectangle((24, y, width * 2 // 3, y + 130), fill="white")
        draw.rectangle((40, y + 15, 200, y + 115), fill="#cfd8e3")
        for line in range(4):
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 9)))
            draw.text((216, y + 15 + line * 24), text.capitalize(), fill="#222222", font=font())
        y += 150
    draw.rectangle((0, height - 160, width, height), fill="#0b2545")
    draw.text((24, height - 120), "Jl. Merdeka No. 1, Kabupaten Contoh", fill="#cfd8e3", font=font())
    return image


def defaced_image(width: int = 1366, height: int = 900) -> Image.Image:
    image = Image.new("RGB", (width, height), "black")
    draw = ImageDraw.Draw(image)
    draw.text((width // 4, 200), "HACKED BY GH0ST CR3W", fill="#00ff00", font=font(56))
    draw.text((width // 4, 300), "Your security is low. Patch your system.", fill="#cccccc", font=font(20))
    return image


def save(image: Image.Image, folder: Path, name: str) -> Path:
    path = folder / f"{name}.png"
    image.save(path)
    return path


def difference_bbox(first: Path, second: Path, *, at_least: int = 32) -> tuple[int, int, int, int] | None:
    """(left, top, right, bottom) of the pixels that differ by `at_least` in a channel (faint anti-aliasing
    does not count), for images of one size."""
    a = np.asarray(Image.open(first).convert("RGB"), dtype=np.int16)
    b = np.asarray(Image.open(second).convert("RGB"), dtype=np.int16)
    assert a.shape == b.shape
    rows, cols = np.nonzero(np.abs(a - b).max(axis=2) >= at_least)
    if not len(rows):
        return None
    return int(cols.min()), int(rows.min()), int(cols.max()) + 1, int(rows.max()) + 1


def covered(boxes: tuple[Box, ...], area: tuple[int, int, int, int]) -> bool:
    """Whether the union of the boxes' bounds contains `area`."""
    if not boxes:
        return False
    left, top = min(b.x for b in boxes), min(b.y for b in boxes)
    right, bottom = max(b.right for b in boxes), max(b.bottom for b in boxes)
    return left <= area[0] and top <= area[1] and right >= area[2] and bottom >= area[3]
