"""Pictures for people: baseline and current side by side with the changed areas marked, and thumbnails.

Labels are passed in by the caller, already translated.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from jagaweb.guard.visual.compare import VisualDiff
from jagaweb.guard.visual.regions import Box

MAX_WIDTH = 1600
MAX_HEIGHT = 3000  # of the whole picture; the lower part of very long pages is cut
MARGIN = 12
LABEL_HEIGHT = 30
LABEL_SIZE = 16
BACKGROUND = (238, 240, 243)
LABEL_COLOUR = (33, 37, 41, 255)
MARK = (220, 20, 20, 255)
FAINT_MARK = (220, 20, 20, 110)
THUMBNAIL_ASPECT = 0.75  # the top of the page, shaped like a screen


def _rgb(path: Path) -> Image.Image:
    with Image.open(path) as opened:
        if "A" in opened.getbands() or opened.mode == "P":
            rgba = opened.convert("RGBA")
            return Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba).convert("RGB")
        return opened.convert("RGB")


def _fit(image: Image.Image, width: int, height: int) -> tuple[Image.Image, float]:
    """Scaled down (never up) to `width`, its bottom cut at `height`; with the scale used."""
    scale = min(width / image.width, 1.0)
    keep = min(image.height, max(round(height / scale), 1))
    if keep < image.height:
        image = image.crop((0, 0, image.width, keep))
    size = (max(round(image.width * scale), 1), max(round(image.height * scale), 1))
    return (image if size == image.size else image.resize(size, Image.Resampling.LANCZOS)), scale


def _outline(draw: ImageDraw.ImageDraw, box: Box, origin: tuple[int, int], limit: tuple[int, int],
             colour: tuple[int, int, int, int], line: int) -> None:
    """`box` outlined at `origin`, clipped to a panel of size `limit`; nothing when it lies outside."""
    left, top = max(box.x, 0), max(box.y, 0)
    right, bottom = min(box.right, limit[0]) - 1, min(box.bottom, limit[1]) - 1
    if right <= left or bottom <= top:
        return
    x, y = origin
    draw.rectangle((x + left, y + top, x + right, y + bottom), outline=colour, width=line)


def side_by_side(baseline: Path, current: Path, diff: VisualDiff, out: Path, *, baseline_label: str = "Baseline",
                 current_label: str = "Current", max_width: int = MAX_WIDTH) -> Path:
    """One PNG: the baseline on the left (changed areas outlined faintly), the current on the right
    (outlined in red), each under its label, at most `max_width` wide. Returns `out`."""
    panel_width = max((max_width - 3 * MARGIN) // 2, 1)
    panel_height = MAX_HEIGHT - LABEL_HEIGHT - 2 * MARGIN
    old, old_scale = _fit(_rgb(baseline), panel_width, panel_height)
    new, new_scale = _fit(_rgb(current), panel_width, panel_height)
    size = (3 * MARGIN + old.width + new.width, LABEL_HEIGHT + 2 * MARGIN + max(old.height, new.height))
    canvas = Image.new("RGB", size, BACKGROUND)
    top = MARGIN + LABEL_HEIGHT
    old_origin, new_origin = (MARGIN, top), (2 * MARGIN + old.width, top)
    canvas.paste(old, old_origin)
    canvas.paste(new, new_origin)
    overlay = Image.new("RGBA", canvas.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for box in diff.boxes:
        _outline(draw, box.scaled(new_scale), new_origin, new.size, MARK, 3)
    for box in diff.baseline_boxes:
        _outline(draw, box.scaled(old_scale), old_origin, old.size, FAINT_MARK, 2)
    font = ImageFont.load_default(size=LABEL_SIZE)
    for label, (x, _y) in ((baseline_label, old_origin), (current_label, new_origin)):
        draw.text((x, MARGIN + (LABEL_HEIGHT - LABEL_SIZE) // 2), label, fill=LABEL_COLOUR, font=font)
    picture = Image.alpha_composite(canvas.convert("RGBA"), overlay).convert("RGB")
    out.parent.mkdir(parents=True, exist_ok=True)
    picture.save(out, format="PNG")
    return out


def thumbnail(src: Path, out: Path, width: int, *, aspect: float | None = THUMBNAIL_ASPECT) -> Path:
    """`src` scaled to `width` (never up), keeping the top `width * aspect` pixels; `aspect=None` keeps
    the whole height. Returns `out` (PNG)."""
    image = _rgb(src)
    scale = min(width / image.width, 1.0)
    if aspect is not None:
        keep = max(round(width * aspect / scale), 1)
        if keep < image.height:
            image = image.crop((0, 0, image.width, keep))
    size = (max(round(image.width * scale), 1), max(round(image.height * scale), 1))
    if size != image.size:
        image = image.resize(size, Image.Resampling.LANCZOS)
    out.parent.mkdir(parents=True, exist_ok=True)
    image.save(out, format="PNG")
    return out
