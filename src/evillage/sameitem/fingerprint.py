"""Perceptual fingerprints of photographs: "is this the same picture?".

A fingerprint is a 64-bit DCT perceptual hash (pHash-like):

1. the picture is turned upright (EXIF), flattened on white, made greyscale and reduced
   to at most ``WORK_SIZE`` pixels on its long side;
2. flat rows and columns are trimmed from each side (a border added by a re-seller, and the
   plain background around a product), with a tolerance that scales with the picture's
   own contrast, so that a brighter or darker copy is trimmed the same way;
3. the result is area-averaged to 32x32, transformed by a 2-D DCT, and the 8x8 lowest
   frequencies (the constant DC term replaced by the next horizontal one) are compared
   with their median: one bit each.

Leaving the DC term out and thresholding at the median makes the hash independent of
brightness and contrast; 32x32 area averaging removes noise, JPEG artefacts and small text.
Two fingerprints are "the same picture" when their Hamming distance is at most
``MATCH_DISTANCE`` (chosen from measurements: see docs/benchmarks.md, "sameitem").

A listing photo stores the whole picture and 13 crops of it (windows of 90% of the width
and height at the corners, the middles of the edges and the centre, and of 95% at the
corners), so that a later copy cropped by about a tenth still lies close to one stored
window. A picture being looked up only hashes the whole picture: one index lookup.

Fingerprints are returned as signed 64-bit ints, the range of a BigIntegerField.
Pure Python + numpy + Pillow; no Django here.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from PIL import Image, ImageOps

MATCH_DISTANCE: int = 8
"""Max Hamming distance (of 64 bits) that counts as the same picture."""

HASH_SIZE = 32  # side of the greyscale square that is DCT-transformed
WORK_SIZE = 256  # long side the picture is reduced to before trimming
CROP_FRACTIONS = (0.9, 0.95)  # stored crop windows: these fractions of width and height
MIN_TRIMMED = 8  # trimming never leaves fewer pixels than this on a side
TRIM_TOLERANCE = 0.08  # a flat line's spread, as a share of the picture's contrast

_SIGN = 1 << 63
_WRAP = 1 << 64


def photo_fingerprints(image: Image.Image) -> list[int]:
    """Fingerprints stored for a listing photo: the whole picture (borders trimmed) and a
    few crops of it, so that a later copy cropped by about a tenth still matches.
    Signed 64-bit ints (they go into a BigIntegerField)."""
    grey = _trimmed_grey(image)
    height, width = grey.shape
    # The whole picture; windows of CROP_FRACTIONS[0] of each side on a 3x3 grid of
    # positions (corners, edge middles, centre); windows of CROP_FRACTIONS[1] at the
    # corners. A copy cropped by about a tenth is then within a few per cent of a side of
    # one stored window (the hash changes by several bits per 1% of shift).
    windows = [(0, 0, width, height)]
    for fraction, grid in zip(CROP_FRACTIONS, (3, 2), strict=True):
        crop_w = max(1, round(width * fraction))
        crop_h = max(1, round(height * fraction))
        right, bottom = width - crop_w, height - crop_h
        steps = [i / (grid - 1) for i in range(grid)]
        windows += [
            (
                round(fx * right),
                round(fy * bottom),
                round(fx * right) + crop_w,
                round(fy * bottom) + crop_h,
            )
            for fy in steps
            for fx in steps
        ]
    pixels = np.stack([_square(grey, box) for box in windows])
    fingerprints: list[int] = []
    for value in dct_hash(pixels).tolist():
        signed = to_signed(value)
        if signed not in fingerprints:
            fingerprints.append(signed)
    return fingerprints


def query_fingerprints(image: Image.Image) -> list[int]:
    """Fingerprints of a picture being looked up (the whole picture, borders trimmed; as
    few as possible, since each is one index lookup)."""
    grey = _trimmed_grey(image)
    height, width = grey.shape
    pixels = _square(grey, (0, 0, width, height))[np.newaxis]
    return [to_signed(int(dct_hash(pixels)[0]))]


def hamming(a: int, b: int) -> int:
    """Number of differing bits of two fingerprints (signed or unsigned 64-bit ints)."""
    return ((a ^ b) & (_WRAP - 1)).bit_count()


def to_signed(value: int) -> int:
    """An unsigned 64-bit value as the signed 64-bit int a BigIntegerField stores."""
    value &= _WRAP - 1
    return value - _WRAP if value & _SIGN else value


def to_unsigned(value: int) -> int:
    """The inverse of ``to_signed``."""
    return value & (_WRAP - 1)


def dct_hash(pixels: np.ndarray) -> np.ndarray:
    """Hashes of a batch of greyscale squares, shape (n, 32, 32), as uint64 (n,).

    Public so that the benchmark can hash many synthetic images at once with exactly the
    transform and bit selection used for photos.
    """
    pixels = np.asarray(pixels, dtype=np.float64)
    if pixels.shape[1:] != (HASH_SIZE, HASH_SIZE):
        raise ValueError(f"expected (n, {HASH_SIZE}, {HASH_SIZE}) pixels, got {pixels.shape}")
    matrix = _dct_matrix()
    coefficients = matrix @ pixels @ matrix.T  # (n, 32, 32)
    rows, cols = _low_frequencies()
    low = coefficients[:, rows, cols]  # (n, 64)
    bits = low > np.median(low, axis=1, keepdims=True)
    weights = np.left_shift(np.uint64(1), np.arange(63, -1, -1, dtype=np.uint64))
    return (bits.astype(np.uint64) * weights).sum(axis=1, dtype=np.uint64)


def _trimmed_grey(image: Image.Image) -> np.ndarray:
    """The picture upright, on white, greyscale, reduced, with its uniform frame cut off."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    grey = image.convert("L")
    if max(grey.size) > WORK_SIZE:
        scale = WORK_SIZE / max(grey.size)
        size = (max(1, round(grey.width * scale)), max(1, round(grey.height * scale)))
        grey = grey.resize(size, Image.Resampling.BOX)
    array = np.asarray(grey, dtype=np.float32)
    top, bottom, left, right = _frame(array)
    return array[top:bottom, left:right]


