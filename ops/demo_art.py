"""The built-in demo character "Nova", drawn with Pillow so demos and tests need no downloads.

Nova is a stylised humanoid: raspberry hair in a bob, warm skin, a teal jacket with a yellow star on the chest and
on the back, yellow sleeve stripes, navy trousers and brown boots. Every view is built from one small 3-D description
of the body (each part has a sideways and a depth offset), projected for the requested angle, so the front, side,
back and 45-degree views show the same character. The shot type picks which part of the body fills the frame.

Drawing happens at twice the size and is downsampled with LANCZOS for antialiasing; parts are shaded as rounded
"pillows" from a part-label map and clothes get a faint twill, so the images are neither flat nor noisy.
Everything is deterministic: the same arguments always give the same pixels.
"""

import functools
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw

from contracts.model import Angle, ReferenceRole, ShotType

RGB = tuple[int, int, int]
Point = tuple[float, float]
FloatArray = NDArray[np.float32]

DEMO_VIEWS: Final[tuple[tuple[ReferenceRole, Angle, ShotType], ...]] = (
    ("master", "front", "full-body"),
    ("core_reference", "side", "full-body"),
    ("core_reference", "back", "full-body"),
    ("core_reference", "45-degree", "medium"),
    ("core_reference", "front", "close-up"),
)

# Which band of the figure (in figure units: 0 = top of the hair, 1 = soles) maps onto the frame's height.
_WINDOWS: Final[dict[ShotType, tuple[float, float]]] = {
    "close-up": (-0.035, 0.30),
    "medium": (-0.05, 0.57),
    "full-body": (-0.07, 1.07),
    "wide": (-0.95, 1.55),
}
_TURN_DEGREES: Final[dict[Angle, float]] = {"front": 0.0, "45-degree": 45.0, "side": 90.0, "back": 180.0}

# Part labels: 0 is backdrop, 1-99 are figure parts (each is shaded as its own rounded surface), 200+ are props.
_SKIN, _HAIR, _JACKET, _TROUSERS, _BOOTS, _BELT, _ROBE, _HAT, _SCARF = 1, 2, 3, 4, 5, 6, 7, 8, 9
_PROP = 200
_TEXTURED_PARTS: Final[tuple[int, ...]] = (_JACKET, _TROUSERS, _ROBE)

# Light comes from the upper left and slightly towards the viewer.
_LIGHT: Final = np.array([-0.45, -0.55, 0.70], dtype=np.float32) / np.float32(math.sqrt(0.45**2 + 0.55**2 + 0.70**2))


@dataclass(frozen=True)
class _NovaPalette:
    hair: RGB = (206, 58, 112)
    skin: RGB = (238, 190, 152)
    jacket: RGB = (30, 132, 142)
    trim: RGB = (248, 196, 56)
    collar: RGB = (250, 236, 196)
    trousers: RGB = (46, 52, 92)
    boots: RGB = (112, 66, 38)
    belt: RGB = (40, 34, 36)
    eyes: RGB = (44, 32, 58)
    blush: RGB = (236, 150, 140)


_NOVA: Final = _NovaPalette()


def _darker(colour: RGB, factor: float = 0.45) -> RGB:
    r, g, b = colour
    return (int(r * factor), int(g * factor), int(b * factor))


