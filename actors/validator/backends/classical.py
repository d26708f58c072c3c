"""A weight-free consistency embedder: the subject's colours and its pooled edge structure.

Pipeline per image:

1. Isolate the subject on a copy at most 128 px on the long side. The backdrop is modelled as a smooth colour
   surface (a plane or quadratic in x and y per L*a*b* channel) fitted to the stretch of the border most likely
   to be backdrop, so soft gradients and vignettes are backdrop too and a subject touching an edge (a close-up)
   does not pull the fit. Pixels far from the surface are the subject; holes are filled and specks dropped.
   When that "subject" reaches both side edges, it is either a scene's ground band (grass under a sky, a floor
   under a wall: a smooth surface cannot model two regions) or a close-up's shoulders; GrabCut from a centred
   rectangle on an 80 px copy then decides, learning the backdrop's colours from the side strips (it keeps the
   figure and drops the ground, and keeps a close-up's head while dropping shoulders cut by the frame; reference
   crops framed like close-ups, see views.py, go through the same path, so like is compared with like).
   GrabCut also takes over when no smooth surface explains the border (a busy scene); if it finds no plausible
   subject either, the whole frame is used.
2. Colour: a soft-binned lightness x hue x chroma histogram (from L*a*b*) of the subject's pixels. Hue is what a
   colour grade (warmer, more contrast) changes least, and soft binning (each pixel shared between neighbouring
   bins) keeps small shifts from throwing colours into other bins.
3. Structure: HOG-style 2x2-cell blocks of gradient-orientation histograms over the subject, averaged over the
   whole subject (not laid out on a grid, so pose and framing do not matter), at two scales, made mirror-symmetric.
4. Each block is power-normalised (structure: square root, i.e. Hellinger; colour: power 0.25, see COLOUR_POWER) and
   L2-normalised, then weighted, concatenated and normalised, so the cosine of two embeddings is the weighted sum
   of the blocks' own cosines.

Measured with bench/consistency_auc.py (drawn characters rendered by the local engine into every shot, mood and
setting; scikit-image's photographs reframed and re-graded): ROC AUC 0.99 on the drawn set and 0.93 on the
photographs, against 0.59 and 0.94 for a whole-image colour histogram. Its known weakness: a stranger wearing the
same outfit (the bench's "twin": Nova's jacket, other hair, skin and trousers) scores around the threshold.
"""

from collections.abc import Sequence
from typing import Final

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image

from actors.validator.backends.base import Embeddings
from actors.validator.calibration import Calibration

FloatArray = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]

SEGMENT_SIZE: Final = 128  # px, long side of the copy the subject is isolated on
RING_JUMP: Final = 12.0  # Delta E between neighbouring border pixels that marks a subject's outline
BACKDROP_INLIERS: Final = 0.8  # share of the backdrop samples trusted when refitting
MIN_BACKDROP_RING: Final = 0.5  # a smooth backdrop must explain at least this share of the border
# px; ~3 ms per iteration. 96 px cost 1.5x as much and scored no better (bench.consistency_auc).
GRABCUT_SIZE: Final = 80
GRABCUT_ITERATIONS: Final = 2
GRABCUT_SEED: Final = 20240601
MIN_SUBJECT_DISTANCE: Final = 10.0  # Delta E from the backdrop surface below which a pixel is backdrop
MIN_SUBJECT_SHARE: Final = 0.02  # a "subject" smaller than this share of the frame is a speck: use the frame
MAX_SUBJECT_SHARE: Final = 0.95  # larger than this, isolation failed: use the frame
# A "subject" covering more than this of a frame whose border is smooth is more likely a busy scene inside a plain
# frame (a photo of a circuit board): let GrabCut try. A head-and-shoulders close-up covers about half.
MAX_SMOOTH_BACKDROP_SUBJECT: Final = 0.75

