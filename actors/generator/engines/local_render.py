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

import hashlib
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Final

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

from contracts.model import GenerationParams, Mood, PromptAnalysis, Setting, ShotType

FloatArray = NDArray[np.float32]
ByteArray = NDArray[np.uint8]
Box = tuple[int, int, int, int]


def _u8(array: NDArray[Any]) -> ByteArray:
    """View an OpenCV or numpy result as uint8 (OpenCV's stubs do not say which dtype comes back)."""
    return np.asarray(array, dtype=np.uint8)


def _f32(array: NDArray[Any]) -> FloatArray:
    """View a result as float32; numpy's stubs widen float32 arithmetic to float64 where numpy itself does not."""
    return np.asarray(array, dtype=np.float32)


# Subject keying works on a copy whose longest side is at most this; the edge is refined at full size later.
_ANALYSIS_SIDE: Final = 256
# Colour distance (RGB, 0-255) from the backdrop below which a pixel always counts as backdrop.
_MIN_KEY_DISTANCE: Final = 16.0
_MAX_KEY_DISTANCE: Final = 60.0
# Border samples this close (RGB distance) to the backdrop estimate are trusted when fitting it.
_INITIAL_TRUST_DISTANCE: Final = 48.0
_MIN_TRUST_DISTANCE: Final = 10.0
# A colour step (RGB distance) between neighbouring border pixels at least this large is an edge, not a gradient.
_MIN_EDGE_STEP: Final = 10.0
# Inside a backdrop run, a border sample this far (RGB distance) from the smooth fit is taken for subject all the same.
_MAX_RUN_RESIDUAL: Final = 80.0
_MIN_SUBJECT_SHARE: Final = 0.002
_MAX_HOLE_SHARE: Final = 0.01
_MAX_SPECK_SHARE: Final = 0.0002
# An enclosed gap whose mean distance from the backdrop exceeds this share of the key distance is subject, not gap.
_HOLE_KEY_SHARE: Final = 0.7

# How much of the subject's height, from the top, each shot keeps.
_BAND: Final[dict[ShotType, float]] = {"close-up": 0.30, "medium": 0.55}
_WIDE_SUBJECT_HEIGHT: Final = 0.45
_WIDE_FEET_AT: Final = 0.82


@dataclass(frozen=True)
class _Backdrop:
    """The backdrop as it would look without the subject, at analysis scale, and how noisy it is.

    It is interpolated inward from the image border (a Coons patch) after the stretches of border that the subject
    covers are bridged from the backdrop on either side. So gradients, vignettes and flat padding are followed
    exactly along the border and smoothly inside, where a single colour or a low-order fit would misread them.
    """

    image: FloatArray  # (h, w, 3) at analysis scale
    noise: float  # RMS pixel-to-pixel colour noise along the backdrop's border

    @property
    def key_distance(self) -> float:
        return float(np.clip(4.0 * self.noise, _MIN_KEY_DISTANCE, _MAX_KEY_DISTANCE))


@dataclass(frozen=True)
class _Subject:
    """Where the subject is in the reference: a coarse mask (analysis scale), its box (full scale), the backdrop."""

    mask: FloatArray  # analysis scale, 0 or 1
    holes: FloatArray  # analysis scale: 1 where a backdrop-like gap was judged part of the subject (a white collar)
    box: Box  # full-scale pixels: left, top, right (exclusive), bottom (exclusive)
    scale: float  # full-scale pixels per analysis pixel
    backdrop: _Backdrop
    found: bool
    shown: float = 1.0  # estimated share of the subject's full height that the reference shows


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
    return _u8(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)), scale


def _features(u: FloatArray, v: FloatArray) -> FloatArray:
    ones = np.ones_like(u)
    stacked: FloatArray = np.stack([ones, u, v, u * u, v * v, u * v], axis=1)
    return stacked


