"""A 64-bit perceptual hash (the DCT hash of pHash) and the Hamming distance between two of them.

The image is shrunk to 32x32 grey, transformed with a 2-D DCT, and the 8x8 lowest frequencies are compared
with their median: the hash follows the page's overall layout (light and dark blocks) and not its details,
so a new date keeps it, a defacement (usually a dark page with one message) moves it far.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

SAMPLE_SIZE = 32
HASH_SIZE = 8  # 8x8 = 64 bits


def _dct_matrix(size: int) -> np.ndarray:
    """The orthonormal DCT-II matrix: `m @ x @ m.T` is the 2-D DCT of a size x size block."""
    k = np.arange(size)[:, None]
    i = np.arange(size)[None, :]
    matrix = np.cos(math.pi * (2 * i + 1) * k / (2 * size)) * math.sqrt(2 / size)
    matrix[0, :] /= math.sqrt(2)
    return matrix


_DCT = _dct_matrix(SAMPLE_SIZE)


def perceptual_hash(image: Image.Image) -> str:
    """16 hex digits."""
    small = image.convert("L").resize((SAMPLE_SIZE, SAMPLE_SIZE), Image.Resampling.BOX)
    pixels = np.asarray(small, dtype=np.float64)
    # Rounded so that a flat image (all coefficients but the first are zero) hashes the same everywhere,
    # rather than by the sign of floating-point noise.
    low = np.round(_DCT @ pixels @ _DCT.T, 6)[:HASH_SIZE, :HASH_SIZE].flatten()
    bits = low > np.median(low[1:])  # the first coefficient is the mean brightness, far above the rest
    value = 0
    for bit in bits:
        value = (value << 1) | int(bit)
    return f"{value:016x}"


def hash_distance(first: str, second: str) -> int:
    """How many of the 64 bits differ (0 = same layout, around 32 = unrelated images)."""
    return (int(first, 16) ^ int(second, 16)).bit_count()
