"""No-reference technical image quality on a 0-100 scale.

Six parts are measured, each mapped to 0-100 by a piecewise-linear curve through documented anchor points
(monotone by construction, so a worse measurement can never earn a better part score):

- sharpness: how steep the strongest edges are relative to their own contrast (edge width, contrast-free);
- exposure: whether the highlights reach up and the shadows stay down (under-/over-exposure), and whether colours
  are blown out (a channel clipped at 255 while the others are not: the signature of an over-exposed photograph);
- contrast: RMS contrast and the 2nd-98th percentile spread of luminance;
- noise: Immerkaer's fast noise estimate, taken in the flattest part of the image only, relative to the image's
  tonal range (darkening an image scales its noise down with it; that is not a cleaner image);
- artifacts: JPEG 8x8 blockiness, the luminance step across block boundaries against the steps inside blocks;
- resolution: the short side of the original image.

The headline score multiplies the parts' penalties, (part / 100) ** weight: one bad part (a blurry image) drags the
score down on its own, where an average would let good parts hide it; that matches how people judge a picture.

Sharpness, exposure and contrast are measured on a copy at most 512 px on the long side (display size, and fast).
Noise and blockiness are measured on a native-resolution crop instead: downscaling averages noise away and
destroys the 8-pixel JPEG grid. The crop starts on a multiple of 8 so that it keeps the JPEG grid.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image

FloatArray = npt.NDArray[np.float32]
Anchors = Sequence[tuple[float, float]]

WORKING_SIZE: Final = 512  # long side of the working copy, and the full-marks short side for resolution
JPEG_BLOCK: Final = 8

PART_NAMES: Final = ("sharpness", "exposure", "contrast", "noise", "artifacts", "resolution")

# Each part is a multiplicative penalty (part / 100) ** weight, so a perfect part costs nothing and the weight
# says how hard one bad part pulls alone: with weight 0.5 a part at 49 by itself gives 70, the default threshold.
# Sharpness weighs most (the usual failure of a generated image is mush); resolution least, because the
# generator's output size is chosen by us, not by chance.
PART_WEIGHTS: Final[Mapping[str, float]] = {
    "sharpness": 0.60,
    "exposure": 0.50,
    "contrast": 0.35,
    "noise": 0.50,
    "artifacts": 0.45,
    "resolution": 0.35,
}

# --- Curves: (measurement, part score 0-100). Outside the anchors the end values hold. ---

# Edge steepness: Sobel gradient peak / local luminance range. A perfectly sharp step gives 0.5; Gaussian blur
# of sigma 1 px about 0.35, sigma 2 about 0.2; heavy blur bottoms out near 0.13 (a linear ramp across the window).
SHARPNESS_CURVE: Final[Anchors] = ((0.13, 0.0), (0.16, 8.0), (0.20, 25.0), (0.26, 50.0), (0.32, 75.0), (0.42, 100.0))
# Brightest content (99th luminance percentile, 0-1): a well-exposed image has highlights near the top.
HIGHLIGHT_CURVE: Final[Anchors] = ((0.10, 0.0), (0.30, 35.0), (0.55, 85.0), (0.70, 100.0))
# Mean luminance from the dark side: only a very dark mean signals under-exposure.
DARK_MEAN_CURVE: Final[Anchors] = ((0.02, 0.0), (0.08, 40.0), (0.18, 90.0), (0.25, 100.0))
# Mean luminance from the bright side: only an almost white mean signals over-exposure on its own.
BRIGHT_MEAN_CURVE: Final[Anchors] = ((0.80, 100.0), (0.90, 85.0), (0.95, 50.0), (0.99, 0.0))
# Over-exposure is clipped whites *and* lifted shadows. A white backdrop behind a figure that keeps its darks
# is a choice, not over-exposure; so the clipped fraction only says how much the shadow lift counts.
# Clipped-white fraction -> share of the shadow-lift penalty that applies (0-100).
CLIPPED_SHARE_CURVE: Final[Anchors] = ((0.02, 0.0), (0.30, 100.0))
# Shadow level (10th luminance percentile) -> shadow-lift penalty (0-100).
SHADOW_LIFT_CURVE: Final[Anchors] = ((0.20, 0.0), (0.30, 12.0), (0.40, 30.0), (0.50, 60.0), (0.65, 90.0), (0.80, 100.0))
# RMS contrast (std of luminance, 0-1) and the 2nd-98th percentile spread.
RMS_CONTRAST_CURVE: Final[Anchors] = ((0.02, 0.0), (0.06, 40.0), (0.12, 85.0), (0.16, 100.0))
SPREAD_CURVE: Final[Anchors] = ((0.05, 0.0), (0.20, 50.0), (0.45, 90.0), (0.60, 100.0))
# Noise sigma in 8-bit luminance levels. Clean renders measure ~0, camera photos ~0.5-1.5.
NOISE_CURVE: Final[Anchors] = (
    (1.5, 100.0),
    (3.0, 82.0),
    (5.0, 55.0),
    (8.0, 30.0),
    (12.0, 15.0),
    (20.0, 5.0),
    (30.0, 0.0),
)
# Blockiness ratio (boundary step / in-block step, median over block lines, each with BLOCK_FLOOR added). 1 = no
# grid. Measured on scikit-image's photographs and the demo art: JPEG quality 95 ~1.0-1.07, 70 ~1.2-1.35,
# 30 ~1.4-1.55, 15 ~1.4-1.9, 5 ~1.5-4.
BLOCKINESS_CURVE: Final[Anchors] = ((1.05, 100.0), (1.15, 85.0), (1.3, 62.0), (1.5, 38.0), (1.8, 18.0), (2.5, 0.0))
# Noise is read relative to the tonal range: sigma * NOISE_REFERENCE_SPREAD / spread, the spread limited to
# NOISE_SPREAD_LIMITS so that a flat or tiny-range image cannot blow the estimate up.
NOISE_REFERENCE_SPREAD: Final = 0.75
NOISE_SPREAD_LIMITS: Final = (0.25, 0.75)
# Blown colour: the share of pixels with a channel clipped at 255 while another is not (a white backdrop is all
# channels at 255 and does not count), plus the fully white share once such partial clipping shows that the image
# is over-exposed (at least BLOWN_EVIDENCE of partially clipped pixels counts fully). Score 0-100:
BLOWN_CURVE: Final[Anchors] = ((0.02, 100.0), (0.1, 88.0), (0.25, 65.0), (0.45, 40.0), (0.7, 15.0), (0.9, 0.0))
BLOWN_EVIDENCE: Final = 0.05
BLOWN_TEXTURE: Final = 3.0  # levels of local standard deviation (5x5, darkest channel) that make a pixel textured
CHANNEL_CLIPPED: Final = 254  # 8-bit level at which one channel counts as clipped
# Short side in pixels.
RESOLUTION_CURVE: Final[Anchors] = ((64.0, 0.0), (128.0, 20.0), (256.0, 60.0), (384.0, 85.0), (512.0, 100.0))

CLIPPED_WHITE: Final = 250  # 8-bit level from which a pixel counts as blown out
CLIPPED_BLACK: Final = 5  # and up to which it counts as crushed black
EDGE_WINDOW: Final = 9  # px; wide enough to hold a blurred edge's whole rise
NOISE_RANGE_FACTOR: Final = 8.0  # a 9x9 window of pure noise spans about 5 sigma, rarely 7; real edges must beat that
EDGE_PERCENTILE: Final = 75.0  # the sharper edges decide: a shallow depth of field is not blur
FLAT_PERCENTILE: Final = 40.0  # noise is read in the flattest 40 % of the image, away from edges and texture
BLOCK_STEP_LIMIT: Final = 24.0  # luminance steps above this are content edges, not JPEG block steps
# Levels added to both steps: keeps the ratio finite in flat areas, and makes sub-level steps (JPEG quality 90+ on
# a smooth gradient, invisible) count for little.
BLOCK_FLOOR: Final = 0.5
BLOCK_MIN_ACTIVITY: Final = 0.1  # lines with less variation than this say nothing about blocking

PROBLEM_WORDS: Final[Mapping[str, str]] = {
    "sharpness": "the image is blurry",
    "contrast": "the image is flat, with low contrast",
    "noise": "the image is noisy",
    "artifacts": "the image shows compression artifacts (JPEG blocking)",
    "resolution": "the image resolution is too low",
}
NOT_WEAK: Final = 90.0  # a part at or above this is not worth mentioning in a passing description
WEAK_PART: Final = 70.0  # a part below this is a flaw worth naming, whatever the request's threshold
UNDEREXPOSED: Final = "the image is underexposed (too dark)"
OVEREXPOSED: Final = "the image is overexposed (washed out)"


@dataclass(frozen=True, slots=True)
class QualityResult:
    """The 0-100 score, its parts (each 0-100), and which way exposure errs (> 0 too bright, < 0 too dark)."""

    score: int
    parts: dict[str, float]
    exposure_bias: float = 0.0


def assess_quality(image: Image.Image) -> QualityResult:
    """Score an image's technical quality, 0-100, without a reference."""
    rgb = image.convert("RGB")
    native = np.asarray(rgb.convert("L"), dtype=np.uint8)
    working = _working_copy(native)
    luminance = working.astype(np.float32) / 255.0
    levels = _luminance_levels(working)
    exposure, bias = _exposure_part(levels, _blown_share(np.asarray(rgb)))
    crop = _grid_aligned_crop(native).astype(np.float32)
    noise_sigma = _noise_sigma(crop)
    # Downscaling by a factor f averages noise down by about f; the working copy's edges see that much.
    working_noise = noise_sigma * working.shape[0] / native.shape[0] / 255.0
    parts = {
        "sharpness": _curve(_edge_steepness(luminance, levels.spread, working_noise), SHARPNESS_CURVE),
        "exposure": exposure,
        "contrast": _contrast_part(levels),
        "noise": _curve(_relative_noise(noise_sigma, levels.spread), NOISE_CURVE),
        "artifacts": _curve(_blockiness(crop), BLOCKINESS_CURVE),
        "resolution": _curve(float(min(image.size)), RESOLUTION_CURVE),
    }
    return QualityResult(score=_combine(parts), parts=parts, exposure_bias=bias)