def _frame(array: np.ndarray) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) of the picture inside its flat frame.

    Lines (rows, columns) are cut from each side while they are flat: their 2nd to 98th
    percentile spread is within ``tolerance``. Flatness, unlike closeness to one frame
    colour, does not depend on the colour of an added border, so a framed copy loses its
    border and then the same plain background as the original. The tolerance is a share of
    the contrast of the middle of the picture (which a border does not reach), so a
    brighter or darker copy, whose contrast scales the same, is trimmed the same way.
    """
    height, width = array.shape
    middle = array[height // 10 : height - height // 10, width // 10 : width - width // 10]
    low, high = np.percentile(middle if middle.size else array, (2, 98))
    tolerance = float(np.clip(TRIM_TOLERANCE * (high - low), 4.0, 24.0))
    top, bottom, left, right = 0, height, 0, width
    for _ in range(6):  # until stable
        before = (top, bottom, left, right)
        top += _flat_run(array[top:bottom, left:right], tolerance)
        bottom -= _flat_run(array[top:bottom, left:right][::-1], tolerance)
        left += _flat_run(array[top:bottom, left:right].T, tolerance)
        right -= _flat_run(array[top:bottom, left:right].T[::-1], tolerance)
        if (top, bottom, left, right) == before:
            break
        if bottom - top < MIN_TRIMMED or right - left < MIN_TRIMMED:
            break
    if bottom - top < MIN_TRIMMED or right - left < MIN_TRIMMED:
        return 0, height, 0, width  # (nearly) all flat: nothing to trim against
    return top, bottom, left, right


def _flat_run(lines: np.ndarray, tolerance: float) -> int:
    """How many leading lines (rows of ``lines``) are flat."""
    if lines.shape[0] == 0 or lines.shape[1] == 0:
        return 0
    low, high = np.percentile(lines, (2, 98), axis=1)
    flat = (high - low) <= tolerance
    if flat.all():
        return lines.shape[0]
    return int(np.argmin(flat))


def _square(grey: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """The window ``box`` (left, top, right, bottom) area-averaged to 32x32."""
    left, top, right, bottom = box
    window = Image.fromarray(np.ascontiguousarray(grey[top:bottom, left:right]))
    return np.asarray(window.resize((HASH_SIZE, HASH_SIZE), Image.Resampling.BOX))


@cache
def _dct_matrix() -> np.ndarray:
    """Orthonormal DCT-II matrix of size 32."""
    n = HASH_SIZE
    k = np.arange(n)[:, np.newaxis]
    i = np.arange(n)[np.newaxis, :]
    matrix = np.cos(np.pi * (2 * i + 1) * k / (2 * n)) * np.sqrt(2 / n)
    matrix[0] /= np.sqrt(2)
    return matrix


@cache
def _low_frequencies() -> tuple[np.ndarray, np.ndarray]:
    """Indices of the 64 coefficients hashed: the 8x8 lowest frequencies but the constant
    (DC) term, which only carries brightness, and the next horizontal frequency (0, 8)."""
    chosen = [*[(r, c) for r in range(8) for c in range(8)][1:], (0, 8)]
    return np.array([r for r, _ in chosen]), np.array([c for _, c in chosen])
