"""Pure core of the `local` generation engine: a deterministic 2-D compositor, NOT a diffusion model.

It exists for demos, tests and pipelines that need an engine with no model weights, no GPU and no network. It takes
one reference image and re-presents it for the requested shot: it keys the subject off its backdrop, reframes it
(close-up, medium, full-body, wide), swaps the backdrop for the requested setting and colour-grades for the mood.
It cannot invent anything: it never draws new poses, turns a character round or adds detail that the reference
lacks. The only concession to the requested angle is a horizontal mirror (see `_should_mirror`).

Parameters:
- `strength` (0-1) is how strongly the output holds to the reference. The grade and backdrop change are applied with
  an intensity that grows as strength falls: 1.0 gives (almost) the reference itself, reframed; 0.3 or less gives the
  full grade and a fully replaced backdrop.
- `seed` drives every random choice (light direction, cloud and grass texture, motion streaks) through
  `numpy.random.Generator`, and decides the mirror. Same inputs give byte-identical output.
- `guidance` nudges the grade intensity: 7.5 (the usual classifier-free-guidance default) is neutral, each step
  above or below changes the intensity by 3 %, limited to +/-15 %. It has no other effect.

All work is vectorised numpy/OpenCV: roughly a few ms at 256 px and well under 250 ms at 1024 px on one core.
"""

import math
from dataclasses import dataclass
from typing import Final

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

from contracts.model import GenerationParams, Mood, PromptAnalysis, Setting, ShotType

FloatArray = NDArray[np.float32]
ByteArray = NDArray[np.uint8]
Box = tuple[int, int, int, int]

# Subject keying works on a copy whose longest side is at most this; the edge is refined at full size later.
_ANALYSIS_SIDE: Final = 256
# Colour distance (RGB, 0-255) from the backdrop below which a pixel always counts as backdrop.
_MIN_KEY_DISTANCE: Final = 22.0
_MAX_KEY_DISTANCE: Final = 60.0
# The share of border samples trusted as backdrop when fitting: the subject may cover the rest of the border.
_BORDER_TRUST: Final = 0.6
_MIN_SUBJECT_SHARE: Final = 0.002
_MAX_HOLE_SHARE: Final = 0.01

# How much of the subject's height, from the top, each shot keeps.
_BAND: Final[dict[ShotType, float]] = {"close-up": 0.30, "medium": 0.55}
_WIDE_SUBJECT_HEIGHT: Final = 0.45
_WIDE_FEET_AT: Final = 0.82


@dataclass(frozen=True)
class _BackdropModel:
    """Backdrop colour as a smooth quadratic in normalised image coordinates, one set of coefficients per channel.

    A single colour would misread the soft gradients that studio backdrops have; a quadratic follows them.
    """

    coefficients: FloatArray  # shape (6, 3): 1, u, v, u^2, v^2, uv
    noise: float  # RMS colour distance of the trusted border samples from the fit

    def evaluate(self, u: FloatArray, v: FloatArray) -> FloatArray:
        """Backdrop colour at u (shape (1, W)) by v (shape (H, 1)), both 0-1; returns (H, W, 3)."""
        c = self.coefficients
        u3, v3 = u[:, :, None], v[:, :, None]
        row = c[0] + c[1] * u3 + c[3] * u3 * u3
        column = c[2] * v3 + c[4] * v3 * v3
        colour: FloatArray = row + column + c[5] * (u3 * v3)
        return colour

    @property
    def key_distance(self) -> float:
        return float(np.clip(4.0 * self.noise, _MIN_KEY_DISTANCE, _MAX_KEY_DISTANCE))


@dataclass(frozen=True)
class _Subject:
    """Where the subject is in the reference: a coarse mask (analysis scale), its box (full scale), the backdrop."""

    mask: FloatArray  # analysis scale, 0 or 1
    box: Box  # full-scale pixels: left, top, right (exclusive), bottom (exclusive)
    scale: float  # full-scale pixels per analysis pixel
    backdrop: _BackdropModel
    found: bool


@dataclass(frozen=True)
class _Region:
    """The part of the reference (in reference pixels, may reach outside it) that becomes the output frame."""

    left: float
    top: float
    width: float
    height: float


# --- Finding the subject ------------------------------------------------------------------------------------------