def weakest_part(result: QualityResult) -> str:
    """The name of the lowest-scoring part (ties go to the heavier-weighted part)."""
    return min(PART_NAMES, key=lambda name: (result.parts[name], -PART_WEIGHTS[name]))


def needs_mention(result: QualityResult) -> bool:
    """Whether the notes should name a weak part: the score or some part is below WEAK_PART."""
    return result.score < WEAK_PART or min(result.parts.values()) < WEAK_PART


def describe_quality(result: QualityResult, threshold: float | None = None) -> str:
    """The weakest aspect in words, e.g. "the image is blurry (sharpness 7/100)".

    With a `threshold`, the problem is named when the score is below it. Without one (the validator is not told
    the request's threshold), it is named when the score or the weakest part is below WEAK_PART. Otherwise the
    sentence says the image has no serious flaw and which part is weakest, or that no part is weak at all.
    """
    weakest = weakest_part(result)
    value = result.parts[weakest]
    detail = f"{weakest} {value:.0f}/100"
    failing = result.score < threshold if threshold is not None else needs_mention(result)
    if failing:
        return f"{_problem_words(result, weakest)} ({detail})"
    if value >= NOT_WEAK:
        return "no aspect is weak"
    return f"no serious flaw; the weakest aspect is {detail}"


def _problem_words(result: QualityResult, part: str) -> str:
    if part == "exposure":
        return OVEREXPOSED if result.exposure_bias > 0 else UNDEREXPOSED
    return PROBLEM_WORDS[part]