class _Painter:
    """Draws shapes given in figure units onto a supersampled colour canvas and a matching part-label canvas."""

    def __init__(self, pixels: int, window: tuple[float, float]) -> None:
        self.pixels = pixels
        self.scale = pixels / (window[1] - window[0])
        self.origin_y = -window[0] * self.scale
        self.origin_x = pixels / 2.0
        self.line_px = max(1, round(0.0045 * self.scale))
        self.image = Image.new("RGB", (pixels, pixels), (0, 0, 0))
        self.labels = Image.new("L", (pixels, pixels), 0)
        self._ink = ImageDraw.Draw(self.image)
        self._label_ink = ImageDraw.Draw(self.labels)

    def px(self, point: Point) -> tuple[float, float]:
        return (self.origin_x + point[0] * self.scale, self.origin_y + point[1] * self.scale)

    def ellipse(self, centre: Point, half_w: float, half_h: float, fill: RGB, label: int, outline: bool = True) -> None:
        cx, cy = self.px(centre)
        box = (cx - half_w * self.scale, cy - half_h * self.scale, cx + half_w * self.scale, cy + half_h * self.scale)
        edge = _darker(fill) if outline else None
        self._ink.ellipse(box, fill=fill, outline=edge, width=self.line_px)
        self._label_ink.ellipse(box, fill=label)

    def polygon(self, points: Sequence[Point], fill: RGB, label: int, outline: bool = True) -> None:
        xy = [self.px(p) for p in points]
        edge = _darker(fill) if outline else None
        self._ink.polygon(xy, fill=fill, outline=edge, width=self.line_px)
        self._label_ink.polygon(xy, fill=label)

    def limb(self, joints: Sequence[Point], radius: float, fill: RGB, label: int) -> None:
        """A chain of round-ended segments; outlines are drawn first, fills second, so joints have no seams."""
        for colour, grow in ((_darker(fill), self.line_px / self.scale), (fill, 0.0)):
            r = (radius + grow) * self.scale
            points = [self.px(j) for j in joints]
            for (x0, y0), (x1, y1) in itertools.pairwise(points):
                self._ink.line((x0, y0, x1, y1), fill=colour, width=round(2 * r))
                if grow:
                    self._label_ink.line((x0, y0, x1, y1), fill=label, width=round(2 * r))
            for x, y in points:
                self._ink.ellipse((x - r, y - r, x + r, y + r), fill=colour)
                if grow:
                    self._label_ink.ellipse((x - r, y - r, x + r, y + r), fill=label)

    def line(self, points: Sequence[Point], colour: RGB, width: float, label: int | None = None) -> None:
        """A stroke; details (brow, mouth, seam) leave the part labels alone, props pass their own label."""
        xy = [self.px(p) for p in points]
        px_width = max(1, round(width * self.scale))
        self._ink.line(xy, fill=colour, width=px_width, joint="curve")
        if label is not None:
            self._label_ink.line(xy, fill=label, width=px_width, joint="curve")


@dataclass(frozen=True)
class _Turn:
    """Projection of the body for one viewing angle: the body's +z (its front) turns towards screen +x."""

    cos: float
    sin: float

    @staticmethod
    def of(angle: Angle) -> "_Turn":
        radians = math.radians(_TURN_DEGREES[angle])
        return _Turn(math.cos(radians), math.sin(radians))

    def x(self, side: float, depth: float) -> float:
        return side * self.cos + depth * self.sin

    def depth(self, side: float, depth: float) -> float:
        return -side * self.sin + depth * self.cos

    def half_width(self, half_side: float, half_depth: float) -> float:
        return math.hypot(half_side * self.cos, half_depth * self.sin)


def _star(centre: Point, radius: float, squash: float) -> list[Point]:
    """A five-pointed star; `squash` narrows it horizontally when it is seen at an angle."""
    cx, cy = centre
    points: list[Point] = []
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.45
        a = -math.pi / 2 + i * math.pi / 5
        points.append((cx + math.cos(a) * r * squash, cy + math.sin(a) * r))
    return points


# --- Nova's body parts, each drawn for one turn -------------------------------------------------------------------


def _draw_leg(p: _Painter, t: _Turn, side: float) -> None:
    hip, knee, ankle = (t.x(side, 0.0), 0.49), (t.x(side * 1.05, 0.005), 0.68), (t.x(side * 1.15, 0.0), 0.88)
    p.limb([hip, knee, ankle], 0.037, _NOVA.trousers, _TROUSERS)
    toe = 0.05 * t.sin  # the boot points the way the body faces
    bx = ankle[0]
    boot = [
        (bx - 0.036, 0.86),
        (bx + 0.036, 0.86),
        (bx + 0.04 + max(toe, 0.0), 0.955),
        (bx + 0.042 + max(toe, 0.0), 1.0),
        (bx - 0.042 + min(toe, 0.0), 1.0),
        (bx - 0.04 + min(toe, 0.0), 0.955),
    ]
    p.polygon(boot, _NOVA.boots, _BOOTS)
    p.line([(bx - 0.038, 0.9), (bx + 0.038, 0.9)], _darker(_NOVA.boots, 0.7), 0.006)