# Colour histogram: lightness bins over L* 0..100; chroma levels (grey, muted, vivid) centred on these chroma
# values (the distance from grey in the a*b* plane); hue bins of 30 degrees for the muted and vivid colours.
L_BINS: Final = 4
CHROMA_LEVELS: Final = (12.0, 35.0, 70.0)
HUE_BINS: Final = 18
# Colour shares are raised to this power (0.5 would be Hellinger's square root). Lower, a colour's presence counts
# more than its amount: a close-up shows the face and hair at full size and little of the jacket, and should still
# read as the same palette. Chosen with HUE_BINS on bench/consistency_auc.py: 0.25 with 18 hue bins separates the
# same-outfit stranger best (AUC 0.94 against 0.89 for 0.35 with 12 bins) without losing the drawn set (0.995).
COLOUR_POWER: Final = 0.25

ORIENTATION_BINS: Final = 9  # unsigned, 20 degrees each, centred so a mirror maps bin k to bin 8 - k
CELL: Final = 8  # px
STRUCTURE_SIZES: Final = (96, 48)  # px, long side of the subject crop at each scale
STRUCTURE_SOURCE_SIZE: Final = 512  # px, long side of the copy the subject crop is cut from
BLOCK_CLIP: Final = 0.2  # HOG's clipping of block components, so one strong edge does not dominate a block

# How much each part counts in the cosine. Colour identifies a character best (a palette survives pose, framing
# and mirroring); structure adds the character of its edges (hair strands, folds, hard or soft outlines).
COLOUR_WEIGHT: Final = 0.75
STRUCTURE_WEIGHT: Final = 0.25

# Cosine -> 0-100 consistency, linear between these points. Cosines measured with bench/consistency_auc.py (best
# match over the references' views, drawn set rendered by the local engine, 256 px):
#   same character, any shot, mood and setting:          5th percentile 0.87-0.89, median 0.95-0.96
#   a stranger in the same jacket ("twin"):               median 0.87, 90th percentile 0.91
#   a different body in a similar palette (Bram):         median 0.69, 90th percentile 0.86
#   the same body in another palette:                     median 0.71-0.72, 95th percentile 0.79-0.82
#   photographs of other subjects (scikit-image):         median 0.79, 90th percentile 0.89
# 80 means "the same character, changed in several ways at once" (a graded close-up in a new setting): cosine 0.875,
# just under nine in ten same-character renders and above nine in ten strangers of another palette or body.
# 90 is cosine 0.93, a typical same-character render. A character whose own reference views are less alike than
# 0.875 moves the 80-point down to its own spread, by at most MAX_SPREAD_SHIFT (calibration.py).
CALIBRATION_POINTS: Final[tuple[tuple[float, float], ...]] = (
    (0.60, 0.0),
    (0.75, 25.0),
    (0.875, 80.0),
    (0.93, 90.0),
    (1.00, 100.0),
)
MAX_SPREAD_SHIFT: Final = 0.03
CALIBRATION: Final = Calibration(CALIBRATION_POINTS, max_spread_shift=MAX_SPREAD_SHIFT)

MODEL_ID: Final = "classical-lch-hog-v2"


class ClassicalEmbedder:
    """Colour + pooled-structure descriptor of the isolated subject; needs no weights, runs in milliseconds."""

    name: str = "classical"
    model_id: str = MODEL_ID
    calibration: Calibration = CALIBRATION
    max_batch: int = 1  # one image at a time: nothing is gained by batching, and threads can run images in parallel

    def embed(self, images: Sequence[Image.Image]) -> Embeddings:
        """One L2-normalised float32 row per image (shape: len(images) x dim)."""
        rows = [embed_image(image) for image in images]
        if not rows:
            return np.zeros((0, embedding_size()), np.float32)
        return np.stack(rows).astype(np.float32)

    def calibrate(self, cosine: float) -> float:
        """Piecewise-linear map from cosine to 0-100 through CALIBRATION_POINTS; monotone and clipped."""
        return self.calibration.score(cosine)


def embedding_size() -> int:
    return colour_histogram_size() + len(STRUCTURE_SIZES) * 4 * ORIENTATION_BINS


