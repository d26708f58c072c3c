"""Shot type and angle of an uploaded reference, derived from the image itself when the uploader gave none.

Two kinds of evidence, in this order:

1. The figure against its backdrop. When the border of the image is one even colour (a studio backdrop, a
   character sheet, a render on a plain ground) the figure is the largest region that differs from it:
   - shot type: a figure cut by the bottom edge is a close-up when its head is at least CLOSE_UP_HEAD of the frame
     height, else medium; a whole figure is full-body when it is at least FULL_BODY_FIGURE of the frame height,
     else wide (the subject is small in a scene);
   - angle: the head is the top of the figure down to the neck (where the outline narrows) or the shoulders (where
     it widens). Skin-coloured pixels in the head show the face: almost none means the back of the head (back);
     centred skin means front; skin pushed towards one side means 45-degree, and far to one side means side.
2. Faces found by OpenCV's bundled Haar cascades (frontal, and profile in both directions, since the profile
   cascade only knows faces looking one way). They decide when the backdrop is busy (a photograph in a scene):
   face height over frame height gives the shot type (FACE_CLOSE_UP, FACE_MEDIUM, FACE_FULL_BODY), a frontal face
   means front and a profile-only face means side. On a clean backdrop they only break a tie between front and
   45-degree, because stylised faces fool them often (see bench/selection_accuracy.py for the confusion matrix).

Anything that cannot be told is None, and the caller keeps the reference unlabelled (it still ranks, with no
shot or angle points). The measurements behind each decision come back as a dict of floats, for the upload log and
for a user who wants to know why a reference was labelled as it was.
"""

import functools
from dataclasses import dataclass
from typing import Final

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

from contracts.model import Angle, ShotType

ByteArray = NDArray[np.uint8]

# Analysis size: the longer side of the working copy, and the height the figure is scaled to for the head.
_ANALYSIS_SIDE: Final = 512
_FIGURE_HEIGHT: Final = 320

# Backdrop: how calm the border must be (0-255 scale), how fast the backdrop may change from one row to the next,
# and how far a figure pixel must differ from it.
_MAX_BORDER_ROUGHNESS: Final = 12.0
_STEP_TO_SPREAD: Final = 3.0
_MAX_BACKDROP_STEP: Final = 6.0
_MIN_CONTRAST: Final = 32.0
_MIN_SUBJECT_SHARE: Final = 0.005
_MAX_SUBJECT_SHARE: Final = 0.9
_EDGE_SHARE: Final = 0.015  # a figure reaching this close to the bottom edge is cut by it

CLOSE_UP_HEAD: Final = 0.33  # head height / frame height, for a figure cut by the bottom edge
FULL_BODY_FIGURE: Final = 0.6  # figure height / frame height, for a whole figure

# Head: where the outline narrows (neck) or widens (shoulders) below the skull, relative to the widest row so far.
_NECK_NARROWING: Final = 0.85
_SHOULDER_WIDENING: Final = 1.35
_MIN_HEAD_ASPECT: Final = 0.5  # the head is at least this tall for its width before a neck may end it
_SHOULDER_LAG: Final = 0.04  # share of the figure height between the rows compared for widening
_MIN_SHOULDER_DEPTH: Final = 0.8  # the head is at least this tall for its width before shoulders may end it

# Face in the head: share of head pixels that are skin, and the skin centroid's offset in head widths, measured over
# the upper part of the head.
_FACE_PART: Final = 0.8
_MIN_FACE_WIDTH: Final = 0.6  # skin this wide (in head widths) just below a skinless head is a face under a hat
BACK_MAX_SKIN: Final = 0.08
FRONT_MAX_OFFSET: Final = 0.05
SIDE_MIN_OFFSET: Final = 0.17

# Haar face height / frame height: at least this for close-up, medium, full-body; below the last, wide.
FACE_CLOSE_UP: Final = 0.25
FACE_MEDIUM: Final = 0.1
FACE_FULL_BODY: Final = 0.04
_HAAR_SIDE: Final = 640

_FRONTAL_CASCADES: Final = ("haarcascade_frontalface_default.xml", "haarcascade_frontalface_alt2.xml")
_PROFILE_CASCADE: Final = "haarcascade_profileface.xml"

# YCrCb skin range (Chai and Ngan's classic bounds), with a floor on brightness to skip deep shadow.
_SKIN_CR: Final = (135, 173)
_SKIN_CB: Final = (77, 127)
_SKIN_MIN_Y: Final = 60

