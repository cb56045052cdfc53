"""How much room a text takes in the printed document, estimated without a browser.

The pagination must know each row's height before Chromium lays the page out, so text is measured
here with the advance widths of DejaVu Sans, the widest of the fonts the document asks for: an
estimate made with it is never shorter than the text printed in Noto Sans or Liberation Sans.
Lines break at spaces only, and an over-long word is cut anywhere, as CSS `overflow-wrap: anywhere`
does; the browser has more break points than that, so it never needs more lines than estimated.
"""

from __future__ import annotations

import math

MM_PER_PT = 25.4 / 72
# Advance widths in em (DejaVu Sans, 2048 units per em, rounded up).
WIDTHS: dict[str, float] = {
    " ": 0.318, "!": 0.401, '"': 0.461, "#": 0.838, "$": 0.637, "%": 0.951, "&": 0.780, "'": 0.276,
    "(": 0.391, ")": 0.391, "*": 0.500, "+": 0.838, ",": 0.318, "-": 0.361, ".": 0.318, "/": 0.337,
    ":": 0.337, ";": 0.337, "<": 0.838, "=": 0.838, ">": 0.838, "?": 0.531, "@": 1.000, "[": 0.391,
    "]": 0.391, "_": 0.500, "|": 0.337, "~": 0.838,
    "A": 0.685, "B": 0.687, "C": 0.699, "D": 0.771, "E": 0.632, "F": 0.576, "G": 0.775, "H": 0.752,
    "I": 0.295, "J": 0.295, "K": 0.656, "L": 0.558, "M": 0.863, "N": 0.749, "O": 0.788, "P": 0.604,
    "Q": 0.788, "R": 0.695, "S": 0.635, "T": 0.611, "U": 0.732, "V": 0.685, "W": 0.989, "X": 0.686,
    "Y": 0.611, "Z": 0.686,
    "a": 0.613, "b": 0.635, "c": 0.550, "d": 0.635, "e": 0.616, "f": 0.353, "g": 0.635, "h": 0.634,
    "i": 0.278, "j": 0.278, "k": 0.580, "l": 0.278, "m": 0.975, "n": 0.634, "o": 0.613, "p": 0.635,
    "q": 0.635, "r": 0.412, "s": 0.521, "t": 0.393, "u": 0.634, "v": 0.592, "w": 0.818, "x": 0.592,
    "y": 0.592, "z": 0.525,
}
DIGIT_WIDTH = 0.637
OTHER_WIDTH = 0.700  # letters with accents and anything unlisted: a little wider than most
BOLD_FACTOR = 1.12  # DejaVu Sans Bold is up to this much wider than the regular face


def char_width(char: str) -> float:
    if char.isdigit():
        return DIGIT_WIDTH
    return WIDTHS.get(char, OTHER_WIDTH)


def text_width_mm(text: str, size_pt: float, *, bold: bool = False) -> float:
    """The printed width of `text` on one line."""
    ems = sum(char_width(char) for char in text)
    return ems * size_pt * MM_PER_PT * (BOLD_FACTOR if bold else 1.0)


def wrap(text: str, width_mm: float, size_pt: float, *, bold: bool = False) -> list[str]:
    """`text` broken into the lines it takes in a box `width_mm` wide; each newline starts a line."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        lines += wrap_paragraph(paragraph, width_mm, size_pt, bold=bold)
    return lines


def wrap_paragraph(paragraph: str, width_mm: float, size_pt: float, *, bold: bool) -> list[str]:
    space = text_width_mm(" ", size_pt, bold=bold)
    lines: list[str] = []
    line, used = "", 0.0
    for word in paragraph.split():
        for piece in cut_word(word, width_mm, size_pt, bold=bold):
            width = text_width_mm(piece, size_pt, bold=bold)
            if line and used + space + width <= width_mm:
                line, used = f"{line} {piece}", used + space + width
                continue
            if line:
                lines.append(line)
            line, used = piece, width
    lines.append(line)
    return lines


def cut_word(word: str, width_mm: float, size_pt: float, *, bold: bool) -> list[str]:
    """A word wider than the box in pieces that each fit (a URL, a long file number)."""
    pieces: list[str] = []
    piece, used = "", 0.0
    for char in word:
        width = text_width_mm(char, size_pt, bold=bold)
        if piece and used + width > width_mm:
            pieces.append(piece)
            piece, used = "", 0.0
        piece, used = piece + char, used + width
    return [*pieces, piece] if piece else pieces


def text_height_mm(text: str, width_mm: float, size_pt: float, line_height: float, *, bold: bool = False) -> float:
    """The height of `text` wrapped in a box `width_mm` wide, with CSS `line-height: line_height`."""
    if not text.strip():
        return 0.0
    lines = len(wrap(text, width_mm, size_pt, bold=bold))
    return math.ceil(lines * size_pt * line_height * MM_PER_PT * 10) / 10


def fitting_size(text: str, width_mm: float, size_pt: float, minimum_pt: float, *, bold: bool = False) -> float:
    """The largest font size, at most `size_pt` and at least `minimum_pt`, at which the longest word of
    `text` fits on a line `width_mm` wide (a narrow column's heading, rather than cut mid-word)."""
    widest = max((text_width_mm(word, size_pt, bold=bold) for word in text.split()), default=0.0)
    if widest <= width_mm:
        return size_pt
    return max(minimum_pt, math.floor(size_pt * width_mm / widest * 4) / 4)