def embed_image(image: Image.Image) -> FloatArray:
    """The embedding of one image: weighted colour and structure blocks, L2-normalised."""
    full = np.asarray(image.convert("RGB"))
    rgb = downscaled(full, SEGMENT_SIZE)
    mask = subject_mask(rgb)
    colour = _power_normalised(_colour_histogram(rgb, mask), COLOUR_POWER)
    # Edges are read at up to 512 px: a small figure in a wide shot has few pixels on the segmentation copy.
    gray = np.asarray(cv2.cvtColor(downscaled(full, STRUCTURE_SOURCE_SIZE), cv2.COLOR_RGB2GRAY), np.uint8)
    structure = _hellinger(np.concatenate([_pooled_structure(gray, mask, size) for size in STRUCTURE_SIZES]))
    row = np.concatenate([np.sqrt(COLOUR_WEIGHT) * colour, np.sqrt(STRUCTURE_WEIGHT) * structure])
    return _unit(row)


# --- Subject isolation ---


def subject_mask(rgb: npt.NDArray[np.uint8]) -> BoolArray:
    """True where the subject is; the whole frame when no subject can be told from its backdrop."""
    height, width = rgb.shape[:2]
    if min(height, width) < 16:
        return np.ones((height, width), dtype=bool)
    smooth = _smooth_backdrop_mask(rgb)
    if smooth is not None and not _spans_width(smooth):
        return smooth
    grabcut = _grabcut_mask(rgb)
    if grabcut is not None:
        return grabcut
    return smooth if smooth is not None else np.ones((height, width), dtype=bool)


def figure_mask(rgb: npt.NDArray[np.uint8]) -> BoolArray:
    """The subject for framing purposes: a close-up's shoulders, cut by the frame, count as part of the figure.

    `subject_mask` hands a mask that spans the frame's width to GrabCut, which keeps the head and drops what
    touches the sides (right for a ground band, and harmless for a descriptor); framing needs the shoulders.
    """
    if min(rgb.shape[:2]) >= 16:
        smooth = _smooth_backdrop_mask(rgb)
        if smooth is not None:
            return smooth
    return subject_mask(rgb)