Box = tuple[int, int, int, int]  # left, top, right (exclusive), bottom (exclusive)


@dataclass(frozen=True, slots=True)
class _Figure:
    mask: ByteArray  # analysis scale, 1 on the figure
    box: Box  # analysis scale
    height: int  # analysis image height
    width: int


@dataclass(frozen=True, slots=True)
class _Head:
    box: Box  # analysis scale
    skin_share: float
    skin_offset: float  # skin centroid minus head centre, in head widths; + is towards the image's right


@dataclass(frozen=True, slots=True)
class _Faces:
    frontal: list[Box]
    profile: list[Box]
    scale: float  # analysis pixels per Haar pixel


def _rgb(image: Image.Image) -> ByteArray:
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        # A transparent cut-out: lay it on white, which is what a studio backdrop looks like.
        ground = Image.new("RGB", image.size, (255, 255, 255))
        ground.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        return np.asarray(ground, dtype=np.uint8)
    return np.asarray(image.convert("RGB"), dtype=np.uint8)


def _resized(rgb: ByteArray, side: int) -> ByteArray:
    height, width = rgb.shape[:2]
    factor = side / max(height, width)
    if factor >= 1.0:
        return rgb
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    return np.asarray(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)


def _border_roughness(rgb: ByteArray) -> float:
    """How busy the image border is: a studio backdrop, even with a gradient, changes little from pixel to pixel
    along it and looks the same on the left and the right; a photograph of a scene does not."""
    ring = np.concatenate([rgb[0], rgb[1:, -1], rgb[-1, ::-1], rgb[::-1, 0]]).astype(np.float32)
    steps = np.abs(np.diff(ring, axis=0)).max(axis=1)
    left_right = np.abs(rgb[:, 0].astype(np.float32) - rgb[:, -1].astype(np.float32)).max(axis=1)
    return float(max(np.percentile(steps, 75) * _STEP_TO_SPREAD, np.median(left_right)))


def _backdrop_by_row(rgb: ByteArray) -> NDArray[np.float32]:
    """The backdrop colour of each row, followed down the side columns as long as it changes smoothly, so a
    vertical gradient is followed but a figure reaching the side edges (a close-up's shoulders) is not."""
    sides = (rgb[:, :2].astype(np.float32).mean(axis=1) + rgb[:, -2:].astype(np.float32).mean(axis=1)) / 2.0
    rows = np.empty_like(sides)
    current = np.median(rgb[0].astype(np.float32), axis=0)
    for row in range(sides.shape[0]):
        if np.abs(sides[row] - current).max() <= _MAX_BACKDROP_STEP:
            current = sides[row]
        rows[row] = current
    return np.asarray(rows, dtype=np.float32)


def _figure(rgb: ByteArray) -> tuple[_Figure | None, float]:
    """The largest region that differs from an even backdrop, and how busy the border is (None when busy)."""
    height, width = rgb.shape[:2]
    roughness = _border_roughness(rgb)
    if roughness > _MAX_BORDER_ROUGHNESS:
        return None, roughness
    difference = np.abs(rgb.astype(np.float32) - _backdrop_by_row(rgb)[:, None, :]).max(axis=2)
    mask = (difference > _MIN_CONTRAST).astype(np.uint8)
    kernel = np.ones((3, 3), np.uint8)
    mask = np.asarray(cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel), dtype=np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count <= 1:
        return None, roughness
    largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    share = float(stats[largest, cv2.CC_STAT_AREA]) / (height * width)
    if not _MIN_SUBJECT_SHARE <= share <= _MAX_SUBJECT_SHARE:
        return None, roughness
    figure = (labels == largest).astype(np.uint8)
    left, top = int(stats[largest, cv2.CC_STAT_LEFT]), int(stats[largest, cv2.CC_STAT_TOP])
    right = left + int(stats[largest, cv2.CC_STAT_WIDTH])
    bottom = top + int(stats[largest, cv2.CC_STAT_HEIGHT])
    return _Figure(figure, (left, top, right, bottom), height, width), roughness


