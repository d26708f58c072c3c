"""No-reference quality: clean images score high, and the score falls steadily as an image is degraded."""

import io
from collections.abc import Callable
from itertools import pairwise

import numpy as np
import pytest
from PIL import Image, ImageFilter

from actors.validator.quality import (
    PART_NAMES,
    QualityResult,
    assess_quality,
    describe_quality,
    needs_mention,
    weakest_part,
)
from ops.demo_art import draw_view
from tests.unit.drawings import HERO, STRANGER, WHITE, draw_figure, figure_in_scene, real_photos

DEFAULT_THRESHOLD = 70  # the spec's default qualityThreshold

Degrade = Callable[[Image.Image, float], Image.Image]


def blurred(image: Image.Image, radius: float) -> Image.Image:
    return image.filter(ImageFilter.GaussianBlur(radius)) if radius else image


def noisy(image: Image.Image, sigma: float) -> Image.Image:
    rng = np.random.default_rng(7)
    pixels = np.asarray(image, np.float32) + rng.normal(0.0, sigma, (image.height, image.width, 3))
    return Image.fromarray(np.clip(pixels, 0, 255).round().astype(np.uint8))


def jpeg(image: Image.Image, quality: float) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=int(quality))
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def exposed(image: Image.Image, gain: float) -> Image.Image:
    """Brightness scaled by `gain`, clipped like a sensor or an 8-bit file would clip it."""
    pixels = np.asarray(image, np.float32) * gain
    return Image.fromarray(np.clip(pixels, 0, 255).round().astype(np.uint8))


@pytest.fixture(scope="module")
def figure() -> Image.Image:
    return draw_figure(HERO)


@pytest.mark.parametrize(
    "image",
    [
        pytest.param(draw_figure(HERO), id="figure on a soft gradient"),
        pytest.param(draw_figure(STRANGER, broad=True), id="another figure"),
        pytest.param(draw_figure(HERO, WHITE), id="figure on a white backdrop"),
        pytest.param(figure_in_scene(HERO, Image.new("RGB", (512, 512), (90, 120, 80))), id="figure on flat green"),
    ],
)
def test_a_clean_drawing_scores_well_above_the_default_threshold(image: Image.Image) -> None:
    assert assess_quality(image).score >= 75


def falls_steadily(scores: list[int]) -> bool:
    """Every step lowers the score, until it reaches the floor (a score of 0-5 cannot fall much further)."""
    return all(later < earlier or earlier <= FLOOR for earlier, later in pairwise(scores))


FLOOR = 5

DEGRADATIONS = [
    pytest.param(blurred, [0, 1, 1.5, 2, 3, 5], id="gaussian blur radius grows"),
    pytest.param(noisy, [0, 4, 8, 15, 30], id="gaussian noise sigma grows"),
    pytest.param(jpeg, [95, 70, 50, 15, 5], id="jpeg quality falls"),
    pytest.param(exposed, [1.0, 0.7, 0.5, 0.35, 0.2], id="under-exposed more and more"),
    pytest.param(exposed, [1.0, 1.15, 1.3, 1.6, 2.0, 2.5], id="over-exposed more and more"),
]


@pytest.mark.parametrize(("degrade", "strengths"), DEGRADATIONS)
def test_the_score_falls_steadily_as_the_image_is_degraded(
    figure: Image.Image, degrade: Degrade, strengths: list[float]
) -> None:
    scores = [assess_quality(degrade(figure, strength)).score for strength in strengths]
    assert falls_steadily(scores), scores
    assert scores[-1] < DEFAULT_THRESHOLD, scores


@pytest.fixture(scope="module")
def demo_character() -> Image.Image:
    return draw_view("front", "full-body", 512)


@pytest.mark.parametrize(("degrade", "strengths"), DEGRADATIONS)
def test_the_demo_characters_score_falls_steadily_too(
    demo_character: Image.Image, degrade: Degrade, strengths: list[float]
) -> None:
    scores = [assess_quality(degrade(demo_character, strength)).score for strength in strengths]
    assert falls_steadily(scores), scores
    assert scores[-1] < DEFAULT_THRESHOLD, scores


# Real photographs (scikit-image's bundled ones). Over-exposure starts where each photo's highlights clip: chelsea
# and rocket are dim, so a small gain first makes them better exposed, not worse. Rocket ships with JPEG blocking,
# which a light blur or noise hides; it is left out of those two.
PHOTO_DEGRADATIONS = [
    pytest.param(name, degrade, strengths, id=f"{name}: {label}")
    for name, degrade, strengths, label in [
        *((n, blurred, [0, 1, 1.5, 2, 3, 5], "blur") for n in ("astronaut", "chelsea", "coffee")),
        *((n, noisy, [0, 4, 8, 15, 30], "noise") for n in ("astronaut", "chelsea", "coffee")),
        *((n, jpeg, [95, 70, 50, 15, 5], "jpeg") for n in ("astronaut", "chelsea", "coffee", "rocket")),
        *(
            (n, exposed, [1.0, 0.7, 0.5, 0.35, 0.2], "under-exposure")
            for n in ("astronaut", "chelsea", "coffee", "rocket")
        ),
        ("astronaut", exposed, [1.0, 1.15, 1.3, 1.6, 2.0, 2.5], "over-exposure"),
        ("coffee", exposed, [1.0, 1.15, 1.3, 1.6, 2.0, 2.5], "over-exposure"),
        ("chelsea", exposed, [1.3, 1.6, 2.0, 2.5], "over-exposure"),
        ("rocket", exposed, [2.0, 2.5, 3.0, 4.0], "over-exposure"),
    ]
]