def _spans_width(mask: BoolArray) -> bool:
    """Whether the "subject" reaches both side edges: a ground band (grass, a floor) or a close-up's shoulders."""
    edge = max(1, mask.shape[1] // 64)
    return bool(mask[:, :edge].any() and mask[:, -edge:].any())


def _smooth_backdrop_mask(rgb: npt.NDArray[np.uint8]) -> BoolArray | None:
    """Pixels far from a smooth backdrop surface fitted to the frame's border; None if the backdrop is not smooth."""
    lab = _lab(rgb)
    height, width = lab.shape[:2]
    ring_rows, ring_cols = _ring_path(height, width)
    ring_colours = lab[ring_rows, ring_cols]
    seed = _backdrop_seed(ring_colours, ring_rows, ring_cols, height, width)
    terms = _surface_terms(ring_rows, ring_cols, height, width, quadratic=False)
    backdrop, spread = _fit_backdrop(terms[seed], ring_colours[seed])
    # Widen to every ring pixel the seed's surface explains (the backdrop between two legs, the far side of a head).
    inliers = np.linalg.norm(ring_colours - terms @ backdrop, axis=1) <= _subject_distance(spread)
    if inliers.mean() < MIN_BACKDROP_RING:
        return None  # a busy scene: no smooth surface explains the border
    # A quadratic fits vignettes and spotlights, but only a ring that is mostly backdrop constrains it.
    quadratic = inliers.mean() >= 0.75
    terms = _surface_terms(ring_rows, ring_cols, height, width, quadratic=quadratic)
    backdrop, spread = _fit_backdrop(terms[inliers], ring_colours[inliers])
    rows, cols = np.mgrid[0:height, 0:width]
    everywhere = _surface_terms(rows.ravel(), cols.ravel(), height, width, quadratic=quadratic)
    distance = np.linalg.norm(lab.reshape(-1, 3) - everywhere @ backdrop, axis=1).reshape(height, width)
    return _plausible(_clean(distance > _subject_distance(spread)), MAX_SMOOTH_BACKDROP_SUBJECT)


def _grabcut_mask(rgb: npt.NDArray[np.uint8]) -> BoolArray | None:
    """GrabCut from a centred rectangle, on a small copy: slower, but copes with a busy scene behind the subject."""
    small = downscaled(rgb, GRABCUT_SIZE)
    height, width = small.shape[:2]
    inset_x, inset_top = round(0.08 * width), round(0.04 * height)
    # Open at the bottom: figures are cut off by the lower edge far more often than by the others.
    rect = (inset_x, inset_top, width - 2 * inset_x, height - inset_top)
    labels = np.zeros((height, width), np.uint8)
    background_model = np.zeros((1, 65), np.float64)
    foreground_model = np.zeros((1, 65), np.float64)
    cv2.setRNGSeed(GRABCUT_SEED)  # GrabCut seeds its colour models with k-means: fix it so embeddings repeat
    cv2.grabCut(small, labels, rect, background_model, foreground_model, GRABCUT_ITERATIONS, cv2.GC_INIT_WITH_RECT)
    foreground = ((labels == cv2.GC_FGD) | (labels == cv2.GC_PR_FGD)).astype(np.uint8)
    full_size = cv2.resize(foreground, (rgb.shape[1], rgb.shape[0]), interpolation=cv2.INTER_NEAREST).astype(bool)
    return _plausible(_clean(full_size), MAX_SUBJECT_SHARE)


def _subject_distance(spread: float) -> float:
    """Delta E from the backdrop surface beyond which a pixel is subject: above the backdrop's own variation."""
    return max(MIN_SUBJECT_DISTANCE, 4.0 * spread)


def _plausible(mask: BoolArray, max_share: float) -> BoolArray | None:
    """The mask, unless it is a speck or covers more of the frame than a subject plausibly does."""
    return mask if MIN_SUBJECT_SHARE <= float(mask.mean()) <= max_share else None


def _ring_path(height: int, width: int) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """The frame's outermost pixels in order, clockwise from the top-left corner, as (rows, cols)."""
    top = [(0, c) for c in range(width)]
    right = [(r, width - 1) for r in range(1, height)]
    bottom = [(height - 1, c) for c in range(width - 2, -1, -1)]
    left = [(r, 0) for r in range(height - 2, 0, -1)]
    path = np.array(top + right + bottom + left, dtype=np.intp)
    return path[:, 0], path[:, 1]


def _backdrop_seed(
    colours: FloatArray, rows: npt.NDArray[np.intp], cols: npt.NDArray[np.intp], height: int, width: int
) -> BoolArray:
    """The stretch of the ring most likely to be backdrop.

    The ring is cut wherever the colour jumps (a soft gradient never jumps; a subject's outline does). Of the
    stretches, the one holding the most corners wins, the top corners counting double because a centred subject
    reaches the bottom of the frame far more often than its top; then the longer one.
    """
    smoothed = cv2.blur(colours.reshape(-1, 1, 3), (1, 3)).reshape(-1, 3)
    jumps = np.linalg.norm(smoothed - np.roll(smoothed, 1, axis=0), axis=1) > RING_JUMP
    if not jumps.any():
        return np.ones(len(colours), dtype=bool)
    run_ids = np.cumsum(jumps)
    first = int(np.flatnonzero(jumps)[0])
    run_ids[:first] = run_ids[-1]  # the ring is closed: the stretch before the first cut continues the last one
    corner_weight = _corner_weights(rows, cols, height, width)
    best_id, best_key = -1, (-1.0, -1)
    for run_id in np.unique(run_ids):
        members = run_ids == run_id
        key = (float(corner_weight[members].sum()), int(members.sum()))
        if key > best_key:
            best_id, best_key = int(run_id), key
    return np.asarray(run_ids == best_id)


def _corner_weights(rows: npt.NDArray[np.intp], cols: npt.NDArray[np.intp], height: int, width: int) -> FloatArray:
    reach = max(2, min(height, width) // 16)
    near_top, near_bottom = rows < reach, rows >= height - reach
    near_left, near_right = cols < reach, cols >= width - reach
    weights = np.zeros(len(rows), np.float32)
    weights[(near_top & near_left) | (near_top & near_right)] = 2.0
    weights[(near_bottom & near_left) | (near_bottom & near_right)] = 1.0
    return weights


def _surface_terms(
    rows: npt.NDArray[np.intp], cols: npt.NDArray[np.intp], height: int, width: int, *, quadratic: bool
) -> FloatArray:
    """Per pixel [1, x, y] (plane) or [1, x, y, x^2, y^2, xy] (quadratic), with x, y in -1..1."""
    x = (2.0 * cols / max(width - 1, 1) - 1.0).astype(np.float32)
    y = (2.0 * rows / max(height - 1, 1) - 1.0).astype(np.float32)
    plane = [np.ones_like(x), x, y]
    return np.stack([*plane, x * x, y * y, x * y] if quadratic else plane, axis=1)


def _fit_backdrop(terms: FloatArray, colours: FloatArray) -> tuple[FloatArray, float]:
    """Least-squares surface, refitted on its best-fitting share; returns (coefficients, spread).

    Trimming drops the odd ring pixel that belongs to the subject after all. The spread (median Delta E of the
    trusted pixels) says how much the backdrop itself varies.
    """
    keep = np.ones(len(colours), dtype=bool)
    coefficients = np.zeros((terms.shape[1], 3), np.float32)
    residual = np.zeros(len(colours), np.float32)
    for _ in range(2):
        coefficients = np.linalg.lstsq(terms[keep], colours[keep], rcond=None)[0].astype(np.float32)
        residual = np.linalg.norm(colours - terms @ coefficients, axis=1)
        keep = residual <= np.quantile(residual, BACKDROP_INLIERS)
    return coefficients, float(np.median(residual[keep]))


def _clean(mask: BoolArray) -> BoolArray:
    """Drop specks, fill holes (a white shirt on a white backdrop), keep the sizeable parts."""
    mask8 = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask8, connectivity=8)
    if count <= 1:
        return np.zeros_like(mask)
    areas = stats[1:, cv2.CC_STAT_AREA]
    kept = np.flatnonzero(areas >= 0.1 * areas.max()) + 1
    solid = np.isin(labels, kept)
    return _fill_holes(solid)


def _fill_holes(mask: BoolArray) -> BoolArray:
    """Backdrop is what the frame's border reaches through non-subject pixels; the rest is subject."""
    outside = np.pad(~mask, 1, constant_values=True).astype(np.uint8)
    flood_mask = np.zeros((outside.shape[0] + 2, outside.shape[1] + 2), np.uint8)
    cv2.floodFill(outside, flood_mask, (0, 0), 2)
    return np.asarray(outside[1:-1, 1:-1] != 2)


# --- Colour ---


def _colour_histogram(rgb: npt.NDArray[np.uint8], mask: BoolArray) -> FloatArray:
    """Soft histogram of the subject's colours as lightness x hue x chroma, with greys in lightness-only bins.

    Hue is the coordinate a grade disturbs least: warming or adding contrast mostly moves a colour along its own
    hue (more or less chroma, lighter or darker), so binning by hue rather than by a* and b* keeps a graded copy
    in the same bins. Each pixel is shared between neighbouring bins on every axis (hue wraps round).
    """
    lab = _lab(rgb)[mask]
    lightness = np.clip(lab[:, 0] / 100.0, 0.0, 1.0) * (L_BINS - 1)
    chroma = np.interp(np.hypot(lab[:, 1], lab[:, 2]), CHROMA_LEVELS, np.arange(len(CHROMA_LEVELS)))
    hue = np.mod(np.arctan2(lab[:, 2], lab[:, 1]), 2 * np.pi) / (2 * np.pi) * HUE_BINS
    histogram = np.zeros(colour_histogram_size(), np.float64)
    hue_shares = _circular_shares(hue, HUE_BINS)
    for l_bin, l_weight in _linear_shares(lightness, L_BINS):
        for c_level, c_weight in _linear_shares(chroma, len(CHROMA_LEVELS)):
            grey = c_level == 0  # a grey's hue is noise: greys go to lightness-only bins
            histogram += np.bincount(l_bin, weights=l_weight * c_weight * grey, minlength=histogram.size)
            colour_level = np.maximum(c_level - 1, 0)
            for h_bin, h_weight in hue_shares:
                index = L_BINS + (l_bin * (len(CHROMA_LEVELS) - 1) + colour_level) * HUE_BINS + h_bin
                weight = l_weight * c_weight * ~grey * h_weight
                histogram += np.bincount(index, weights=weight, minlength=histogram.size)
    return histogram.astype(np.float32)


def colour_histogram_size() -> int:
    return L_BINS + L_BINS * (len(CHROMA_LEVELS) - 1) * HUE_BINS


Shares = list[tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]]


