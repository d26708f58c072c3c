"""Shot type and angle derived from an uploaded image, for references uploaded without them."""

import io
import itertools

import cv2
import numpy as np
import pytest
from PIL import Image, ImageOps

from actors.selector.derive import derive_view
from contracts.model import ANGLES, SHOT_TYPES, Angle, ShotType
from ops.demo_art import draw_other_character, draw_view

VIEWS = list(itertools.product(SHOT_TYPES, ANGLES))


@pytest.mark.parametrize(("shot", "angle"), VIEWS)
def test_every_demo_view_is_read_back(shot: ShotType, angle: Angle) -> None:
    derived_shot, derived_angle, metrics = derive_view(draw_view(angle, shot, 256))
    assert (derived_shot, derived_angle) == (shot, angle), metrics


@pytest.mark.parametrize(("shot", "angle"), [("close-up", "side"), ("medium", "45-degree"), ("full-body", "side")])
def test_a_mirrored_view_reads_the_same(shot: ShotType, angle: Angle) -> None:
    """A character facing left is as much a side view as one facing right; only the offset's sign changes."""
    image = draw_view(angle, shot, 256)
    _, _, metrics = derive_view(image)
    mirrored_shot, mirrored_angle, mirrored = derive_view(ImageOps.mirror(image))
    assert (mirrored_shot, mirrored_angle) == (shot, angle)
    assert np.sign(mirrored["skinOffset"]) == -np.sign(metrics["skinOffset"])


@pytest.mark.parametrize(("shot", "angle"), [("close-up", "front"), ("wide", "back"), ("full-body", "45-degree")])
def test_jpeg_compression_does_not_change_the_reading(shot: ShotType, angle: Angle) -> None:
    buffer = io.BytesIO()
    draw_view(angle, shot, 384).save(buffer, "JPEG", quality=70)
    assert derive_view(Image.open(io.BytesIO(buffer.getvalue())))[:2] == (shot, angle)


def test_a_transparent_cut_out_is_read_on_a_white_ground() -> None:
    """Transparent pixels count as a white backdrop, whatever colour they hide (here: noise)."""
    rng = np.random.default_rng(5)
    pixels = rng.integers(0, 256, (256, 256, 4), dtype=np.uint8)
    pixels[..., 3] = 0
    figure = np.asarray(draw_view("side", "full-body", 256).convert("RGBA")).copy()
    inside = np.abs(figure[..., :3].astype(int) - figure[0, 0, :3].astype(int)).max(axis=2) > 60
    pixels[inside] = figure[inside]
    pixels[inside, 3] = 255
    assert derive_view(Image.fromarray(pixels, "RGBA"))[:2] == ("full-body", "side")


def test_a_different_character_under_a_hat_is_still_seen_from_the_front() -> None:
    shot, angle, _ = derive_view(draw_other_character(256))
    assert (shot, angle) == ("full-body", "front")


def _busy(size: int, seed: int = 3) -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (size, size, 3), dtype=np.uint8), "RGB")


def _striped(size: int) -> Image.Image:
    """A busy background a figure cannot be cut out of (bars every 32 pixels), but that leaves a face readable."""
    pixels = np.zeros((size, size, 3), np.uint8)
    pixels[:, ::32] = 200
    return Image.fromarray(np.asarray(cv2.GaussianBlur(pixels, (0, 0), 3), dtype=np.uint8), "RGB")


def test_nothing_to_read_gives_none_and_says_why() -> None:
    shot, angle, metrics = derive_view(_busy(256))
    assert (shot, angle) == (None, None)
    assert metrics["cleanBackdrop"] == 0.0
    assert metrics["frontalFaces"] == metrics["profileFaces"] == 0.0


def test_a_blank_image_gives_none() -> None:
    assert derive_view(Image.new("RGB", (200, 300), (240, 240, 240)))[:2] == (None, None)


def test_on_a_busy_background_a_detected_face_decides() -> None:
    """With no clean backdrop the figure cannot be cut out; OpenCV's frontal-face cascade finds Nova's face. (On
    random noise it does not: the cascades are made for photographs, and a drawn face fools them easily.)"""
    scene = _striped(512)
    scene.paste(draw_view("front", "close-up", 512).crop((96, 0, 416, 400)), (96, 112))
    shot, angle, metrics = derive_view(scene)
    assert metrics["cleanBackdrop"] == 0.0
    assert metrics["frontalFaces"] >= 1
    assert (shot, angle) == ("close-up", "front")


def test_metrics_explain_the_reading() -> None:
    _, _, metrics = derive_view(draw_view("back", "medium", 256))
    assert metrics["cleanBackdrop"] == 1.0
    assert metrics["cutByBottom"] == 1.0
    assert metrics["skinShare"] < 0.08  # the back of the head is hair
    assert 0.15 < metrics["headHeight"] < 0.33  # a medium shot's head, below the close-up threshold
