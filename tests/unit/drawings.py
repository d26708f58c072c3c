"""Test and benchmark images made offline: drawn figures, the demo character in other palettes, real photographs.

- `draw_figure` and friends: a simple standing figure on a gradient or busy backdrop, reframed and re-graded.
- `draw_character`: the demo character's turnaround views (ops/demo_art.py) drawn in another palette, so a
  "different character" can share the demo character's silhouette, style and studio exactly.
- `real_photos`: the photographs that scikit-image ships inside its wheel (empty when it is not installed).
"""

import dataclasses
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from unittest import mock

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

from contracts.model import Angle, ShotType
from ops import demo_art

Colour = tuple[int, int, int]
SIZE = 512
SUPERSAMPLE = 2  # draw at twice the size and downsample, so outlines are anti-aliased like a real render

# skin, jacket, emblem, legs, hair
HERO: tuple[Colour, ...] = ((238, 200, 170), (200, 40, 45), (250, 210, 60), (40, 50, 90), (70, 40, 25))
STRANGER: tuple[Colour, ...] = ((180, 130, 100), (40, 150, 80), (240, 240, 240), (120, 100, 80), (230, 220, 120))

SKY: tuple[Colour, Colour] = ((200, 220, 240), (240, 235, 225))
SUNSET: tuple[Colour, Colour] = ((250, 220, 180), (200, 150, 110))
NIGHT: tuple[Colour, Colour] = ((40, 50, 70), (20, 25, 35))
MEADOW: tuple[Colour, Colour] = ((150, 200, 150), (90, 140, 90))
WHITE: tuple[Colour, Colour] = ((255, 255, 255), (255, 255, 255))


def gradient(top: Colour, bottom: Colour, size: int = SIZE) -> Image.Image:
    """A soft vertical gradient, the kind of studio backdrop a generator paints."""
    t = np.linspace(0.0, 1.0, size, dtype=np.float32)[:, None, None]
    rows = (1 - t) * np.array(top, np.float32) + t * np.array(bottom, np.float32)
    return Image.fromarray(np.broadcast_to(rows, (size, size, 3)).round().astype(np.uint8))


def draw_figure(
    palette: Sequence[Colour], backdrop: tuple[Colour, Colour] = SKY, *, broad: bool = False
) -> Image.Image:
    """A standing figure: shaded head with hair and eyes, jacket with an emblem and shaded sleeves, two legs."""
    skin, jacket, emblem, legs, hair = palette
    u = SUPERSAMPLE
    image = gradient(*backdrop, size=SIZE * u)
    draw = ImageDraw.Draw(image)
    cx = SIZE * u // 2
    leg, body = (50 * u, 110 * u) if broad else (34 * u, 80 * u)
    draw.rectangle([cx - 70 * u, 330 * u, cx - 70 * u + leg * 1.6, 480 * u], fill=legs)
    draw.rectangle([cx + 70 * u - leg * 1.6, 330 * u, cx + 70 * u, 480 * u], fill=_shade(legs, 0.8))
    draw.rectangle([cx - body, 170 * u, cx + body, 340 * u], fill=jacket)
    draw.rectangle([cx + body * 0.4, 170 * u, cx + body, 340 * u], fill=_shade(jacket, 0.82))
    draw.rectangle([cx - body - 34 * u, 180 * u, cx - body, 320 * u], fill=_shade(jacket, 0.9))
    draw.rectangle([cx + body, 180 * u, cx + body + 34 * u, 320 * u], fill=_shade(jacket, 0.75))
    if broad:
        draw.regular_polygon((cx, 245 * u, 34 * u), 3, fill=emblem)
    else:
        draw.ellipse(
            [cx - 30 * u, 210 * u, cx + 30 * u, 270 * u], fill=emblem, outline=_shade(emblem, 0.6), width=4 * u
        )
    draw.ellipse([cx - 60 * u, 50 * u, cx + 60 * u, 170 * u], fill=_shade(skin, 0.85))
    draw.ellipse([cx - 60 * u, 50 * u, cx + 45 * u, 160 * u], fill=skin)
    draw.chord([cx - 62 * u, 44 * u, cx + 62 * u, 130 * u], 180, 360, fill=hair)
    for eye_x in (cx - 23 * u, cx + 23 * u):
        draw.ellipse([eye_x - 7 * u, 100 * u, eye_x + 7 * u, 114 * u], fill=(30, 30, 40))
    return image.resize((SIZE, SIZE), Image.Resampling.LANCZOS)


def _shade(colour: Colour, factor: float) -> Colour:
    r, g, b = (min(255, round(channel * factor)) for channel in colour)
    return r, g, b


def busy_scene(seed: int = 1) -> Image.Image:
    """Foliage-like clutter: overlapping blobs of greens and browns under a pale sky."""
    rng = random.Random(seed)
    blobs = ((60, 110, 50), (90, 140, 60), (120, 90, 60), (150, 170, 90), (70, 80, 40))
    image = Image.new("RGB", (SIZE, SIZE), (170, 200, 230))
    draw = ImageDraw.Draw(image)
    for _ in range(260):
        x, y, r = rng.randrange(SIZE), rng.randrange(SIZE), rng.randrange(6, 40)
        draw.ellipse([x - r, y - r * rng.uniform(0.5, 1.5), x + r, y + r], fill=rng.choice(blobs))
    return image.filter(ImageFilter.GaussianBlur(1.2))