def _head_rows(widths: NDArray[np.float64]) -> int:
    """How many rows from the top of the figure belong to the head (all of them when no neck or shoulder shows).

    The shoulders widen over several rows, so a row is compared with the head's width a few rows above it."""
    lag = max(1, round(_SHOULDER_LAG * len(widths)))
    widest = 0.0
    for row, width in enumerate(widths):
        if widest > 0 and row >= _MIN_HEAD_ASPECT * widest and width < _NECK_NARROWING * widest:
            return row
        above = float(widths[: row - lag + 1].max()) if row >= lag else 0.0
        if above > 0 and row >= _MIN_SHOULDER_DEPTH * widest and width > _SHOULDER_WIDENING * above:
            return row
        widest = max(widest, float(width))
    return len(widths)


def _skin(rgb: ByteArray) -> ByteArray:
    ycrcb = cv2.cvtColor(rgb, cv2.COLOR_RGB2YCrCb)
    luma, cr, cb = ycrcb[..., 0], ycrcb[..., 1], ycrcb[..., 2]
    inside = (
        (cr >= _SKIN_CR[0]) & (cr <= _SKIN_CR[1]) & (cb >= _SKIN_CB[0]) & (cb <= _SKIN_CB[1]) & (luma >= _SKIN_MIN_Y)
    )
    return inside.astype(np.uint8)


