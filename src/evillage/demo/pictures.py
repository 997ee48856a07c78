"""Generated product pictures: simple, deterministic drawings, one style per product line.

No photo set ships with the project, so the demo draws its own: a furniture
silhouette, a costume, a flower, a batik pattern... Each picture is a JPEG in
memory, uploaded through the same photo pipeline as a seller's.
"""

import io
import math
import random

from PIL import Image, ImageDraw

SIZE = 640


def _palette(rng: random.Random) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    hue = rng.random()
    background = _hsv(hue, 0.12, 0.97)
    ink = _hsv((hue + 0.5) % 1, 0.65, 0.75)
    return background, ink


def _hsv(h: float, s: float, v: float) -> tuple[int, int, int]:
    i = int(h * 6) % 6
    f = h * 6 - int(h * 6)
    p, q, t = v * (1 - s), v * (1 - f * s), v * (1 - (1 - f) * s)
    r, g, b = [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)][i]
    return int(r * 255), int(g * 255), int(b * 255)


def _table(draw: ImageDraw.ImageDraw, ink, rng: random.Random) -> None:
    top = rng.randint(230, 300)
    draw.rectangle((120, top, 520, top + 40), fill=ink)
    for x in (150, 470):
        draw.rectangle((x, top + 40, x + 24, 520), fill=ink)


def _cabinet(draw, ink, rng) -> None:
    shelves = rng.randint(3, 5)
    draw.rectangle((190, 110, 450, 540), outline=ink, width=18)
    for i in range(1, shelves):
        y = 110 + i * (430 // shelves)
        draw.line((190, y, 450, y), fill=ink, width=12)


def _sofa(draw, ink, rng) -> None:
    draw.rounded_rectangle((110, 250, 530, 470), radius=40, fill=ink)
    draw.rounded_rectangle((80, 300, 160, 480), radius=30, fill=ink)
    draw.rounded_rectangle((480, 300, 560, 480), radius=30, fill=ink)


def _dress(draw, ink, rng) -> None:
    flare = rng.randint(140, 220)
    draw.polygon(
        [(270, 120), (370, 120), (400, 260), (320 + flare, 540), (320 - flare, 540), (240, 260)],
        fill=ink,
    )
    draw.ellipse((290, 90, 350, 140), fill=ink)


def _goods(draw, ink, rng) -> None:
    for _ in range(rng.randint(4, 7)):
        x, y = rng.randint(100, 460), rng.randint(100, 460)
        r = rng.randint(35, 80)
        shape = rng.choice(("ellipse", "rectangle"))
        getattr(draw, shape)((x, y, x + r, y + r), fill=_hsv(rng.random(), 0.6, 0.85))


def _flower(draw, ink, rng) -> None:
    petals = rng.randint(5, 9)
    cx, cy = 320, 280
    for i in range(petals):
        a = 2 * math.pi * i / petals
        x, y = cx + 90 * math.cos(a), cy + 90 * math.sin(a)
        draw.ellipse((x - 60, y - 60, x + 60, y + 60), fill=ink)
    draw.ellipse((cx - 45, cy - 45, cx + 45, cy + 45), fill=(250, 210, 60))
    draw.rectangle((312, 370, 328, 560), fill=(60, 140, 60))


def _batik(draw, ink, rng) -> None:
    step = rng.choice((64, 80, 96))
    for x in range(0, SIZE, step):
        for y in range(0, SIZE, step):
            draw.ellipse((x + 8, y + 8, x + step - 8, y + step - 8), outline=ink, width=5)
            draw.line((x, y + step // 2, x + step, y + step // 2), fill=ink, width=2)
            draw.rectangle(
                (x + step // 2 - 6, y + step // 2 - 6, x + step // 2 + 6, y + step // 2 + 6),
                fill=(120, 60, 20),
            )


def _box(draw, ink, rng) -> None:
    draw.rectangle((170, 200, 470, 480), fill=ink)
    draw.rectangle((150, 170, 490, 230), fill=_hsv(rng.random(), 0.5, 0.6))


STYLES = {
    "solid_wood": _table,
    "panel": _cabinet,
    "sofa": _sofa,
    "costume": _dress,
    "costume_adult": _dress,
    "small_goods": _goods,
    "toys": _goods,
    "socks": _goods,
    "flowers": _flower,
    "pastry": _box,
    "batik": _batik,
}


def draw_product_picture(*, line: str, seed: str) -> bytes:
    """A JPEG picture for a product of `line`; the same seed always draws the same picture."""
    rng = random.Random(seed)
    background, ink = _palette(rng)
    image = Image.new("RGB", (SIZE, SIZE), background)
    STYLES[line](ImageDraw.Draw(image), ink, rng)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()