def _as_rgb(image: Image.Image) -> ByteArray:
    """RGB pixels; transparent areas are laid on a light grey so they read as backdrop rather than black."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        base = Image.new("RGBA", rgba.size, (224, 226, 230, 255))
        image = Image.alpha_composite(base, rgba)
    return np.asarray(image.convert("RGB"), dtype=np.uint8)


def _analysis_copy(rgb: ByteArray) -> tuple[ByteArray, float]:
    height, width = rgb.shape[:2]
    scale = max(1.0, max(height, width) / _ANALYSIS_SIDE)
    if scale == 1.0:
        return rgb, 1.0
    size = (max(1, round(width / scale)), max(1, round(height / scale)))
    small: ByteArray = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    return small, scale


def _features(u: FloatArray, v: FloatArray) -> FloatArray:
    ones = np.ones_like(u)
    stacked: FloatArray = np.stack([ones, u, v, u * u, v * v, u * v], axis=1)
    return stacked


def _border_samples(small: ByteArray) -> tuple[FloatArray, FloatArray]:
    """Colours of a two-pixel frame round the image, with their 0-1 coordinates."""
    height, width = small.shape[:2]
    ring = np.zeros((height, width), dtype=bool)
    band = min(2, height, width)
    ring[:band, :] = ring[-band:, :] = ring[:, :band] = ring[:, -band:] = True
    ys, xs = np.nonzero(ring)
    u = (xs / max(1, width - 1)).astype(np.float32)
    v = (ys / max(1, height - 1)).astype(np.float32)
    return _features(u, v), small[ys, xs].astype(np.float32)


def _fit_backdrop(small: ByteArray) -> _BackdropModel:
    """Fit the backdrop to the border, refitting on the closest samples so a subject touching the edge is ignored."""
    features, colours = _border_samples(small)
    trusted = np.ones(len(colours), dtype=bool)
    coefficients = np.zeros((6, 3), dtype=np.float32)
    for _ in range(3):
        solution = np.linalg.lstsq(features[trusted], colours[trusted], rcond=None)[0]
        coefficients = solution.astype(np.float32)
        residual = np.linalg.norm(colours - features @ coefficients, axis=1)
        trusted = residual <= max(float(np.quantile(residual, _BORDER_TRUST)), 1.0)
    noise = float(np.sqrt(np.mean(residual[trusted] ** 2)))
    return _BackdropModel(coefficients, noise)


def _grid(height: int, width: int) -> tuple[FloatArray, FloatArray]:
    u = (np.arange(width, dtype=np.float32) / max(1, width - 1))[None, :]
    v = (np.arange(height, dtype=np.float32) / max(1, height - 1))[:, None]
    return u, v


def _distance_from_backdrop(rgb: ByteArray, backdrop: FloatArray) -> FloatArray:
    difference = rgb.astype(np.float32) - backdrop
    distance: FloatArray = np.sqrt(np.einsum("hwc,hwc->hw", difference, difference))
    return distance


def _largest_component(mask: ByteArray) -> ByteArray:
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count <= 1:
        return np.zeros_like(mask)
    largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    return (labels == largest).astype(np.uint8)


def _fill_small_holes(mask: ByteArray) -> ByteArray:
    """Fill enclosed gaps (a highlight matching the backdrop) but keep large ones, like the space inside an arm."""
    height, width = mask.shape
    count, labels, stats, _ = cv2.connectedComponentsWithStats(1 - mask, connectivity=4)
    left, top = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    right, bottom = left + stats[:, cv2.CC_STAT_WIDTH], top + stats[:, cv2.CC_STAT_HEIGHT]
    enclosed = (left > 0) & (top > 0) & (right < width) & (bottom < height)
    small = stats[:, cv2.CC_STAT_AREA] <= _MAX_HOLE_SHARE * height * width
    holes = np.flatnonzero(enclosed & small)
    filled: ByteArray = (mask | np.isin(labels, holes[holes > 0])).astype(np.uint8)
    return filled


def _subject_mask(small: ByteArray, backdrop: _BackdropModel) -> ByteArray:
    u, v = _grid(*small.shape[:2])
    foreground = (_distance_from_backdrop(small, backdrop.evaluate(u, v)) > backdrop.key_distance).astype(np.uint8)
    # Opening drops specks of noise, closing joins parts split by a thin line of backdrop-coloured pixels.
    foreground = cv2.morphologyEx(foreground, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3)))
    foreground = cv2.morphologyEx(foreground, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5)))
    return _fill_small_holes(_largest_component(foreground))


def _find_subject(rgb: ByteArray) -> _Subject:
    small, scale = _analysis_copy(rgb)
    backdrop = _fit_backdrop(small)
    mask = _subject_mask(small, backdrop)
    height, width = rgb.shape[:2]
    if mask.sum() < _MIN_SUBJECT_SHARE * mask.size:
        # Nothing stands out from the backdrop: treat the whole picture as the subject and change nothing around it.
        return _Subject(np.ones(small.shape[:2], np.float32), (0, 0, width, height), scale, backdrop, found=False)
    x, y, w, h = cv2.boundingRect(mask)
    box = (
        max(0, math.floor(x * scale)),
        max(0, math.floor(y * scale)),
        min(width, math.ceil((x + w) * scale)),
        min(height, math.ceil((y + h) * scale)),
    )
    return _Subject(mask.astype(np.float32), box, scale, backdrop, found=True)


def subject_box(image: Image.Image) -> tuple[int, int, int, int]:
    """Bounding box (left, top, right, bottom; right and bottom exclusive) of the main subject in `image`.

    The backdrop is estimated from the border pixels; the box is that of the largest region that differs from it.
    Falls back to the whole image when nothing stands out.
    """
    return _find_subject(_as_rgb(image)).box


# --- Framing ------------------------------------------------------------------------------------------------------


def _band_columns(subject: _Subject, fraction: float) -> tuple[float, float]:
    """Horizontal extent (full-scale pixels) of the subject within the top `fraction` of its box."""
    left, top, right, bottom = subject.box
    first = int(top / subject.scale)
    last = max(first + 1, int((top + (bottom - top) * fraction) / subject.scale))
    columns = np.flatnonzero(subject.mask[first:last].any(axis=0))
    if columns.size == 0:
        return float(left), float(right)
    return float(columns[0] * subject.scale), float((columns[-1] + 1) * subject.scale)


def _band_region(subject: _Subject, fraction: float, aspect: float, centre_on_head: bool) -> _Region:
    left, top, right, bottom = subject.box
    band_height = (bottom - top) * fraction
    headroom = 0.06 * band_height
    height = band_height + headroom
    width = height * aspect
    band_left, band_right = _band_columns(subject, fraction)
    if not centre_on_head and band_right - band_left > width / 1.05:
        width = (band_right - band_left) * 1.05
        height = width / aspect
    # A close-up is about the face, so it centres on the head, not on the shoulders or an outstretched arm.
    head_left, head_right = _band_columns(subject, 0.12) if centre_on_head else (band_left, band_right)
    centre = (head_left + head_right) / 2.0
    return _Region(centre - width / 2.0, top - headroom, width, height)


def _full_body_region(subject: _Subject, aspect: float) -> _Region:
    left, top, right, bottom = subject.box
    height = max((bottom - top) * 1.16, (right - left) * 1.12 / aspect)
    width = height * aspect
    return _Region((left + right - width) / 2.0, (top + bottom - height) / 2.0, width, height)


def _wide_region(subject: _Subject, aspect: float) -> _Region:
    left, top, right, bottom = subject.box
    height = (bottom - top) / _WIDE_SUBJECT_HEIGHT
    width = max(height * aspect, (right - left) / 0.8)
    height = width / aspect
    return _Region((left + right - width) / 2.0, bottom - _WIDE_FEET_AT * height, width, height)


def _whole_region(width: int, height: int, aspect: float) -> _Region:
    region_height = max(float(height), width / aspect)
    region_width = region_height * aspect
    return _Region((width - region_width) / 2.0, (height - region_height) / 2.0, region_width, region_height)


def _keep_cut_edges(region: _Region, subject: _Subject, width: int, height: int) -> _Region:
    """Where the subject is cut by the reference's edge, keep that cut at the frame's edge instead of mid-frame."""
    left, top, right, bottom = subject.box
    x, y = region.left, region.top
    if right >= width and x + region.width > width:
        x = width - region.width
    if left <= 0 and x < 0:
        x = 0.0 if right < width else (width - region.width) / 2.0
    if bottom >= height and y + region.height > height:
        y = height - region.height
    if top <= 0 and y < 0:
        y = 0.0 if bottom < height else (height - region.height) / 2.0
    return _Region(x, y, region.width, region.height)


def _frame_region(shot: ShotType | None, subject: _Subject, width: int, height: int, aspect: float) -> _Region:
    if shot is None or not subject.found:
        return _whole_region(width, height, aspect)
    if shot == "full-body":
        region = _full_body_region(subject, aspect)
    elif shot == "wide":
        region = _wide_region(subject, aspect)
    else:
        region = _band_region(subject, _BAND[shot], aspect, centre_on_head=shot == "close-up")
    return _keep_cut_edges(region, subject, width, height)


# --- Reframing ----------------------------------------------------------------------------------------------------


def _backdrop_in_frame(
    subject: _Subject, region: _Region, ref_size: tuple[int, int], out_size: tuple[int, int]
) -> FloatArray:
    """The fitted backdrop, as seen through the output frame; outside the reference it continues its edge colour."""
    ref_w, ref_h = ref_size
    out_w, out_h = out_size
    xs = region.left + (np.arange(out_w, dtype=np.float32) + 0.5) * (region.width / out_w)
    ys = region.top + (np.arange(out_h, dtype=np.float32) + 0.5) * (region.height / out_h)
    u = np.clip(xs / max(1, ref_w - 1), 0.0, 1.0)[None, :]
    v = np.clip(ys / max(1, ref_h - 1), 0.0, 1.0)[:, None]
    return subject.backdrop.evaluate(u.astype(np.float32), v.astype(np.float32))


def _paste_region(canvas: ByteArray, rgb: ByteArray, region: _Region) -> None:
    """Resize the part of `rgb` inside `region` onto `canvas`; parts of the region outside `rgb` are left as is."""
    out_h, out_w = canvas.shape[:2]
    ref_h, ref_w = rgb.shape[:2]
    scale = out_w / region.width
    x0, y0 = max(0, math.floor(region.left)), max(0, math.floor(region.top))
    x1 = min(ref_w, math.ceil(region.left + region.width))
    y1 = min(ref_h, math.ceil(region.top + region.height))
    if x1 <= x0 or y1 <= y0:
        return
    dx0, dy0 = round((x0 - region.left) * scale), round((y0 - region.top) * scale)
    dx1, dy1 = round((x1 - region.left) * scale), round((y1 - region.top) * scale)
    if dx1 <= dx0 or dy1 <= dy0:
        return
    interpolation = cv2.INTER_AREA if scale < 1.0 else cv2.INTER_CUBIC
    patch = cv2.resize(rgb[y0:y1, x0:x1], (dx1 - dx0, dy1 - dy0), interpolation=interpolation)
    # The rounded patch may overhang the frame by a pixel or two; keep only what lands inside.
    cx0, cy0 = max(0, -dx0), max(0, -dy0)
    cx1, cy1 = min(dx1 - dx0, out_w - dx0), min(dy1 - dy0, out_h - dy0)
    canvas[dy0 + cy0 : dy0 + cy1, dx0 + cx0 : dx0 + cx1] = patch[cy0:cy1, cx0:cx1]


def _sharpen_enlarged(image: ByteArray, scale: float) -> ByteArray:
    """Enlarging softens edges; an unsharp mask sized to the enlargement restores the crispness the scorer expects."""
    if scale <= 1.25:
        return image
    sigma = float(np.clip(0.5 * scale, 0.8, 2.5))
    amount = float(min(0.9, 0.35 * (scale - 1.0)))
    blurred = cv2.GaussianBlur(image, (0, 0), sigma)
    sharpened: ByteArray = cv2.addWeighted(image, 1.0 + amount, blurred, -amount, 0.0)
    return sharpened


def _coarse_mask_in_frame(subject: _Subject, region: _Region, out_size: tuple[int, int]) -> FloatArray:
    out_w, out_h = out_size
    step = region.width / out_w / subject.scale  # analysis pixels per output pixel
    matrix = np.array(
        [
            [step, 0.0, region.left / subject.scale + 0.5 * step - 0.5],
            [0.0, step, region.top / subject.scale + 0.5 * step - 0.5],
        ],
        dtype=np.float64,
    )
    warped: FloatArray = cv2.warpAffine(
        subject.mask,
        matrix,
        (out_w, out_h),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=0.0,
    )
    return warped


def _refined_mask(coarse: FloatArray, frame: ByteArray, backdrop: FloatArray, key_distance: float) -> FloatArray:
    """Subject mask at output resolution: solid inside the coarse mask, keyed per pixel across its soft edge."""
    distance = _distance_from_backdrop(frame, backdrop)
    keyed = np.clip((distance - 0.5 * key_distance) / key_distance, 0.0, 1.0)
    edge = np.where(coarse > 0.02, np.minimum(keyed, 1.0), 0.0)
    refined = np.maximum(np.where(coarse > 0.98, 1.0, 0.0), edge).astype(np.float32)
    # A slight blur feathers the seam between the subject and whatever backdrop replaces the old one.
    feathered: FloatArray = cv2.GaussianBlur(refined, (0, 0), 0.8)
    return feathered


@dataclass(frozen=True)
class _Framed:
    image: ByteArray
    mask: FloatArray  # 1 on the subject, 0 on the backdrop, soft at the edge


def _reframe(rgb: ByteArray, subject: _Subject, shot: ShotType | None, out_size: tuple[int, int]) -> _Framed:
    ref_h, ref_w = rgb.shape[:2]
    out_w, out_h = out_size
    region = _frame_region(shot, subject, ref_w, ref_h, out_w / out_h)
    backdrop = _backdrop_in_frame(subject, region, (ref_w, ref_h), out_size)
    canvas = np.clip(backdrop, 0, 255).astype(np.uint8)
    _paste_region(canvas, rgb, region)
    canvas = _sharpen_enlarged(canvas, out_w / region.width)
    if not subject.found:
        return _Framed(canvas, np.ones((out_h, out_w), dtype=np.float32))
    coarse = _coarse_mask_in_frame(subject, region, out_size)
    return _Framed(canvas, _refined_mask(coarse, canvas, backdrop, subject.backdrop.key_distance))


def _should_mirror(analysis: PromptAnalysis, params: GenerationParams) -> bool:
    """A flat image cannot be turned honestly; mirroring a profile or three-quarter view still gives a valid one.

    The seed's parity picks the side, so different seeds give both facings and one seed always gives the same.
    """
    return analysis.angle in ("side", "45-degree") and params.seed % 2 == 1


# --- Settings -----------------------------------------------------------------------------------------------------


def _lerp_rows(top: tuple[float, float, float], bottom: tuple[float, float, float], t: FloatArray) -> FloatArray:
    a = np.array(top, dtype=np.float32)
    b = np.array(bottom, dtype=np.float32)
    rows: FloatArray = a + (b - a) * t[:, :, None]
    return rows


def _smooth_noise(rng: np.random.Generator, height: int, width: int, cells: int) -> FloatArray:
    """Soft, low-frequency noise in -1..1: texture that reads as clouds or grass rather than as sensor noise."""
    grid = rng.uniform(-1.0, 1.0, size=(cells, cells)).astype(np.float32)
    noise: FloatArray = cv2.resize(grid, (width, height), interpolation=cv2.INTER_CUBIC)
    return noise


def _outdoor(height: int, width: int, rng: np.random.Generator) -> FloatArray:
    horizon = 0.62
    v = (np.arange(height, dtype=np.float32) / max(1, height - 1))[:, None]
    sky_t = np.clip(v / horizon, 0.0, 1.0) ** 0.8
    grass_t = np.clip((v - horizon) / (1.0 - horizon), 0.0, 1.0)
    sky = _lerp_rows((92, 146, 214), (200, 224, 242), sky_t)
    grass = _lerp_rows((122, 170, 86), (62, 116, 50), grass_t)
    clouds = np.clip(_smooth_noise(rng, height, width, 6), 0.2, 1.0) - 0.2
    sky = sky + clouds[:, :, None] * np.float32(60.0)
    # A wavy band of distant trees sits on the horizon.
    wave = _smooth_noise(rng, 1, width, 9)[0]
    tree_top = horizon - 0.035 - 0.025 * (wave + 1.0) / 2.0
    trees = (v >= tree_top[None, :]) & (v < horizon)
    scene = np.where((v < horizon)[:, :, None], sky, grass)
    scene = np.where(trees[:, :, None], np.array([84, 120, 92], dtype=np.float32), scene)
    texture = _smooth_noise(rng, height, width, 24)[:, :, None] * np.float32(10.0)
    outdoor: FloatArray = np.where((v >= horizon)[:, :, None], scene + texture, scene)
    return outdoor


def _indoor(height: int, width: int, rng: np.random.Generator) -> FloatArray:
    floor_at = 0.74
    v = (np.arange(height, dtype=np.float32) / max(1, height - 1))[:, None]
    u = (np.arange(width, dtype=np.float32) / max(1, width - 1))[None, :]
    wall = _lerp_rows((206, 184, 152), (232, 212, 180), np.clip(v / floor_at, 0.0, 1.0))
    floor_t = np.clip((v - floor_at) / (1.0 - floor_at), 0.0, 1.0)
    floor = _lerp_rows((164, 116, 74), (116, 78, 48), floor_t)
    # Planks get narrower towards the horizon, which sells the floor as a receding plane.
    planks = np.cos(np.float32(18.0) * np.sqrt(floor_t)) > 0.97
    floor = np.where(planks[:, :, None], floor * np.float32(0.82), floor)
    light = 1.0 + 0.08 * np.exp(-(((u - 0.5) / 0.35) ** 2) - ((v - 0.35) / 0.3) ** 2) + 0.0 * rng.random()
    room = np.where((v < floor_at)[:, :, None], wall * light[:, :, None], floor)
    skirting = (v >= floor_at - 0.018) & (v < floor_at)
    indoor: FloatArray = np.where(skirting[:, :, None], np.array([242, 236, 226], dtype=np.float32), room)
    return indoor


def _studio(height: int, width: int, rng: np.random.Generator) -> FloatArray:
    v = (np.arange(height, dtype=np.float32) / max(1, height - 1))[:, None]
    u = (np.arange(width, dtype=np.float32) / max(1, width - 1))[None, :]
    radial = ((u - 0.5) / 0.7) ** 2 + ((v - 0.45) / 0.8) ** 2
    level = 214.0 - 52.0 * np.clip(radial, 0.0, 1.0) - 0.0 * rng.random()
    grey = level[:, :, None] * np.array([1.0, 1.0, 1.03], dtype=np.float32)
    studio: FloatArray = grey.astype(np.float32)
    return studio


def _setting_backdrop(setting: Setting, height: int, width: int, rng: np.random.Generator) -> FloatArray | None:
    if setting == "outdoor":
        return _outdoor(height, width, rng)
    if setting == "indoor":
        return _indoor(height, width, rng)
    if setting == "studio":
        return _studio(height, width, rng)
    return None


def _replace_backdrop(image: FloatArray, mask: FloatArray, backdrop: FloatArray, amount: float) -> FloatArray:
    weight = (np.float32(amount) * (1.0 - mask))[:, :, None]
    replaced: FloatArray = image + weight * (backdrop - image)
    return replaced


# --- Mood grades --------------------------------------------------------------------------------------------------


def _luminance(image: FloatArray) -> FloatArray:
    lum: FloatArray = image @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    return lum


def _contrast(image: FloatArray, factor: float) -> FloatArray:
    pivot = np.float32(_luminance(image).mean())
    graded: FloatArray = (image - pivot) * np.float32(factor) + pivot
    return graded


def _saturation(image: FloatArray, factor: float) -> FloatArray:
    lum = _luminance(image)[:, :, None]
    graded: FloatArray = lum + (image - lum) * np.float32(factor)
    return graded


def _dramatic(image: FloatArray, amount: float, rng: np.random.Generator) -> FloatArray:
    height, width = image.shape[:2]
    graded = _contrast(image, 1.0 + 0.5 * amount)
    shadows = np.clip(1.0 - _luminance(graded) / 150.0, 0.0, 1.0) ** 1.5 * np.float32(amount)
    graded = graded + shadows[:, :, None] * np.array([-14.0, -2.0, 16.0], dtype=np.float32)
    u = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :]
    v = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    if rng.random() < 0.5:
        u = u[:, ::-1]  # the key light comes from the left or the right
    ramp = u * u * (3.0 - 2.0 * u)
    side_light = 1.0 + 0.08 * amount - 0.36 * amount * ramp
    radius = ((u - 0.5) * 2.0) ** 2 + ((v - 0.5) * 2.0) ** 2
    vignette = 1.0 - 0.32 * amount * np.clip(radius - 0.35, 0.0, 1.4) / 1.4
    dramatic: FloatArray = graded * (side_light * vignette)[:, :, None]
    return dramatic


def _calm(image: FloatArray, amount: float) -> FloatArray:
    graded = _saturation(_contrast(image, 1.0 - 0.25 * amount), 1.0 - 0.22 * amount)
    warmth = np.array([1.0 + 0.06 * amount, 1.0 + 0.015 * amount, 1.0 - 0.08 * amount], dtype=np.float32)
    lifted = graded * warmth
    calm: FloatArray = lifted + (255.0 - lifted) * np.float32(0.04 * amount)
    return calm


def _motion_streaks(height: int, width: int, rng: np.random.Generator) -> FloatArray:
    """Thin diagonal streaks in 0..1: sparse specks smeared along one diagonal at a quarter of the size."""
    small_h, small_w = max(8, height // 4), max(8, width // 4)
    specks = (rng.random((small_h, small_w)) > 0.992).astype(np.float32)
    length = max(5, small_w // 5)
    kernel = np.eye(length, dtype=np.float32)[::-1] / np.float32(length)
    smeared = cv2.filter2D(specks, -1, kernel, borderType=cv2.BORDER_WRAP)
    peak = max(float(smeared.max()), 1e-6)
    streaks: FloatArray = cv2.resize(smeared / peak, (width, height), interpolation=cv2.INTER_LINEAR)
    return streaks


def _action(image: FloatArray, mask: FloatArray, amount: float, rng: np.random.Generator) -> FloatArray:
    graded = _contrast(_saturation(image, 1.0 + 0.5 * amount), 1.0 + 0.3 * amount)
    height, width = image.shape[:2]
    # Streaks go on the backdrop only: the subject stays crisp, the world rushes past.
    streaks = _motion_streaks(height, width, rng) * (1.0 - mask) * np.float32(70.0 * amount)
    action: FloatArray = graded + streaks[:, :, None]
    return action


def _grade(image: FloatArray, mask: FloatArray, mood: Mood, amount: float, rng: np.random.Generator) -> FloatArray:
    if mood == "dramatic":
        return _dramatic(image, amount, rng)
    if mood == "calm":
        return _calm(image, amount)
    if mood == "action":
        return _action(image, mask, amount, rng)
    return image


# --- Putting it together ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Intensity:
    grade: float
    backdrop: float


def _intensity(params: GenerationParams) -> _Intensity:
    """Map strength (how strongly the output holds to the reference) to how much grade and backdrop are applied."""
    change = float(np.clip((1.0 - params.strength) / 0.7, 0.0, 1.0))
    guidance = float(np.clip(1.0 + (params.guidance - 7.5) * 0.03, 0.85, 1.15))
    # A half-replaced backdrop looks like a double exposure, so the backdrop reaches full replacement sooner.
    return _Intensity(grade=(0.1 + 0.9 * change) * guidance, backdrop=0.1 + 0.9 * min(1.0, 1.6 * change))


def _validated_size(params: GenerationParams) -> tuple[int, int]:
    if params.width < 1 or params.height < 1:
        raise ValueError(f"output size must be positive, got {params.width}x{params.height}")
    return params.width, params.height


def render(reference: Image.Image, analysis: PromptAnalysis, params: GenerationParams) -> Image.Image:
    """Render `reference` into the shot that `analysis` asks for, at params.width x params.height, deterministically."""
    out_size = _validated_size(params)
    rgb = _as_rgb(reference)
    rng = np.random.default_rng(params.seed % 2**64)
    subject = _find_subject(rgb)
    framed = _reframe(rgb, subject, analysis.shot_type, out_size)
    image, mask = framed.image, framed.mask
    if _should_mirror(analysis, params):
        image, mask = image[:, ::-1], mask[:, ::-1]
    intensity = _intensity(params)
    result = image.astype(np.float32)
    new_backdrop = _setting_backdrop(analysis.setting, out_size[1], out_size[0], rng)
    if new_backdrop is not None and subject.found:
        result = _replace_backdrop(result, mask, new_backdrop, intensity.backdrop)
    result = _grade(result, mask, analysis.mood, intensity.grade, rng)
    return Image.fromarray(np.clip(result, 0.0, 255.0).astype(np.uint8), "RGB")