def figure_in_scene(palette: Sequence[Colour], scene: Image.Image, *, broad: bool = False) -> Image.Image:
    """The figure composited onto `scene`, its alpha recovered from drawing it on black and on white."""
    on_black = np.asarray(draw_figure(palette, ((0, 0, 0), (0, 0, 0)), broad=broad), np.float32)
    on_white = np.asarray(draw_figure(palette, WHITE, broad=broad), np.float32)
    alpha = 1.0 - (on_white - on_black).mean(axis=2, keepdims=True) / 255.0
    colour = np.where(alpha > 0.01, on_black / np.maximum(alpha, 0.01), 0.0)
    composite = alpha * colour + (1.0 - alpha) * np.asarray(scene.convert("RGB"), np.float32)
    return Image.fromarray(np.clip(composite, 0, 255).round().astype(np.uint8))


def close_up(image: Image.Image) -> Image.Image:
    """Head and shoulders: the top 60 % of the frame's middle, enlarged back to full size."""
    w, h = image.size
    return image.crop((int(w * 0.2), 0, int(w * 0.8), int(h * 0.6))).resize(image.size, Image.Resampling.LANCZOS)


def medium_shot(image: Image.Image) -> Image.Image:
    w, h = image.size
    return image.crop((int(w * 0.1), int(h * 0.05), int(w * 0.9), int(h * 0.75))).resize(image.size)


def wide_shot(image: Image.Image, backdrop: tuple[Colour, Colour] = SKY) -> Image.Image:
    """The figure at 60 % size, lower in a larger frame."""
    canvas = gradient(*backdrop, size=image.size[0])
    small = round(image.size[0] * 300 / SIZE)
    canvas.paste(image.resize((small, small), Image.Resampling.LANCZOS), (round(small * 106 / 300), small * 3 // 5))
    return canvas


def graded(image: Image.Image, contrast: float, gains: tuple[float, float, float]) -> Image.Image:
    """A colour grade: contrast around the mean grey, then per-channel gains (warmth)."""
    stretched = np.asarray(ImageEnhance.Contrast(image).enhance(contrast), np.float32)
    return Image.fromarray(np.clip(stretched * np.array(gains, np.float32), 0, 255).round().astype(np.uint8))


def warmer(image: Image.Image) -> Image.Image:
    return graded(image, 1.15, (1.05, 1.0, 0.93))


def cooler(image: Image.Image) -> Image.Image:
    return graded(image, 0.9, (0.95, 1.0, 1.06))


# --- The demo character in other palettes ---

# Same body, same studio, same drawing style as the demo character; only the colours differ. The first three differ
# in hair, jacket and trousers; "twin" shares Nova's teal jacket and differs in hair, skin and trousers (the
# hardest negative: a stranger in the same outfit).
CHARACTER_PALETTES: dict[str, dict[str, Colour]] = {
    "rook": {"hair": (40, 36, 40), "jacket": (176, 40, 48), "trousers": (92, 92, 98), "trim": (240, 240, 240)},
    "sol": {"hair": (236, 196, 84), "jacket": (84, 136, 60), "trousers": (124, 86, 52), "trim": (200, 60, 50)},
    "iris": {"hair": (70, 90, 200), "jacket": (122, 72, 150), "trousers": (40, 40, 44), "skin": (170, 120, 90)},
    "twin": {"hair": (58, 40, 30), "skin": (196, 142, 104), "trousers": (170, 150, 110), "boots": (40, 40, 40)},
}


@contextmanager
def _palette(name: str) -> Iterator[None]:
    colours = CHARACTER_PALETTES[name]
    with mock.patch.object(demo_art, "_NOVA", dataclasses.replace(demo_art._NOVA, **colours)):
        yield


def draw_character(name: str, angle: Angle, shot_type: ShotType, size: int = SIZE) -> Image.Image:
    """`name` ("nova" for the demo character, or a key of CHARACTER_PALETTES) from `angle`, framed as `shot_type`."""
    if name == "nova":
        return demo_art.draw_view(angle, shot_type, size)
    with _palette(name):
        return demo_art.draw_view(angle, shot_type, size)


# --- Real photographs ---

PHOTO_NAMES = ("astronaut", "chelsea", "coffee", "rocket", "immunohistochemistry", "hubble_deep_field")


def real_photos(names: Sequence[str] = PHOTO_NAMES) -> dict[str, Image.Image]:
    """scikit-image's bundled colour photographs that load offline, by name; {} without scikit-image."""
    try:
        from skimage import data
    except ImportError:
        return {}
    photos: dict[str, Image.Image] = {}
    for name in names:
        try:
            pixels = getattr(data, name)()
        except (AttributeError, ModuleNotFoundError, OSError):
            continue  # some images need pooch and a download
        photos[name] = Image.fromarray(np.asarray(pixels, np.uint8)).convert("RGB")
    return photos


def stereo_motorcycle() -> tuple[Image.Image, Image.Image] | None:
    """The left and right views of scikit-image's stereo pair: one subject seen from two viewpoints."""
    try:
        from skimage import data
    except ImportError:
        return None
    left, right, _ = data.stereo_motorcycle()  # type: ignore[no-untyped-call]
    return Image.fromarray(np.asarray(left, np.uint8)), Image.fromarray(np.asarray(right, np.uint8))