@pytest.fixture(scope="module")
def photos() -> dict[str, Image.Image]:
    pytest.importorskip("skimage")
    return real_photos(["astronaut", "chelsea", "coffee", "rocket"])


@pytest.mark.parametrize(("name", "degrade", "strengths"), PHOTO_DEGRADATIONS)
def test_a_real_photographs_score_falls_steadily_as_it_is_degraded(
    photos: dict[str, Image.Image], name: str, degrade: Degrade, strengths: list[float]
) -> None:
    scores = [assess_quality(degrade(photos[name], strength)).score for strength in strengths]
    assert falls_steadily(scores), scores
    assert scores[-1] < DEFAULT_THRESHOLD, scores


@pytest.mark.parametrize(
    ("degrade", "strength", "part", "words"),
    [
        pytest.param(blurred, 3, "sharpness", "the image is blurry", id="blurred"),
        pytest.param(noisy, 20, "noise", "the image is noisy", id="noisy"),
        pytest.param(jpeg, 8, "artifacts", "the image shows compression artifacts", id="heavily compressed"),
        pytest.param(exposed, 0.2, "exposure", "the image is underexposed", id="too dark"),
        pytest.param(exposed, 2.5, "exposure", "the image is overexposed", id="washed out"),
    ],
)
def test_a_failing_image_is_described_by_its_weakest_part(
    figure: Image.Image, degrade: Degrade, strength: float, part: str, words: str
) -> None:
    result = assess_quality(degrade(figure, strength))
    assert weakest_part(result) == part
    assert result.score < DEFAULT_THRESHOLD
    sentence = describe_quality(result, DEFAULT_THRESHOLD)
    assert sentence.startswith(words)
    assert part in sentence


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        pytest.param(draw_figure(HERO), "no aspect is weak", id="clean"),
        pytest.param(
            blurred(draw_figure(HERO), 1), "no serious flaw; the weakest aspect is sharpness", id="a touch soft"
        ),
    ],
)
def test_a_passing_image_is_described_without_a_problem(image: Image.Image, expected: str) -> None:
    result = assess_quality(image)
    assert result.score >= DEFAULT_THRESHOLD
    assert describe_quality(result, DEFAULT_THRESHOLD).startswith(expected)


def test_a_small_image_loses_resolution_marks_but_not_sharpness(figure: Image.Image) -> None:
    small = assess_quality(figure.resize((128, 128), Image.Resampling.LANCZOS))
    full = assess_quality(figure)
    assert small.parts["resolution"] < full.parts["resolution"] == 100
    assert small.parts["sharpness"] >= 75
    assert small.score < full.score


def test_a_large_image_is_judged_at_display_size(figure: Image.Image) -> None:
    large = assess_quality(figure.resize((1536, 1536), Image.Resampling.LANCZOS))
    assert large.score >= 75
    assert large.parts["resolution"] == 100


@pytest.mark.parametrize(
    "image",
    [
        pytest.param(draw_figure(HERO).convert("L"), id="greyscale"),
        pytest.param(draw_figure(HERO).convert("RGBA"), id="with alpha"),
        pytest.param(draw_figure(HERO).convert("P"), id="palette"),
        pytest.param(draw_figure(HERO).resize((700, 300)), id="landscape"),
        pytest.param(Image.new("RGB", (6, 4), (120, 90, 60)), id="tiny"),
        pytest.param(Image.new("RGB", (256, 256), (128, 128, 128)), id="blank grey"),
    ],
)
def test_every_part_is_reported_between_0_and_100(image: Image.Image) -> None:
    result = assess_quality(image)
    assert isinstance(result, QualityResult)
    assert set(result.parts) == set(PART_NAMES)
    assert all(0.0 <= value <= 100.0 for value in result.parts.values()), result.parts
    assert 0 <= result.score <= 100


def test_a_blank_frame_is_not_mistaken_for_a_good_image() -> None:
    assert assess_quality(Image.new("RGB", (512, 512), (128, 128, 128))).score < DEFAULT_THRESHOLD


@pytest.mark.parametrize(("name", "least"), [("astronaut", 80), ("coffee", 75), ("rocket", 70), ("chelsea", 50)])
def test_a_natural_photo_scores_by_its_own_flaws(photos: dict[str, Image.Image], name: str, least: int) -> None:
    """Chelsea is soft (the cat's fur is out of focus) and only 300 px high; rocket carries JPEG blocking."""
    assert assess_quality(photos[name]).score >= least


@pytest.mark.parametrize(
    ("degrade", "strength", "words"),
    [
        pytest.param(blurred, 1.2, "the image is blurry", id="a weak part is named even above the score threshold"),
        pytest.param(noisy, 20, "the image is noisy", id="a failing image"),
    ],
)
def test_without_a_threshold_the_weakest_part_is_named_when_it_is_weak(
    figure: Image.Image, degrade: Degrade, strength: float, words: str
) -> None:
    result = assess_quality(degrade(figure, strength))
    assert needs_mention(result)
    assert describe_quality(result).startswith(words)


def test_without_a_threshold_a_clean_image_has_nothing_to_name(figure: Image.Image) -> None:
    result = assess_quality(figure)
    assert not needs_mention(result)
    assert describe_quality(result) == "no aspect is weak"
