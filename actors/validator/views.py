"""Extra views derived from a reference image, so a close-up or medium shot has something framed like it to match.

A character's master is usually a full figure; a generated close-up shows only the head and shoulders, and any
global descriptor (a colour histogram, a ViT's class token) of the two differs because the framing differs, not
the character. So each reference is embedded as the whole image plus crops framed the way shots are framed:

- "upper": the top 55 % of the figure (a medium shot), square, centred on the figure's upper body;
- "head": the top 30 % of the figure (a close-up), square, centred on the head.

Bands are measured on the figure's full height: when the figure is cut by the bottom edge (a bust), its height
is estimated from its width (a standing figure is about 2.6 times as tall as it is wide), and a band that would
cover (nearly) all that is shown is not derived. The crops are cut from the reference with its backdrop, the way
a shot would show it, and are embedded exactly like any image. They are computed once per reference and cached
with its embedding (see EmbeddingCache), so checking a candidate still costs one embedding.
"""

from dataclasses import dataclass
from typing import Final

import numpy as np
from PIL import Image

from actors.validator.backends.classical import SEGMENT_SIZE, downscaled, figure_mask

RECIPE: Final = "views-v1:whole,upper55,head30"  # part of the cache key: change it when the crops change
BANDS: Final[tuple[tuple[str, float], ...]] = (("upper", 0.55), ("head", 0.30))
FIGURE_ASPECT: Final = 2.6  # height / width of a standing figure, to estimate how much of a cut figure is shown
MAX_SHOWN_SHARE: Final = 0.85  # a band covering more than this share of what is shown adds nothing: skip it
HEADROOM: Final = 0.06  # of the band's height, above the top of the figure, as a framed shot leaves
HEAD_SHARE: Final = 0.12  # of the figure's height: the band whose columns locate the head


@dataclass(frozen=True, slots=True)
class Figure:
    """The subject's box in image pixels and its mask on the analysis copy (with that copy's scale)."""

    left: float
    top: float
    right: float
    bottom: float
    shown: float  # share of the figure's full height inside the image (1 for an uncut figure)
    mask: np.ndarray
    scale: float  # image pixels per mask pixel


def find_figure(image: Image.Image) -> Figure | None:
    """The main subject's box, or None when nothing stands out from the backdrop (the whole frame is subject)."""
    rgb = np.asarray(image.convert("RGB"))
    small = downscaled(rgb, SEGMENT_SIZE)
    mask = figure_mask(small)
    if mask.all():
        return None
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    scale = rgb.shape[0] / small.shape[0]
    top, bottom = rows[0] * scale, (rows[-1] + 1) * scale
    left, right = cols[0] * scale, (cols[-1] + 1) * scale
    shown = 1.0
    if rows[-1] >= small.shape[0] - 1:  # cut by the bottom edge: estimate the full height from the width
        shown = float(np.clip((bottom - top) / max(1.0, right - left) / FIGURE_ASPECT, 0.3, 1.0))
    return Figure(left, top, right, bottom, shown, mask, scale)


def reference_views(image: Image.Image) -> list[Image.Image]:
    """The whole image first, then the derived crops (none when no figure is found or it is already tight)."""
    views = [image]
    figure = find_figure(image)
    if figure is None:
        return views
    for _, band in BANDS:
        share = band / figure.shown
        if share > MAX_SHOWN_SHARE:
            continue
        views.append(_band_crop(image, figure, share, centre_share=HEAD_SHARE / figure.shown if band < 0.4 else share))
    return views


def _band_crop(image: Image.Image, figure: Figure, share: float, centre_share: float) -> Image.Image:
    """A square crop holding the top `share` of the figure, centred on its columns within the top `centre_share`."""
    height = (figure.bottom - figure.top) * share
    side = max(1, round(height * (1.0 + HEADROOM)))
    centre_x = _band_centre(figure, min(1.0, centre_share))
    left = round(centre_x - side / 2.0)
    top = round(figure.top - height * HEADROOM)
    box = (left, top, left + side, top + side)
    # Pixels beyond the reference repeat its edge, as a reframed shot continues the backdrop.
    return _crop_with_edge(image, box)


def _band_centre(figure: Figure, share: float) -> float:
    first = int(figure.top / figure.scale)
    last = max(first + 1, int((figure.top + (figure.bottom - figure.top) * share) / figure.scale))
    columns = np.flatnonzero(figure.mask[first:last].any(axis=0))
    if columns.size == 0:
        return (figure.left + figure.right) / 2.0
    return float((columns[0] + columns[-1] + 1) / 2.0 * figure.scale)


def _crop_with_edge(image: Image.Image, box: tuple[int, int, int, int]) -> Image.Image:
    left, top, right, bottom = box
    width, height = image.size
    if left >= 0 and top >= 0 and right <= width and bottom <= height:
        return image.crop(box)
    rgb = np.asarray(image.convert("RGB"))
    pad_left, pad_top = max(0, -left), max(0, -top)
    pad_right, pad_bottom = max(0, right - width), max(0, bottom - height)
    padded = np.pad(rgb, ((pad_top, pad_bottom), (pad_left, pad_right), (0, 0)), mode="edge")
    return Image.fromarray(padded[top + pad_top : bottom + pad_top, left + pad_left : right + pad_left])
