"""The built-in demo character: deterministic, the same character from every angle, unlike the negative character."""

import itertools

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image

from contracts.model import ANGLES, SHOT_TYPES, Angle, ShotType
from ops.demo_art import DEMO_VIEWS, draw_other_character, draw_view

SIZE = 192

ALL_VIEWS = list(itertools.product(ANGLES, SHOT_TYPES))


def hue_histogram(image: Image.Image) -> NDArray[np.float64]:
    """Share of each 20-degree hue band among the clearly coloured pixels (the grey backdrop does not count)."""
    hsv = cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2HSV)
    coloured = (hsv[..., 1] > 60) & (hsv[..., 2] > 50)
    counts = np.bincount(hsv[..., 0][coloured] // 10, minlength=18).astype(np.float64)
    return np.asarray(counts / counts.sum(), dtype=np.float64)


def histogram_overlap(a: Image.Image, b: Image.Image) -> float:
    return float(np.minimum(hue_histogram(a), hue_histogram(b)).sum())


def figure_pixels(image: Image.Image) -> NDArray[np.bool_]:
    """Pixels unlike the backdrop, which is a vertical gradient: each row is compared with its leftmost pixel."""
    pixels = np.asarray(image, dtype=np.int16)
    return np.asarray(np.abs(pixels - pixels[:, :1]).max(axis=2) > 30)


def changed_share_of_figure(a: Image.Image, b: Image.Image) -> float:
    """Share of the figure's pixels (in either image) that differ visibly between the two images."""
    difference = np.abs(np.asarray(a, dtype=np.int16) - np.asarray(b, dtype=np.int16)).max(axis=2)
    figure = figure_pixels(a) | figure_pixels(b)
    return float((difference > 40)[figure].mean())


@pytest.mark.parametrize(("angle", "shot_type"), ALL_VIEWS)
def test_every_view_is_a_deterministic_rgb_square(angle: Angle, shot_type: ShotType) -> None:
    first = draw_view(angle, shot_type, SIZE)
    again = draw_view(angle, shot_type, SIZE)

    assert first.mode == "RGB"
    assert first.size == (SIZE, SIZE)
    assert first.tobytes() == again.tobytes()


@pytest.mark.parametrize(("angle", "shot_type"), ALL_VIEWS)
def test_every_view_is_well_exposed_sharp_and_not_flat(angle: Angle, shot_type: ShotType) -> None:
    grey = np.asarray(draw_view(angle, shot_type, SIZE).convert("L"), dtype=np.float32)

    assert 90 < grey.mean() < 225, "neither murky nor blown out"
    assert grey.std() > 20, "enough contrast to read the figure"
    assert float(cv2.Laplacian(grey, cv2.CV_32F).var()) > 300, "crisp edges"
    assert ((grey < 3) | (grey > 252)).mean() < 0.05, "little clipping"


@pytest.mark.parametrize("shot_type", ["medium", "full-body"])
@pytest.mark.parametrize(("one", "other"), list(itertools.combinations(ANGLES, 2)))
def test_views_from_different_angles_look_different(one: Angle, other: Angle, shot_type: ShotType) -> None:
    assert changed_share_of_figure(draw_view(one, shot_type, SIZE), draw_view(other, shot_type, SIZE)) > 0.05


@pytest.mark.parametrize(("angle", "shot_type"), ALL_VIEWS)
def test_every_view_shows_the_same_palette_as_the_master(angle: Angle, shot_type: ShotType) -> None:
    master = draw_view("front", "full-body", SIZE)

    assert histogram_overlap(draw_view(angle, shot_type, SIZE), master) > 0.5


def test_other_character_has_a_clearly_different_palette() -> None:
    master = draw_view("front", "full-body", SIZE)

    assert histogram_overlap(draw_other_character(SIZE), master) < 0.25


def test_other_character_is_deterministic_and_sized() -> None:
    first = draw_other_character(SIZE)

    assert first.mode == "RGB"
    assert first.size == (SIZE, SIZE)
    assert first.tobytes() == draw_other_character(SIZE).tobytes()


@pytest.mark.parametrize("size", [64, 200, 512])
def test_size_is_honoured(size: int) -> None:
    assert draw_view("side", "medium", size).size == (size, size)


def test_tiny_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="at least"):
        draw_view("front", "close-up", 8)


def test_demo_views_start_with_the_master_and_cover_the_core_references() -> None:
    assert DEMO_VIEWS[0] == ("master", "front", "full-body")
    assert [role for role, _, _ in DEMO_VIEWS[1:]] == ["core_reference"] * 4
    assert {(angle, shot) for _, angle, shot in DEMO_VIEWS[1:]} == {
        ("side", "full-body"),
        ("back", "full-body"),
        ("45-degree", "medium"),
        ("front", "close-up"),
    }