def _draw_arm(p: _Painter, t: _Turn, side: float) -> None:
    shoulder = (t.x(side, 0.0), 0.19)
    elbow = (t.x(side * 1.12, -0.012), 0.33)
    wrist = (t.x(side * 1.18, 0.018), 0.455)
    p.limb([shoulder, elbow, wrist], 0.033, _NOVA.jacket, _JACKET)
    # Two yellow cuff stripes make the sleeves recognisable from every angle.
    for y in (0.405, 0.43):
        x = elbow[0] + (wrist[0] - elbow[0]) * (y - 0.33) / 0.125
        p.line([(x - 0.031, y), (x + 0.031, y)], _NOVA.trim, 0.009)
    if abs(t.sin) > 0.6:  # a small star patch on the shoulder shows in profile
        p.polygon(_star((t.x(side * 1.06, 0.0), 0.25), 0.018, 1.0), _NOVA.trim, _JACKET, outline=False)
    p.ellipse((wrist[0], 0.48), 0.022, 0.026, _NOVA.skin, _SKIN)


def _draw_torso(p: _Painter, t: _Turn) -> None:
    shoulders, waist, hem = t.half_width(0.115, 0.06), t.half_width(0.085, 0.055), t.half_width(0.095, 0.06)
    p.polygon(
        [
            (-shoulders * 0.4, 0.165),
            (shoulders * 0.4, 0.165),
            (shoulders, 0.182),
            (waist, 0.42),
            (hem, 0.505),
            (-hem, 0.505),
            (-waist, 0.42),
            (-shoulders, 0.182),
        ],
        _NOVA.jacket,
        _JACKET,
    )
    belt_y = 0.455
    p.polygon(
        [(-waist, belt_y - 0.012), (waist, belt_y - 0.012), (waist, belt_y + 0.012), (-waist, belt_y + 0.012)],
        _NOVA.belt,
        _BELT,
    )
    if t.cos > 0.2:
        _draw_jacket_front(p, t)
    elif t.cos < -0.2:
        # The back carries a large star, so the back view still shows the emblem.
        p.polygon(_star((0.0, 0.29), 0.06, abs(t.cos)), _NOVA.trim, _JACKET)
    if abs(t.sin) > 0.6:
        p.line([(0.0, 0.2), (0.0, 0.44)], _darker(_NOVA.jacket, 0.75), 0.004)  # side seam


def _draw_jacket_front(p: _Painter, t: _Turn) -> None:
    front = t.x(0.0, 0.06)
    squash = t.cos
    collar = [(front - 0.05 * squash, 0.17), (front, 0.23), (front + 0.05 * squash, 0.17)]
    p.polygon(collar, _NOVA.collar, _JACKET)
    p.line([(front, 0.23), (front, 0.44)], _darker(_NOVA.jacket, 0.6), 0.004)  # zip
    p.polygon(_star((front - 0.052 * squash, 0.29), 0.032, squash), _NOVA.trim, _JACKET)


def _hair_cap(t: _Turn) -> tuple[Point, float, float]:
    """Centre and half sizes of the hair volume around the skull; it sits a little towards the back of the head."""
    return (-0.01 * t.sin, 0.066), t.half_width(0.052, 0.056) + 0.009, 0.072


def _draw_neck(p: _Painter) -> None:
    p.polygon([(-0.021, 0.12), (0.021, 0.12), (0.021, 0.18), (-0.021, 0.18)], _NOVA.skin, _SKIN)


def _draw_bob(p: _Painter, t: _Turn) -> None:
    """The jaw-length bob: the top follows the hair cap's outline so no seam shows when it is seen from behind."""
    (cx, cy), half_w, half_h = _hair_cap(t)
    crown = [(cx + math.cos(a) * half_w, cy + math.sin(a) * half_h) for a in np.linspace(math.pi, 2 * math.pi, 14)]
    ends = [
        (cx + half_w * 1.12, 0.14),
        (cx + half_w * 0.95, 0.152),
        (cx + half_w * 0.75, 0.145),
        (cx - half_w * 0.75, 0.145),
        (cx - half_w * 0.95, 0.152),
        (cx - half_w * 1.12, 0.14),
    ]
    p.polygon(crown + ends, _NOVA.hair, _HAIR)
    if t.cos < -0.3:  # strands catch the eye when the back of the head faces the camera
        for x_end in (-0.8, -0.35, 0.1, 0.55):
            p.line(
                [(cx, 0.01), (cx + half_w * x_end * 0.6, 0.08), (cx + half_w * x_end, 0.14)],
                _darker(_NOVA.hair, 0.7),
                0.004,
            )