def _linear_shares(position: npt.NDArray[np.floating], bins: int) -> Shares:
    """For positions on 0..bins-1, the lower and upper bin and each one's share (1 - distance)."""
    low = np.minimum(np.floor(position), bins - 2).astype(np.int64)
    upper = np.asarray(position - low, np.float64)
    return [(low, 1.0 - upper), (low + 1, upper)]


def _circular_shares(position: npt.NDArray[np.floating], bins: int) -> Shares:
    """As `_linear_shares`, on a circle of `bins` bins (the last bin's upper neighbour is bin 0)."""
    low = np.floor(position)
    upper = np.asarray(position - low, np.float64)
    low_bin = np.mod(low, bins).astype(np.int64)
    return [(low_bin, 1.0 - upper), (np.mod(low_bin + 1, bins), upper)]


# --- Structure ---


def _pooled_structure(gray: npt.NDArray[np.uint8], mask: BoolArray, long_side: int) -> FloatArray:
    """Mean HOG block (2x2 cells x 9 orientations) over the subject, at a scale set by the subject's size."""
    crop, crop_mask = _subject_crop(gray, mask, long_side)
    grad_x = cv2.Sobel(crop, cv2.CV_32F, 1, 0, ksize=3)
    grad_y = cv2.Sobel(crop, cv2.CV_32F, 0, 1, ksize=3)
    # Count the silhouette too: a couple of pixels around the mask carry the outline's edges.
    near_subject = cv2.dilate(crop_mask.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(np.float32)
    weight = np.asarray(cv2.magnitude(grad_x, grad_y) * near_subject, np.float32)
    orientation = np.asarray(np.mod(np.arctan2(grad_y, grad_x), np.pi) / np.pi * ORIENTATION_BINS - 0.5, np.float32)
    blocks = _hog_normalised(_two_by_two(_cell_histograms(orientation, weight)))
    coverage = _two_by_two(_cell_coverage(crop_mask)[..., None]).mean(axis=-1)
    inside = blocks[coverage >= 0.5]
    chosen = inside if len(inside) else blocks.reshape(-1, blocks.shape[-1])
    if not len(chosen):
        return np.zeros(4 * ORIENTATION_BINS, np.float32)
    return _mirror_symmetric(np.asarray(chosen.mean(axis=0), np.float32))


def _subject_crop(gray: npt.NDArray[np.uint8], mask: BoolArray, long_side: int) -> tuple[FloatArray, BoolArray]:
    """The subject's bounding box cut from `gray` (any size; `mask` may be smaller), resized to `long_side`."""
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    if not len(rows):
        rows, cols = np.arange(mask.shape[0]), np.arange(mask.shape[1])
    scale_y, scale_x = gray.shape[0] / mask.shape[0], gray.shape[1] / mask.shape[1]
    top, bottom = int(rows[0] * scale_y), int(np.ceil((rows[-1] + 1) * scale_y))
    left, right = int(cols[0] * scale_x), int(np.ceil((cols[-1] + 1) * scale_x))
    crop = gray[top:bottom, left:right].astype(np.float32) / 255.0
    scale = long_side / max(crop.shape)
    size = (max(2 * CELL, round(crop.shape[1] * scale)), max(2 * CELL, round(crop.shape[0] * scale)))
    resized = cv2.resize(crop, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    box_mask = mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1].astype(np.uint8)
    resized_mask = cv2.resize(box_mask, size, interpolation=cv2.INTER_NEAREST)
    return np.asarray(resized, np.float32), np.asarray(resized_mask, dtype=bool)


def _cell_histograms(orientation: FloatArray, weight: FloatArray) -> FloatArray:
    """Per 8x8 cell, the magnitude-weighted orientation histogram, each gradient split between its two nearest bins."""
    height = orientation.shape[0] // CELL * CELL
    width = orientation.shape[1] // CELL * CELL
    orientation, weight = orientation[:height, :width], weight[:height, :width]
    low = np.floor(orientation)
    upper_share = orientation - low
    low_bin = np.mod(low, ORIENTATION_BINS).astype(np.int64)
    high_bin = np.mod(low_bin + 1, ORIENTATION_BINS)
    to_low, to_high = weight * (1.0 - upper_share), weight * upper_share
    channels = np.stack(
        [np.where(low_bin == k, to_low, 0.0) + np.where(high_bin == k, to_high, 0.0) for k in range(ORIENTATION_BINS)],
        axis=-1,
    )
    cells = channels.reshape(height // CELL, CELL, width // CELL, CELL, ORIENTATION_BINS).sum(axis=(1, 3))
    return np.asarray(cells, np.float32)


def _cell_coverage(mask: BoolArray) -> FloatArray:
    """Share of each 8x8 cell that is subject."""
    height = mask.shape[0] // CELL * CELL
    width = mask.shape[1] // CELL * CELL
    cells = mask[:height, :width].reshape(height // CELL, CELL, width // CELL, CELL)
    return np.asarray(cells.mean(axis=(1, 3)), np.float32)


def _two_by_two(cells: FloatArray) -> FloatArray:
    """Every 2x2 group of cells, concatenated as [top-left, top-right, bottom-left, bottom-right]."""
    return np.concatenate([cells[:-1, :-1], cells[:-1, 1:], cells[1:, :-1], cells[1:, 1:]], axis=-1)


def _hog_normalised(blocks: FloatArray) -> FloatArray:
    """HOG's L2-Hys: normalise, clip so one strong edge cannot dominate a block, normalise again."""
    clipped = np.minimum(blocks / (np.linalg.norm(blocks, axis=-1, keepdims=True) + 1e-6), BLOCK_CLIP)
    return np.asarray(clipped / (np.linalg.norm(clipped, axis=-1, keepdims=True) + 1e-6), np.float32)


def _mirror_symmetric(block: FloatArray) -> FloatArray:
    """Average a pooled block with its mirror image: left and right cells swap, orientation k becomes 8 - k."""
    cells = block.reshape(2, 2, ORIENTATION_BINS)
    mirrored = cells[:, ::-1, ::-1]
    return np.asarray((cells + mirrored) / 2.0, np.float32).ravel()


# --- Helpers ---


def downscaled(rgb: npt.NDArray[np.uint8], long_side: int) -> npt.NDArray[np.uint8]:
    height, width = rgb.shape[:2]
    scale = long_side / max(height, width)
    if scale >= 1:
        return np.ascontiguousarray(rgb)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return np.asarray(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)


def _lab(rgb: npt.NDArray[np.uint8]) -> FloatArray:
    """CIE L*a*b* with L* in 0..100 and a*, b* roughly -128..127 (float input keeps OpenCV from rescaling)."""
    return np.asarray(cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab), np.float32)


def _hellinger(histogram: FloatArray) -> FloatArray:
    """Square root then L2: the cosine of two such vectors is the Bhattacharyya coefficient of the histograms."""
    return _power_normalised(histogram, 0.5)


def _power_normalised(histogram: FloatArray, power: float) -> FloatArray:
    """Shares raised to `power`, then L2-normalised; the lower the power, the more presence counts over amount."""
    total = float(histogram.sum())
    if total <= 0:
        return np.zeros_like(histogram)
    return _unit(np.power(np.maximum(histogram, 0.0) / total, power))


def _unit(vector: FloatArray) -> FloatArray:
    norm = float(np.linalg.norm(vector))
    return (vector / norm).astype(np.float32) if norm > 0 else vector.astype(np.float32)