def _border_loop(height: int, width: int) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Row and column of each border pixel as one closed loop: top, right side, bottom backwards, left side upwards."""
    ys = np.concatenate(
        [np.zeros(width, np.intp), np.arange(1, height), np.full(width - 1, height - 1), np.arange(height - 2, 0, -1)]
    )
    xs = np.concatenate(
        [np.arange(width), np.full(height - 1, width - 1), np.arange(width - 2, -1, -1), np.zeros(height - 2, np.intp)]
    )
    return ys.astype(np.intp), xs.astype(np.intp)


def _commonest_colour(colours: FloatArray) -> FloatArray:
    """Mean of the most populated coarse colour bin: the backdrop, as long as it is the border's commonest colour."""
    bins = (colours // 32).astype(np.int64)
    keys = bins[:, 0] * 64 + bins[:, 1] * 8 + bins[:, 2]
    commonest = int(np.argmax(np.bincount(keys, minlength=512)))
    mean: FloatArray = colours[keys == commonest].mean(axis=0)
    return mean


def _smooth_fit(colours: FloatArray, features: FloatArray) -> tuple[FloatArray, NDArray[np.bool_]]:
    """A robust quadratic fit of the backdrop at each border sample, and which samples agree with it.

    The fit starts from the border's commonest colour, then refits on the samples close to the current fit: first a
    plane, then the full quadratic, so a subject covering even half the border does not drag it.
    """
    trusted = np.linalg.norm(colours - _commonest_colour(colours), axis=1) <= _INITIAL_TRUST_DISTANCE
    fitted = colours
    for terms in (3, 6, 6):
        if trusted.sum() < 2 * terms:
            trusted = np.ones(len(colours), dtype=bool)  # too little agrees: fall back to the whole border
        solution = np.linalg.lstsq(features[trusted, :terms], colours[trusted], rcond=None)[0]
        fitted = _f32(features[:, :terms] @ solution)
        residual = np.linalg.norm(colours - fitted, axis=1)
        spread = float(np.sqrt(np.mean(residual[trusted] ** 2)))
        trusted = residual <= max(2.5 * spread, _MIN_TRUST_DISTANCE)
    return fitted, np.asarray(trusted, dtype=bool)


def _runs_between_jumps(colours: FloatArray) -> NDArray[np.intp]:
    """Label each loop sample with its run: stretches of smoothly changing colour between sharp jumps (edges)."""
    steps = np.linalg.norm(colours - np.roll(colours, 1, axis=0), axis=1)
    jumps = steps > max(_MIN_EDGE_STEP, 4.0 * float(np.median(steps)))
    runs = np.cumsum(jumps).astype(np.intp)
    if jumps.any() and not jumps[0]:
        runs[runs == runs[-1]] = 0  # the loop is closed: the last run continues into the first
    return runs


def _backdrop_samples(colours: FloatArray, fitted: FloatArray, agree: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Which border samples are backdrop: whole runs whose samples mostly agree with the smooth fit.

    Judging runs rather than single samples keeps backdrop that a quadratic cannot follow (a flat band of padding, a
    vignette) and drops every pixel of a subject that touches the edge, since its outline separates it from the rest.
    A soft outline may not register as an edge, so samples far off the fit are dropped even inside a backdrop run.
    """
    runs = _runs_between_jumps(colours)
    residual = np.linalg.norm(colours - fitted, axis=1)
    agreeing = np.bincount(runs, weights=agree.astype(np.float64))
    share = agreeing / np.maximum(np.bincount(runs), 1)
    backdrop = (share[runs] >= 0.5) & (residual < _MAX_RUN_RESIDUAL)
    if backdrop.any():
        return np.asarray(backdrop)
    # A backdrop graded too strongly for the quadratic to follow: keep the run where it agrees most often.
    return np.asarray(runs == int(np.argmax(agreeing + np.bincount(runs) * 1e-6)))


def _bridge_gaps(colours: FloatArray, fitted: FloatArray, known: NDArray[np.bool_]) -> FloatArray:
    """Replace the unknown loop samples by the smooth fit, shifted to meet the known samples on either side.

    Following the fit keeps the curve of a vignette or gradient across a long gap, where a straight line between the
    gap's ends would not; the shift, interpolated round the loop, makes the bridge meet its ends without a step.
    """
    index = np.arange(len(colours))
    offset = colours - fitted
    bridged = colours.copy()
    for channel in range(3):
        shift = np.interp(index[~known], index[known], offset[known, channel], period=len(colours))
        bridged[~known, channel] = fitted[~known, channel] + shift
    return bridged


def _coons_patch(top: FloatArray, bottom: FloatArray, left: FloatArray, right: FloatArray) -> FloatArray:
    """Fill a rectangle from its four edges: exact on the edges, blending them smoothly inside.

    The sum of the top-to-bottom blend and the left-to-right blend, less the bilinear blend of the corners that
    both count; written as two broadcasts so it stays cheap.
    """
    height, width = left.shape[0], top.shape[0]
    u = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :, None]
    v = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    rows = top[None] + v * (bottom - top)[None]
    # Each side less the straight line between its corners: the part of that side the row blend does not supply.
    left_rest = left - (left[0] + v[:, 0] * (left[-1] - left[0]))
    right_rest = right - (right[0] + v[:, 0] * (right[-1] - right[0]))
    return _f32(rows + left_rest[:, None] + u * (right_rest - left_rest)[:, None])


def _border_noise(colours: FloatArray, backdrop: NDArray[np.bool_]) -> float:
    """Pixel-to-pixel noise along the backdrop part of the border (the difference from a 5-sample running mean)."""
    smooth = sum(np.roll(colours, shift, axis=0) for shift in range(-2, 3)) / 5.0
    steady = backdrop & np.roll(backdrop, 2) & np.roll(backdrop, -2)
    if not steady.any():
        return _MAX_KEY_DISTANCE
    return float(np.sqrt(np.mean(np.sum((colours - smooth)[steady] ** 2, axis=1))))


def _fit_backdrop(small: ByteArray) -> _Backdrop:
    """Estimate the backdrop behind the subject from the border pixels of the (analysis-scale) image."""
    height, width = small.shape[:2]
    if height < 3 or width < 3:
        flat = np.broadcast_to(small.reshape(-1, 3).mean(axis=0), small.shape)
        return _Backdrop(_f32(flat), _MAX_KEY_DISTANCE)
    ys, xs = _border_loop(height, width)
    raw = small[ys, xs].astype(np.float32)
    # Averaging 3x3 before sampling halves the noise that the patch would otherwise spread inward.
    colours = _f32(cv2.blur(small.astype(np.float32), (3, 3))[ys, xs])
    u = (xs / max(1, width - 1)).astype(np.float32)
    v = (ys / max(1, height - 1)).astype(np.float32)
    fitted, agree = _smooth_fit(colours, _features(u, v))
    backdrop = _backdrop_samples(colours, fitted, agree)
    edge = np.zeros((height, width, 3), dtype=np.float32)
    edge[ys, xs] = _bridge_gaps(colours, fitted, backdrop)
    patch = _coons_patch(edge[0], edge[-1], edge[:, 0], edge[:, -1])
    return _Backdrop(patch, _border_noise(raw, backdrop))


def _grid(height: int, width: int) -> tuple[FloatArray, FloatArray]:
    u = np.arange(width, dtype=np.float32) / np.float32(max(1, width - 1))
    v = np.arange(height, dtype=np.float32) / np.float32(max(1, height - 1))
    return _f32(u[None, :]), _f32(v[:, None])


def _distance_from_backdrop(rgb: ByteArray, backdrop: FloatArray) -> FloatArray:
    difference = rgb.astype(np.float32) - backdrop
    distance: FloatArray = np.sqrt(np.einsum("hwc,hwc->hw", difference, difference))
    return distance


def _largest_component(mask: ByteArray) -> ByteArray:
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count <= 1:
        return np.zeros_like(mask)
    largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    return _u8(labels == largest)


def _subject_holes(mask: ByteArray, distance: FloatArray, key_distance: float) -> ByteArray:
    """Enclosed gaps in `mask` that are part of the subject, not backdrop seen through the figure.

    A gap is filled when it is a speck, or when its colour is near the backdrop's but not the backdrop itself (a white
    collar on a white backdrop). A gap the exact colour of the backdrop, like the space between arm and body, stays.
    """
    height, width = mask.shape
    count, labels, stats, _ = cv2.connectedComponentsWithStats(1 - mask, connectivity=4)
    left, top = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    right, bottom = left + stats[:, cv2.CC_STAT_WIDTH], top + stats[:, cv2.CC_STAT_HEIGHT]
    area = stats[:, cv2.CC_STAT_AREA]
    enclosed = (left > 0) & (top > 0) & (right < width) & (bottom < height)
    mean_distance = np.bincount(labels.ravel(), weights=distance.ravel(), minlength=count) / np.maximum(area, 1)
    speck = area <= _MAX_SPECK_SHARE * height * width
    off_backdrop = (area <= _MAX_HOLE_SHARE * height * width) & (mean_distance > _HOLE_KEY_SHARE * key_distance)
    holes = np.flatnonzero(enclosed & (speck | off_backdrop))
    filled: ByteArray = np.isin(labels, holes[holes > 0]).astype(np.uint8)
    return filled


def _subject_mask(small: ByteArray, backdrop: _Backdrop) -> tuple[ByteArray, ByteArray]:
    """The subject (largest region unlike the backdrop, holes filled) and, separately, the holes that were filled."""
    distance = _distance_from_backdrop(small, backdrop.image)
    foreground = (distance > backdrop.key_distance).astype(np.uint8)
    # Opening drops specks of noise, closing joins parts split by a thin line of backdrop-coloured pixels.
    specks = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))
    foreground = _u8(cv2.morphologyEx(foreground, cv2.MORPH_OPEN, specks))
    foreground = _u8(cv2.morphologyEx(foreground, cv2.MORPH_CLOSE, specks))
    subject = _largest_component(foreground)
    holes = _subject_holes(subject, distance, backdrop.key_distance)
    return subject | holes, holes


_SUBJECTS: OrderedDict[bytes, _Subject] = OrderedDict()
_SUBJECTS_LOCK = threading.Lock()
_SUBJECTS_KEPT = 64


def _subject_of(rgb: ByteArray) -> _Subject:
    """The subject of a reference, found once: a character's few references are rendered over and over, and finding
    the subject is the largest part of a render. Keyed by the pixels, so an edited reference is looked at anew."""
    key = hashlib.blake2b(rgb.tobytes(), digest_size=16).digest() + repr(rgb.shape).encode()
    with _SUBJECTS_LOCK:
        if (known := _SUBJECTS.get(key)) is not None:
            _SUBJECTS.move_to_end(key)
            return known
    subject = _find_subject(rgb)
    for value in vars(subject).values():  # shared between renders from now on: nobody may write into it
        if isinstance(value, np.ndarray):
            value.flags.writeable = False
    with _SUBJECTS_LOCK:
        _SUBJECTS[key] = subject
        while len(_SUBJECTS) > _SUBJECTS_KEPT:
            _SUBJECTS.popitem(last=False)
    return subject


def _find_subject(rgb: ByteArray) -> _Subject:
    small, scale = _analysis_copy(rgb)
    backdrop = _fit_backdrop(small)
    mask, holes = _subject_mask(small, backdrop)
    height, width = rgb.shape[:2]
    if mask.sum() < _MIN_SUBJECT_SHARE * mask.size:
        # Nothing stands out from the backdrop: treat the whole picture as the subject and change nothing around it.
        whole = np.ones(small.shape[:2], np.float32)
        return _Subject(whole, whole, (0, 0, width, height), scale, backdrop, found=False)
    x, y, w, h = cv2.boundingRect(mask)
    box = (
        max(0, math.floor(x * scale)),
        max(0, math.floor(y * scale)),
        min(width, math.ceil((x + w) * scale)),
        min(height, math.ceil((y + h) * scale)),
    )
    shown = _shown_share(box, height)
    return _Subject(mask.astype(np.float32), holes.astype(np.float32), box, scale, backdrop, True, shown)


def _shown_share(box: Box, image_height: int) -> float:
    """Estimate how much of the figure's height the reference shows, so a bust is not cropped as if it were a body.

    A figure cut by the bottom edge is a bust or a half figure; a standing figure is about 2.6 times as tall as its
    widest part, so the box's proportions tell roughly how much is missing. An uncut figure is shown whole.
    """
    left, top, right, bottom = box
    if bottom < image_height:
        return 1.0
    return float(np.clip((bottom - top) / max(1, right - left) / 2.6, 0.3, 1.0))


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
    _, top, _, bottom = subject.box
    band_height = (bottom - top) * fraction
    headroom = 0.06 * band_height
    height = band_height + headroom
    width = height * aspect
    band_left, band_right = _band_columns(subject, fraction)
    if not centre_on_head and band_right - band_left > width / 1.05:
        width = (band_right - band_left) * 1.05
        height = width / aspect
    # A close-up is about the face, so it centres on the head, not on the shoulders or an outstretched arm.
    head_band = min(1.0, 0.12 / subject.shown)
    head_left, head_right = _band_columns(subject, head_band) if centre_on_head else (band_left, band_right)
    centre = (head_left + head_right) / 2.0
    return _Region(centre - width / 2.0, top - headroom, width, height)


def _full_body_region(subject: _Subject, aspect: float) -> _Region:
    left, top, right, bottom = subject.box
    height = max((bottom - top) * 1.16, (right - left) * 1.12 / aspect)
    width = height * aspect
    return _Region((left + right - width) / 2.0, (top + bottom - height) / 2.0, width, height)


def _wide_region(subject: _Subject, aspect: float) -> _Region:
    left, top, right, bottom = subject.box
    # A bust cannot be shown whole; it fills the same share of the frame, cut by the frame's bottom edge instead.
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
        band = min(1.0, _BAND[shot] / subject.shown)
        region = _band_region(subject, band, aspect, centre_on_head=shot == "close-up")
    return _keep_cut_edges(region, subject, width, height)


# --- Reframing ----------------------------------------------------------------------------------------------------


def _backdrop_in_frame(subject: _Subject, region: _Region, out_size: tuple[int, int]) -> FloatArray:
    """The estimated backdrop, as seen through the output frame; outside the reference it continues its edge colour."""
    return _warp_to_frame(subject.backdrop.image, subject.scale, region, out_size, cv2.BORDER_REPLICATE)


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
    interpolation = cv2.INTER_AREA if scale < 1.0 else cv2.INTER_LANCZOS4
    patch = cv2.resize(rgb[y0:y1, x0:x1], (dx1 - dx0, dy1 - dy0), interpolation=interpolation)
    # The rounded patch may overhang the frame by a pixel or two; keep only what lands inside.
    cx0, cy0 = max(0, -dx0), max(0, -dy0)
    cx1, cy1 = min(dx1 - dx0, out_w - dx0), min(dy1 - dy0, out_h - dy0)
    canvas[dy0 + cy0 : dy0 + cy1, dx0 + cx0 : dx0 + cx1] = patch[cy0:cy1, cx0:cx1]


def _sharpen_enlarged(image: ByteArray, scale: float) -> ByteArray:
    """Restore crisp edges after enlarging, without the bright and dark halos of a plain unsharp mask.

    A strong unsharp mask steepens every edge; clamping each pixel to the range of its neighbours before sharpening
    removes the overshoot, so edges come out steep (as the quality scorer's sharpness measure wants) and clean.
    """
    if scale <= 1.25:
        return image
    sigma = float(np.clip(0.5 * scale, 0.8, 3.0))
    amount = float(min(3.0, 1.2 * (scale - 1.0)))
    blurred = cv2.GaussianBlur(image, (0, 0), sigma)
    sharpened = cv2.addWeighted(image, 1.0 + amount, blurred, -amount, 0.0)
    reach = 2 * math.ceil(scale / 2.0) + 1
    kernel = np.ones((reach, reach), np.uint8)
    return _u8(np.clip(sharpened, cv2.erode(image, kernel), cv2.dilate(image, kernel)))


def _warp_to_frame(
    plane: FloatArray, scale: float, region: _Region, out_size: tuple[int, int], border: int = cv2.BORDER_CONSTANT
) -> FloatArray:
    """Resample an analysis-scale plane (`scale` reference pixels per plane pixel) into the output frame.

    Outside the plane it is 0 (BORDER_CONSTANT) or continues the edge (BORDER_REPLICATE).
    """
    out_w, out_h = out_size
    step = region.width / out_w / scale  # plane pixels per output pixel
    matrix = np.array(
        [
            [step, 0.0, region.left / scale + 0.5 * step - 0.5],
            [0.0, step, region.top / scale + 0.5 * step - 0.5],
        ],
        dtype=np.float64,
    )
    warped = cv2.warpAffine(
        plane,
        matrix,
        (out_w, out_h),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=border,
        borderValue=0.0,
    )
    return _f32(warped)


def _refined_mask(
    subject: _Subject, region: _Region, frame: ByteArray, backdrop: FloatArray, enlargement: float
) -> FloatArray:
    """Subject mask at output resolution: solid inside the coarse mask, keyed per pixel across its soft edge.

    Gaps judged part of the subject (a white collar) stay solid too. The reference's antialiased edge pixels are part
    old backdrop; left in, they would draw a pale halo round the subject on any new backdrop, so the keyed mask is
    eroded by about one reference pixel before feathering.
    """
    out_size = (frame.shape[1], frame.shape[0])
    coarse = _warp_to_frame(subject.mask, subject.scale, region, out_size)
    keyed = _distance_from_backdrop(frame, backdrop) > subject.backdrop.key_distance
    hard = (coarse > 0.98) | ((coarse > 0.02) & keyed)
    if subject.holes.any():
        hard |= _warp_to_frame(subject.holes, subject.scale, region, out_size) > 0.5
    radius = max(1, round(enlargement))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    eroded = cv2.erode(hard.astype(np.uint8), kernel).astype(np.float32)
    return _f32(cv2.GaussianBlur(eroded, (0, 0), 0.5 + 0.4 * radius))


@dataclass(frozen=True)
class _Framed:
    image: ByteArray
    mask: FloatArray  # 1 on the subject, 0 on the backdrop, soft at the edge


def _reframe(rgb: ByteArray, subject: _Subject, shot: ShotType | None, out_size: tuple[int, int]) -> _Framed:
    ref_h, ref_w = rgb.shape[:2]
    out_w, out_h = out_size
    region = _frame_region(shot, subject, ref_w, ref_h, out_w / out_h)
    backdrop = _backdrop_in_frame(subject, region, out_size)
    canvas = np.clip(backdrop, 0, 255).astype(np.uint8)
    _paste_region(canvas, rgb, region)
    enlargement = out_w / region.width
    if not subject.found:
        return _Framed(_sharpen_enlarged(canvas, enlargement), np.ones((out_h, out_w), dtype=np.float32))
    # Keyed before sharpening: the sharpening overshoot round the subject would otherwise key as subject.
    mask = _refined_mask(subject, region, canvas, backdrop, enlargement)
    return _Framed(_sharpen_enlarged(canvas, enlargement), mask)


def _should_mirror(analysis: PromptAnalysis, params: GenerationParams) -> bool:
    """A flat image cannot be turned honestly; mirroring a profile or three-quarter view still gives a valid one.

    The seed's parity picks the side, so different seeds give both facings and one seed always gives the same.
    """
    return analysis.angle in ("side", "45-degree") and params.seed % 2 == 1


# --- Settings -----------------------------------------------------------------------------------------------------


def _lerp_rows(top: tuple[float, float, float], bottom: tuple[float, float, float], t: NDArray[Any]) -> FloatArray:
    """Colours from `top` to `bottom` along t (shape (H, 1), 0-1); returns (H, 1, 3) for broadcasting."""
    a = np.array(top, dtype=np.float32)
    b = np.array(bottom, dtype=np.float32)
    return _f32(a + (b - a) * _f32(t)[:, :, None])


def _smooth_noise(rng: np.random.Generator, height: int, width: int, cells: int | tuple[int, int]) -> FloatArray:
    """Soft, low-frequency noise in about -1..1: texture that reads as clouds or grass rather than as sensor noise.

    `cells` is the number of random values across the image (rows, columns), which sets the size of the blotches.
    """
    rows, columns = (cells, cells) if isinstance(cells, int) else cells
    grid = rng.uniform(-1.0, 1.0, size=(rows, columns)).astype(np.float32)
    return _f32(cv2.resize(grid, (width, height), interpolation=cv2.INTER_CUBIC))


def _outdoor(height: int, width: int, rng: np.random.Generator) -> FloatArray:
    horizon = 0.62
    _, v = _grid(height, width)
    above = v < horizon
    sky_t = np.clip(v / horizon, 0.0, 1.0) ** 0.8
    grass_t = np.clip((v - horizon) / (1.0 - horizon), 0.0, 1.0)
    rows = np.where(
        above[:, :, None],
        _lerp_rows((92, 146, 214), (200, 224, 242), sky_t),
        _lerp_rows((122, 170, 86), (62, 116, 50), grass_t),
    )
    # Clouds are stretched sideways and fade towards the horizon, as real ones do; the grass gets a soft mottle.
    clouds = (np.clip(_smooth_noise(rng, height, width, (7, 3)), 0.25, 1.0) - 0.25) * (1.0 - sky_t) ** 0.5 * 70.0
    mottle = _smooth_noise(rng, height, width, 24) * np.float32(10.0)
    scene = _f32(rows + np.where(above, clouds, mottle)[:, :, None])
    # A wavy band of distant trees sits on the horizon.
    wave = _smooth_noise(rng, 1, width, (1, 9))[0]
    tree_top = horizon - 0.035 - 0.025 * (wave + 1.0) / 2.0
    scene[(v >= tree_top[None, :]) & above] = (84, 120, 92)
    return scene


def _indoor(height: int, width: int, rng: np.random.Generator) -> FloatArray:
    floor_at = 0.74
    u, v = _grid(height, width)
    on_wall = v < floor_at
    wall = _lerp_rows((206, 184, 152), (232, 212, 180), np.clip(v / floor_at, 0.0, 1.0))
    floor_t = np.clip((v - floor_at) / (1.0 - floor_at), 0.0, 1.0)
    floor = _lerp_rows((164, 116, 74), (116, 78, 48), floor_t)
    # Planks get narrower towards the horizon, which sells the floor as a receding plane.
    planks = np.cos(np.float32(18.0) * np.sqrt(floor_t)) > 0.97
    floor = np.where(planks[:, :, None], floor * np.float32(0.82), floor)
    # A warm pool of lamp light and faint plaster mottling keep the wall from looking like a flat fill.
    light = 1.0 + 0.08 * np.exp(-(((u - 0.5) / 0.35) ** 2) - ((v - 0.35) / 0.3) ** 2)
    plaster = _smooth_noise(rng, height, width, 16) * np.float32(4.0)
    lit_wall = wall * light[:, :, None] + plaster[:, :, None]
    room = _f32(np.where(on_wall[:, :, None], lit_wall, floor))
    room[np.broadcast_to((v >= floor_at - 0.018) & on_wall, (height, width))] = (242, 236, 226)  # skirting board
    return room


def _studio(height: int, width: int) -> FloatArray:
    u, v = _grid(height, width)
    radial = ((u - 0.5) / 0.7) ** 2 + ((v - 0.45) / 0.8) ** 2
    level = 214.0 - 52.0 * np.clip(radial, 0.0, 1.0)
    grey = level[:, :, None] * np.array([1.0, 1.0, 1.03], dtype=np.float32)
    studio: FloatArray = grey.astype(np.float32)
    return studio


def _setting_backdrop(setting: Setting, height: int, width: int, rng: np.random.Generator) -> FloatArray | None:
    if setting == "outdoor":
        return _outdoor(height, width, rng)
    if setting == "indoor":
        return _indoor(height, width, rng)
    if setting == "studio":
        return _studio(height, width)
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
    graded = _contrast(image, 1.0 + 0.55 * amount)
    shadows = np.clip(1.0 - _luminance(graded) / 150.0, 0.0, 1.0) ** 1.5 * np.float32(amount)
    graded = graded + shadows[:, :, None] * np.array([-14.0, -2.0, 16.0], dtype=np.float32)
    u = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :]
    v = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    if rng.random() < 0.5:
        u = u[:, ::-1]  # the key light comes from the left or the right
    ramp = u * u * (3.0 - 2.0 * u)
    side_light = 1.0 + 0.08 * amount - 0.36 * amount * ramp
    # A smooth quadratic falloff (no plateau, no kink) darkens the corners to 1 - 0.4 * amount.
    radius_squared = ((u - 0.5) * 2.0) ** 2 + ((v - 0.5) * 2.0) ** 2
    vignette = 1.0 - 0.2 * amount * radius_squared
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
    # BORDER_WRAP would tile the streaks seamlessly but OpenCV refuses it on small images; reflection is close.
    smeared = cv2.filter2D(specks, -1, kernel, borderType=cv2.BORDER_REFLECT)
    peak = max(float(smeared.max()), 1e-6)
    return _f32(cv2.resize(_f32(smeared / np.float32(peak)), (width, height), interpolation=cv2.INTER_LINEAR))


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
    subject = _subject_of(rgb)
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