def _draw_head(p: _Painter, t: _Turn) -> None:
    head_half = t.half_width(0.052, 0.056)
    cap_centre, cap_w, cap_h = _hair_cap(t)
    p.ellipse(cap_centre, cap_w, cap_h, _NOVA.hair, _HAIR)
    if t.cos <= -0.3:
        return  # from behind only hair is visible
    face_half = 0.049 * (0.55 + 0.45 * abs(t.cos))
    face_x = (head_half - face_half) * t.sin
    face_y, face_h = 0.09, 0.056
    if abs(t.sin) > 0.3:  # the nose breaks the profile line
        nose_x = face_x + face_half
        p.polygon([(nose_x - 0.01, 0.08), (nose_x + 0.011 * t.sin, 0.104), (nose_x - 0.01, 0.11)], _NOVA.skin, _SKIN)
    p.ellipse((face_x, face_y), face_half, face_h, _NOVA.skin, _SKIN)
    _draw_fringe(p, (face_x, face_y), face_half, face_h)
    _draw_face_features(p, t, face_x)


def _draw_fringe(p: _Painter, centre: Point, half_w: float, half_h: float) -> None:
    cx, cy = centre
    hairline = 0.052
    reach = math.asin(min(1.0, (cy - hairline) / half_h))
    arc = [
        (cx + math.cos(a) * half_w * 1.08, cy + math.sin(a) * half_h * 1.08)
        for a in np.linspace(math.pi + reach, 2 * math.pi - reach, 12)
    ]
    width = half_w * math.cos(reach) * 1.08
    scallop = [(cx + x, hairline + 0.012 * abs(math.sin(i * 1.9))) for i, x in enumerate(np.linspace(width, -width, 7))]
    p.polygon(arc + scallop, _NOVA.hair, _HAIR, outline=False)
    p.line(scallop, _darker(_NOVA.hair), 0.0035)


def _draw_face_features(p: _Painter, t: _Turn, face_x: float) -> None:
    for side in (-0.021, 0.021):
        facing = t.depth(side, 0.045) / math.hypot(side, 0.045)
        if facing < 0.05:
            continue  # this eye is on the far side of the head
        ex = t.x(side, 0.045) * 0.9 + face_x * 0.1
        squash = max(0.35, facing)
        p.ellipse((ex, 0.09), 0.0085 * squash, 0.012, _NOVA.eyes, _HAIR, outline=False)
        p.ellipse((ex - 0.003 * squash, 0.086), 0.003 * squash, 0.0035, (255, 255, 255), _HAIR, outline=False)
        p.line([(ex - 0.011 * squash, 0.071), (ex + 0.011 * squash, 0.069)], _darker(_NOVA.hair, 0.7), 0.0045)
        p.ellipse((ex + 0.004 * t.sin, 0.108), 0.009 * squash, 0.005, _NOVA.blush, _SKIN, outline=False)
    mouth_x = t.x(0.0, 0.05) * 0.9 + face_x * 0.1
    mouth_w = 0.011 * max(0.4, t.cos)
    p.line([(mouth_x - mouth_w, 0.119), (mouth_x, 0.123), (mouth_x + mouth_w, 0.119)], (150, 70, 70), 0.003)


def _draw_nova(p: _Painter, angle: Angle) -> None:
    t = _Turn.of(angle)
    # Parts are painted back to front; each entry is (depth, painter).
    parts: list[tuple[float, Callable[[], None]]] = [
        (-1.0 + t.depth(-0.05, 0.0) * 0.1, lambda: _draw_leg(p, t, -0.05)),
        (-1.0 + t.depth(0.05, 0.0) * 0.1, lambda: _draw_leg(p, t, 0.05)),
        (0.0, lambda: _draw_torso(p, t)),
        (t.depth(-0.125, 0.0) + 0.001, lambda: _draw_arm(p, t, -0.125)),
        (t.depth(0.125, 0.0) + 0.001, lambda: _draw_arm(p, t, 0.125)),
        (-0.5, lambda: _draw_neck(p)),
        (-0.07 * t.cos + 0.01, lambda: _draw_bob(p, t)),
        (0.05, lambda: _draw_head(p, t)),
    ]
    for _, paint in sorted(parts, key=lambda item: item[0]):
        paint()


# --- The studio: backdrop, props, shading and the final downsample ------------------------------------------------