# --- Measurements ---


@dataclass(frozen=True, slots=True)
class _Levels:
    """Luminance statistics (0-1) read from one histogram."""

    mean: float
    std: float
    p2: float
    p10: float
    p98: float
    p99: float
    clipped_white: float

    @property
    def spread(self) -> float:
        return self.p98 - self.p2


def _working_copy(gray: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    height, width = gray.shape
    scale = WORKING_SIZE / max(height, width)
    if scale >= 1:
        return gray
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    # INTER_AREA averages like a camera would at the smaller size, without aliasing.
    return np.asarray(cv2.resize(gray, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)


def _working_copy_rgb(rgb: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    height, width = rgb.shape[:2]
    scale = WORKING_SIZE / max(height, width)
    if scale >= 1:
        return rgb
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return np.asarray(cv2.resize(rgb, size, interpolation=cv2.INTER_NEAREST), dtype=np.uint8)


def _grid_aligned_crop(gray: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """A central crop of at most WORKING_SIZE square whose origin sits on the JPEG 8-px grid."""
    height, width = gray.shape
    top = max(0, (height - WORKING_SIZE) // 2) // JPEG_BLOCK * JPEG_BLOCK
    left = max(0, (width - WORKING_SIZE) // 2) // JPEG_BLOCK * JPEG_BLOCK
    return gray[top : top + WORKING_SIZE, left : left + WORKING_SIZE]


def _luminance_levels(gray: npt.NDArray[np.uint8]) -> _Levels:
    # One 256-bin histogram gives every statistic; far cheaper than sorting for percentiles.
    histogram = np.bincount(gray.ravel(), minlength=256).astype(np.float64)
    share = histogram / histogram.sum()
    values = np.arange(256, dtype=np.float64) / 255.0
    mean = float(share @ values)
    std = float(np.sqrt(share @ (values - mean) ** 2))
    cumulative = np.cumsum(share)

    def percentile(fraction: float) -> float:
        return float(np.searchsorted(cumulative, fraction)) / 255.0

    return _Levels(
        mean=mean,
        std=std,
        p2=percentile(0.02),
        p10=percentile(0.10),
        p98=percentile(0.98),
        p99=percentile(0.99),
        clipped_white=float(share[CLIPPED_WHITE:].sum()),
    )


def _edge_steepness(luminance: FloatArray, spread: float, noise_sigma: float) -> float:
    """Gradient peak / local range at the stronger edges: ~0.5 sharp, falling with edge width.

    Dividing by the local range makes it independent of contrast and exposure, so a soft, low-contrast drawing
    with crisp outlines still counts as sharp. `noise_sigma` is in the same 0-1 units as `luminance`.
    """
    grad_x = cv2.Sobel(luminance, cv2.CV_32F, 1, 0, ksize=3, scale=0.125)
    grad_y = cv2.Sobel(luminance, cv2.CV_32F, 0, 1, ksize=3, scale=0.125)
    gradient = cv2.magnitude(grad_x, grad_y)
    window = np.ones((EDGE_WINDOW, EDGE_WINDOW), np.uint8)
    local_range = cv2.dilate(luminance, window) - cv2.erode(luminance, window)
    # The peak across each edge. Flat pixels beside an edge are "peaks" of a zero gradient; requiring a
    # gradient of some size relative to the range drops them (a fully blurred edge still measures ~0.12).
    ridge = (gradient >= cv2.dilate(gradient, np.ones((3, 3), np.uint8))) & (gradient >= 0.08 * local_range)
    # Relative to the image's own spread, so darkening an image does not change which edges count; above the
    # noise, so grain is not mistaken for (unsharp) edges.
    edges = ridge & (local_range >= max(0.04, 0.15 * spread, NOISE_RANGE_FACTOR * noise_sigma))
    if not edges.any():
        return 0.0
    return float(np.percentile(gradient[edges] / local_range[edges], EDGE_PERCENTILE))


def _noise_sigma(gray: FloatArray) -> float:
    """Immerkaer's noise sigma (8-bit levels) over the flattest pixels.

    The 3x3 kernel is the difference of two Laplacians, which cancels smooth gradients, so in flat areas what is
    left is noise: sigma = sqrt(pi/2) * mean|residual| / 6. Edges would be read as noise, hence the flat mask,
    chosen on a smoothed copy so the noise itself does not decide what is flat.
    """
    if min(gray.shape) < 8:
        return 0.0
    kernel = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)
    residual = np.abs(cv2.filter2D(gray, -1, kernel, borderType=cv2.BORDER_REFLECT))[1:-1, 1:-1]
    smooth = cv2.GaussianBlur(gray, (0, 0), 1.5)
    structure = cv2.magnitude(cv2.Sobel(smooth, cv2.CV_32F, 1, 0), cv2.Sobel(smooth, cv2.CV_32F, 0, 1))[1:-1, 1:-1]
    # Clipped pixels hide noise (half of it is cut off at 0 or 255): a white backdrop would read as clean.
    inner = gray[1:-1, 1:-1]
    unclipped = (inner > CLIPPED_BLACK) & (inner < CLIPPED_WHITE)
    candidates = unclipped if unclipped.mean() >= 0.05 else np.ones_like(unclipped)
    flat = candidates & (structure <= np.percentile(structure[candidates], FLAT_PERCENTILE))
    return float(np.sqrt(np.pi / 2) * residual[flat].mean() / 6.0)


def _blockiness(gray: FloatArray) -> float:
    """Median over 8-px block lines of (step across the boundary) / (mean step inside the neighbouring blocks).

    1 means no grid; JPEG blocking raises it. Large steps are content edges and are left out, and the median
    over lines ignores the odd drawn edge that happens to sit on the grid. Lines without any variation say
    nothing either way and are skipped.
    """
    height = gray.shape[0] // JPEG_BLOCK * JPEG_BLOCK
    width = gray.shape[1] // JPEG_BLOCK * JPEG_BLOCK
    if min(height, width) < 2 * JPEG_BLOCK:
        return 1.0
    aligned = gray[:height, :width]
    log_ratios = np.concatenate([_block_line_log_ratios(aligned), _block_line_log_ratios(aligned.T)])
    return float(np.exp(np.median(log_ratios))) if log_ratios.size else 1.0


def _block_line_log_ratios(gray: FloatArray) -> FloatArray:
    steps = np.abs(np.diff(gray, axis=1))
    steps[steps > BLOCK_STEP_LIMIT] = 0.0
    per_column = np.append(steps.mean(axis=0), 0.0)  # pad so columns split into whole blocks
    blocks = per_column.reshape(-1, JPEG_BLOCK)
    boundary = blocks[:-1, JPEG_BLOCK - 1]  # the step from each block into the next
    inside = blocks[:, : JPEG_BLOCK - 1].mean(axis=1)
    inside_both = 0.5 * (inside[:-1] + inside[1:])
    # Activity over both blocks (boundary included) so a line is not kept *because* it has a boundary step.
    activity = boundary + (JPEG_BLOCK - 1) * 2 * inside_both
    keep = activity >= BLOCK_MIN_ACTIVITY
    ratios = (boundary[keep] + BLOCK_FLOOR) / (inside_both[keep] + BLOCK_FLOOR)
    return np.asarray(np.log(ratios), np.float32)


# --- Parts ---


def _exposure_part(levels: _Levels, blown: float) -> tuple[float, float]:
    """Exposure 0-100 and its bias (> 0: the over-exposure penalty is the larger one)."""
    under = _curve(levels.p99, HIGHLIGHT_CURVE) * _curve(levels.mean, DARK_MEAN_CURVE) / 100.0
    washed_out = _curve(levels.clipped_white, CLIPPED_SHARE_CURVE) * _curve(levels.p10, SHADOW_LIFT_CURVE) / 100.0
    over = _curve(levels.mean, BRIGHT_MEAN_CURVE) * (1.0 - washed_out / 100.0) * _curve(blown, BLOWN_CURVE) / 100.0
    return under * over / 100.0, (under - over) / 100.0


def _blown_share(rgb: npt.NDArray[np.uint8]) -> float:
    """Share of blown-out colour: partially clipped pixels, and fully white ones once partial clipping shows."""
    small = _working_copy_rgb(rgb)
    brightest = small.max(axis=2)
    darkest = small.min(axis=2)
    # Only where the unclipped channels still vary: a smooth backdrop clipping in one channel loses nothing visible.
    spread = darkest.astype(np.float32)
    mean = cv2.blur(spread, (5, 5))
    deviation = np.sqrt(np.maximum(cv2.blur(spread * spread, (5, 5)) - mean * mean, 0.0))
    textured = deviation >= BLOWN_TEXTURE
    partial = float(((brightest >= CHANNEL_CLIPPED) & (darkest < CLIPPED_WHITE) & textured).mean())
    white = float((darkest >= CLIPPED_WHITE).mean())
    return partial + white * min(1.0, partial / BLOWN_EVIDENCE)


def _relative_noise(sigma: float, spread: float) -> float:
    low, high = NOISE_SPREAD_LIMITS
    return sigma * NOISE_REFERENCE_SPREAD / float(np.clip(spread, low, high))


def _contrast_part(levels: _Levels) -> float:
    rms = _curve(levels.std, RMS_CONTRAST_CURVE)
    spread = _curve(levels.spread, SPREAD_CURVE)
    return float(np.sqrt(rms * spread))


def _combine(parts: Mapping[str, float]) -> int:
    """100 times the product of the parts' penalties (part / 100) ** weight."""
    factor = float(np.prod([(parts[name] / 100.0) ** PART_WEIGHTS[name] for name in PART_NAMES]))
    return int(np.clip(round(100.0 * factor), 0, 100))


def _curve(value: float, anchors: Anchors) -> float:
    xs = [x for x, _ in anchors]
    ys = [y for _, y in anchors]
    return float(np.interp(value, xs, ys))