def _head(rgb: ByteArray, figure: _Figure) -> _Head | None:
    left, top, right, bottom = figure.box
    crop = figure.mask[top:bottom, left:right]
    colour = rgb[top:bottom, left:right]
    # Work at a fixed figure height so the neck and shoulders read alike in a close-up and in a wide shot.
    factor = _FIGURE_HEIGHT / max(1, bottom - top)
    size = (max(1, round((right - left) * factor)), _FIGURE_HEIGHT)
    crop = np.asarray(cv2.resize(crop, size, interpolation=cv2.INTER_NEAREST), dtype=np.uint8)
    colour = np.asarray(cv2.resize(colour, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    widths = np.convolve(crop.sum(axis=1).astype(np.float64), np.ones(3) / 3.0, mode="same")
    rows = _head_rows(widths)
    head = crop[:rows]
    columns = np.flatnonzero(head.any(axis=0))
    if rows < 3 or columns.size < 3:
        return None
    # The neck is centred whatever the angle: only the face part of the head (its upper rows) shows which way it
    # turns, measured against the outline of those rows (a shoulder creeping into the lowest rows would widen it).
    face_rows = max(1, round(rows * _FACE_PART))
    face = head[:face_rows]
    outline = np.flatnonzero(face.any(axis=0))
    head_width = float(outline[-1] - outline[0] + 1)
    centre = (outline[0] + outline[-1]) / 2.0
    skin = _skin(colour[:face_rows]) & face
    if skin.sum() < BACK_MAX_SKIN * face.sum():
        # No face in what looked like the head: it may be a hat or a hood, with the face under it. A face is nearly
        # as wide as the head; a neck (what a back view shows below the hair) is much narrower.
        below = slice(rows, min(crop.shape[0], 2 * rows))
        skin_below = _skin(colour[below]) & crop[below]
        if skin_below.size and skin_below.sum(axis=1).max() >= _MIN_FACE_WIDTH * head_width:
            face, skin = crop[below], skin_below
    pixels = int(face.sum())
    skin_pixels = int(skin.sum())
    offset = float((np.nonzero(skin)[1].mean() - centre) / head_width) if skin_pixels else 0.0
    box = (
        left + int(columns[0] / factor),
        top,
        left + int(np.ceil((columns[-1] + 1) / factor)),
        top + int(np.ceil(rows / factor)),
    )
    return _Head(box, skin_pixels / max(1, pixels), offset)


@functools.cache
def _cascade(name: str) -> cv2.CascadeClassifier:
    classifier = cv2.CascadeClassifier(str(cv2.data.haarcascades) + name)  # type: ignore[attr-defined]
    if classifier.empty():
        raise RuntimeError(f"OpenCV's Haar cascade {name} is missing (opencv-python-headless 4.x ships it)")
    return classifier


def _detect(classifier: cv2.CascadeClassifier, grey: ByteArray, neighbours: int) -> list[Box]:
    side = min(grey.shape[:2])
    found = classifier.detectMultiScale(grey, scaleFactor=1.1, minNeighbors=neighbours, minSize=(side // 20,) * 2)
    return [(int(x), int(y), int(x + w), int(y + h)) for x, y, w, h in found]


def _faces(rgb: ByteArray) -> _Faces:
    small = _resized(rgb, _HAAR_SIDE)
    grey = np.asarray(cv2.equalizeHist(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)), dtype=np.uint8)
    frontal = [box for name in _FRONTAL_CASCADES for box in _detect(_cascade(name), grey, 4)]
    width = grey.shape[1]
    mirrored = [(width - r, t, width - x, b) for x, t, r, b in _detect(_cascade(_PROFILE_CASCADE), grey[:, ::-1], 4)]
    profile = _detect(_cascade(_PROFILE_CASCADE), grey, 4) + mirrored
    return _Faces(frontal, profile, rgb.shape[0] / grey.shape[0])


def _inside(face: Box, region: Box, scale: float) -> bool:
    """Whether a face's centre (Haar pixels) falls inside a region (analysis pixels) grown by half its size."""
    x = (face[0] + face[2]) / 2.0 * scale
    y = (face[1] + face[3]) / 2.0 * scale
    left, top, right, bottom = region
    grow_x, grow_y = (right - left) / 2.0, (bottom - top) / 2.0
    return left - grow_x <= x <= right + grow_x and top - grow_y <= y <= bottom + grow_y


def _shot_from_figure(figure: _Figure, head: _Head | None) -> ShotType | None:
    _, top, _, bottom = figure.box
    if bottom >= figure.height * (1.0 - _EDGE_SHARE):
        if head is None:
            return None
        head_share = (head.box[3] - head.box[1]) / figure.height
        return "close-up" if head_share >= CLOSE_UP_HEAD else "medium"
    return "full-body" if (bottom - top) / figure.height >= FULL_BODY_FIGURE else "wide"


def _shot_from_face(face_share: float) -> ShotType:
    if face_share >= FACE_CLOSE_UP:
        return "close-up"
    if face_share >= FACE_MEDIUM:
        return "medium"
    return "full-body" if face_share >= FACE_FULL_BODY else "wide"


def _angle_from_head(head: _Head, frontal_face: bool) -> Angle:
    if head.skin_share < BACK_MAX_SKIN:
        return "back"
    offset = abs(head.skin_offset)
    if offset < FRONT_MAX_OFFSET or (frontal_face and offset < SIDE_MIN_OFFSET / 2.0):
        return "front"
    return "45-degree" if offset < SIDE_MIN_OFFSET else "side"


def derive_view(image: Image.Image) -> tuple[ShotType | None, Angle | None, dict[str, float]]:
    """The shot type and angle `image` shows (None where it cannot tell), and the measurements behind them."""
    rgb = _resized(_rgb(image), _ANALYSIS_SIDE)
    figure, roughness = _figure(rgb)
    head = _head(rgb, figure) if figure is not None else None
    faces = _faces(rgb)
    if head is not None:
        frontal = [face for face in faces.frontal if _inside(face, head.box, faces.scale)]
        profile = [face for face in faces.profile if _inside(face, head.box, faces.scale)]
    else:
        frontal, profile = faces.frontal, faces.profile
    found = frontal or profile
    face_share = max((face[3] - face[1]) * faces.scale / rgb.shape[0] for face in found) if found else 0.0

    metrics: dict[str, float] = {
        "borderRoughness": round(roughness, 2),
        "cleanBackdrop": float(figure is not None),
        "frontalFaces": float(len(frontal)),
        "profileFaces": float(len(profile)),
        "faceHeight": round(face_share, 3),
    }
    shot: ShotType | None
    angle: Angle | None
    if figure is not None:
        left, top, right, bottom = figure.box
        metrics["figureHeight"] = round((bottom - top) / figure.height, 3)
        metrics["figureWidth"] = round((right - left) / figure.width, 3)
        metrics["cutByBottom"] = float(bottom >= figure.height * (1.0 - _EDGE_SHARE))
        shot = _shot_from_figure(figure, head)
        angle = _angle_from_head(head, bool(frontal)) if head is not None else None
        if head is not None:
            metrics["headHeight"] = round((head.box[3] - head.box[1]) / figure.height, 3)
            metrics["skinShare"] = round(head.skin_share, 3)
            metrics["skinOffset"] = round(head.skin_offset, 3)
        if shot is None and found:
            shot = _shot_from_face(face_share)
    else:
        shot = _shot_from_face(face_share) if found else None
        angle = "front" if frontal else "side" if profile else None
    return shot, angle, metrics