def _studio_backdrop(pixels: int, shadow_half_width: float | None, p: _Painter) -> NDArray[np.uint8]:
    """A light seamless backdrop: lighter at the top, a soft glow behind the subject, an optional floor shadow.

    It is smooth, so it is computed on a coarse grid and upscaled, and a keyer separates it easily from the figure.
    """
    coarse = max(8, pixels // 8)
    y = np.linspace(0.0, 1.0, coarse, dtype=np.float32)[:, None, None]
    x = np.linspace(-1.0, 1.0, coarse, dtype=np.float32)[None, :, None]
    top = np.array([230, 232, 237], dtype=np.float32)
    bottom = np.array([196, 200, 209], dtype=np.float32)
    glow = 5.0 * np.exp(-(x * x + (y - 0.45) ** 2 * 4.0) / 0.5)
    backdrop = top + (bottom - top) * y**1.3 + glow
    if shadow_half_width is not None:
        cx, cy = p.px((0.0, 1.0))
        w, h = shadow_half_width * p.scale / pixels * 2.0, 0.025 * p.scale / pixels
        # Kept faint on purpose: a dark shadow would merge with the figure when its outline is keyed.
        backdrop *= 1.0 - 0.05 * np.exp(-(((x - (cx / pixels * 2.0 - 1.0)) / w) ** 2) - ((y - cy / pixels) / h) ** 2)
    small = np.clip(backdrop, 0, 255).astype(np.uint8)
    return np.asarray(cv2.resize(small, (pixels, pixels), interpolation=cv2.INTER_LINEAR), dtype=np.uint8)


def _draw_light_stands(p: _Painter) -> None:
    """Two studio lights: props that make a wide shot read as a scene rather than an empty frame."""
    for side in (-0.85, 0.85):
        grey, metal = (236, 236, 232), (70, 72, 78)
        for foot in (-0.09, 0.0, 0.09):
            p.line([(side, 0.55), (side + foot, 1.0)], metal, 0.008, _PROP)
        p.line([(side, 0.2), (side, 0.55)], metal, 0.01, _PROP)
        tilt = -0.04 if side < 0 else 0.04
        box = [(side - 0.14, 0.02 + tilt), (side + 0.14, 0.02 - tilt), (side + 0.1, 0.22), (side - 0.1, 0.22)]
        p.polygon(box, grey, _PROP)


def _pillow_shading(labels: NDArray[np.uint8], scale: float) -> FloatArray:
    """Per-pixel brightness that makes every part look rounded: a height field from the distance to part edges."""
    boundary = np.zeros(labels.shape, dtype=bool)
    boundary[:, 1:] |= labels[:, 1:] != labels[:, :-1]
    boundary[1:, :] |= labels[1:, :] != labels[:-1, :]
    boundary |= labels == 0
    inside = (~boundary).astype(np.uint8)
    depth = max(2.0, 0.03 * scale)
    distance = cv2.distanceTransform(inside, cv2.DIST_L2, 3)
    height = np.sqrt(np.minimum(distance, depth) / depth).astype(np.float32) * np.float32(depth * 0.6)
    height = np.asarray(cv2.GaussianBlur(height, (0, 0), max(1.0, depth * 0.15)), dtype=np.float32)
    gx = cv2.Sobel(height, cv2.CV_32F, 1, 0, ksize=3) / 8.0
    gy = cv2.Sobel(height, cv2.CV_32F, 0, 1, ksize=3) / 8.0
    norm = np.sqrt(gx * gx + gy * gy + 1.0)
    lambert = (-gx * _LIGHT[0] - gy * _LIGHT[1] + _LIGHT[2]) / norm
    # Normalised so a flat, front-facing patch keeps its drawn colour.
    shade: FloatArray = np.clip(0.3 + 0.7 * lambert / _LIGHT[2], 0.55, 1.18).astype(np.float32)
    return shade


@functools.cache
def _twill(pixels: int) -> FloatArray:
    """A faint diagonal weave for fabric; coarse enough to survive downsampling without looking like noise."""
    idx = np.arange(pixels, dtype=np.int32)
    phase = (idx[:, None] + idx[None, :]) % 8
    weave: FloatArray = np.where(phase < 4, np.float32(1.025), np.float32(0.975))
    weave.flags.writeable = False  # cached and shared between calls
    return weave


def _part_lookup(parts: Sequence[int]) -> NDArray[np.uint8]:
    table = np.zeros(256, dtype=np.uint8)
    table[list(parts)] = 1
    return table


_FIGURE_LUT: Final = _part_lookup(range(1, _PROP))
_FABRIC_LUT: Final = _part_lookup(_TEXTURED_PARTS)
_PROP_LUT: Final = _part_lookup(range(_PROP, 256))


def _finish(p: _Painter, backdrop: NDArray[np.uint8], size: int) -> Image.Image:
    """Shade the figure, lay it and the props over the backdrop, and downsample for antialiasing."""
    labels = np.asarray(p.labels)
    colour = np.asarray(p.image)
    figure = cv2.LUT(labels, _FIGURE_LUT)
    shade = _pillow_shading(np.asarray(labels * figure, dtype=np.uint8), p.scale)
    shade = np.where(cv2.LUT(labels, _FABRIC_LUT) > 0, shade * _twill(p.pixels), shade)
    lit = cv2.multiply(colour, cv2.merge([shade, shade, shade]), dtype=cv2.CV_8U)
    out = backdrop.copy()
    cv2.copyTo(colour, cv2.LUT(labels, _PROP_LUT), out)
    cv2.copyTo(lit, figure, out)
    return _downsample(out, size)


def _downsample(supersampled: NDArray[np.uint8], size: int) -> Image.Image:
    """LANCZOS downsampling without its ringing.

    Ringing would give a dark outline on a light backdrop a pale rim, which shows once the image is enlarged. Each
    pixel is clamped to the range of the plain box-averaged pixels around it: LANCZOS's crispness, no overshoot.
    """
    lanczos = np.asarray(Image.fromarray(supersampled, "RGB").resize((size, size), Image.Resampling.LANCZOS))
    box = cv2.resize(supersampled, (size, size), interpolation=cv2.INTER_AREA)
    around = np.ones((3, 3), np.uint8)
    clean = np.clip(lanczos, cv2.erode(box, around), cv2.dilate(box, around))
    return Image.fromarray(np.asarray(clean, dtype=np.uint8), "RGB")


def _validated_size(size: int) -> int:
    if size < 32:
        raise ValueError(f"size must be at least 32 pixels, got {size}")
    return size


def draw_view(angle: Angle, shot_type: ShotType, size: int = 512) -> Image.Image:
    """Nova seen from `angle`, framed as `shot_type`, as a `size` x `size` RGB image on a light studio backdrop."""
    pixels = 2 * _validated_size(size)
    painter = _Painter(pixels, _WINDOWS[shot_type])
    backdrop = _studio_backdrop(pixels, 0.16 if shot_type in ("full-body", "wide") else None, painter)
    if shot_type == "wide":
        _draw_light_stands(painter)
    _draw_nova(painter, angle)
    return _finish(painter, backdrop, size)


def draw_other_character(size: int = 512) -> Image.Image:
    """A clearly different character ("Bram": stocky, dark skin, rust robe, green hat and scarf), front, full body.

    Used as a negative: same studio and framing as Nova's master, different palette and silhouette.
    """
    pixels = 2 * _validated_size(size)
    p = _Painter(pixels, _WINDOWS["full-body"])
    backdrop = _studio_backdrop(pixels, 0.26, p)
    skin, robe, hat, scarf = (120, 78, 52), (186, 84, 40), (58, 120, 52), (92, 160, 70)
    for side in (-0.09, 0.09):
        p.ellipse((side, 0.965), 0.07, 0.035, (60, 56, 54), _BOOTS)
    p.polygon([(-0.16, 0.3), (0.16, 0.3), (0.26, 0.95), (-0.26, 0.95)], robe, _ROBE)
    for side in (-1.0, 1.0):
        p.limb([(0.16 * side, 0.33), (0.25 * side, 0.5), (0.22 * side, 0.66)], 0.055, robe, _ROBE)
        p.ellipse((0.22 * side, 0.7), 0.04, 0.04, skin, _SKIN)
    p.polygon([(-0.19, 0.7), (0.19, 0.7), (0.2, 0.74), (-0.2, 0.74)], (230, 200, 90), _BELT)
    p.ellipse((0.0, 0.2), 0.11, 0.1, skin, _SKIN)
    p.ellipse((0.0, 0.27), 0.09, 0.055, (235, 235, 235), _HAIR)  # a white beard
    p.polygon([(-0.2, 0.3), (0.2, 0.3), (0.17, 0.36), (-0.17, 0.36)], scarf, _SCARF)
    p.polygon([(-0.13, 0.13), (0.13, 0.13), (0.02, -0.06)], hat, _HAT)
    for side in (-0.04, 0.04):
        p.ellipse((side, 0.19), 0.012, 0.012, (20, 20, 20), _SKIN, outline=False)
    return _finish(p, backdrop, size)
