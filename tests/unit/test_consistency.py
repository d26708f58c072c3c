"""Consistency: the classical embedder tells the same drawn character from a different one, and the scoring maths.

The drawing kit at the top (figures on gradient or busy backdrops, reframing, grading) is shared with
test_quality.py.
"""

import random
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageOps

from actors.validator.backends.base import Embedder
from actors.validator.backends.classical import CALIBRATION_POINTS, ClassicalEmbedder
from actors.validator.consistency import consistency_score

# --- Drawing kit ---

Colour = tuple[int, int, int]
SIZE = 512
SUPERSAMPLE = 2  # draw at twice the size and downsample, so outlines are anti-aliased like a real render

# skin, jacket, emblem, legs, hair
HERO: tuple[Colour, ...] = ((238, 200, 170), (200, 40, 45), (250, 210, 60), (40, 50, 90), (70, 40, 25))
STRANGER: tuple[Colour, ...] = ((180, 130, 100), (40, 150, 80), (240, 240, 240), (120, 100, 80), (230, 220, 120))

SKY: tuple[Colour, Colour] = ((200, 220, 240), (240, 235, 225))
SUNSET: tuple[Colour, Colour] = ((250, 220, 180), (200, 150, 110))
NIGHT: tuple[Colour, Colour] = ((40, 50, 70), (20, 25, 35))
MEADOW: tuple[Colour, Colour] = ((150, 200, 150), (90, 140, 90))
WHITE: tuple[Colour, Colour] = ((255, 255, 255), (255, 255, 255))


def gradient(top: Colour, bottom: Colour, size: int = SIZE) -> Image.Image:
    """A soft vertical gradient, the kind of studio backdrop a generator paints."""
    t = np.linspace(0.0, 1.0, size, dtype=np.float32)[:, None, None]
    rows = (1 - t) * np.array(top, np.float32) + t * np.array(bottom, np.float32)
    return Image.fromarray(np.broadcast_to(rows, (size, size, 3)).round().astype(np.uint8))


def draw_figure(
    palette: Sequence[Colour], backdrop: tuple[Colour, Colour] = SKY, *, broad: bool = False
) -> Image.Image:
    """A standing figure: shaded head with hair and eyes, jacket with an emblem and shaded sleeves, two legs."""
    skin, jacket, emblem, legs, hair = palette
    u = SUPERSAMPLE
    image = gradient(*backdrop, size=SIZE * u)
    draw = ImageDraw.Draw(image)
    cx = SIZE * u // 2
    leg, body = (50 * u, 110 * u) if broad else (34 * u, 80 * u)
    draw.rectangle([cx - 70 * u, 330 * u, cx - 70 * u + leg * 1.6, 480 * u], fill=legs)
    draw.rectangle([cx + 70 * u - leg * 1.6, 330 * u, cx + 70 * u, 480 * u], fill=_shade(legs, 0.8))
    draw.rectangle([cx - body, 170 * u, cx + body, 340 * u], fill=jacket)
    draw.rectangle([cx + body * 0.4, 170 * u, cx + body, 340 * u], fill=_shade(jacket, 0.82))
    draw.rectangle([cx - body - 34 * u, 180 * u, cx - body, 320 * u], fill=_shade(jacket, 0.9))
    draw.rectangle([cx + body, 180 * u, cx + body + 34 * u, 320 * u], fill=_shade(jacket, 0.75))
    if broad:
        draw.regular_polygon((cx, 245 * u, 34 * u), 3, fill=emblem)
    else:
        draw.ellipse(
            [cx - 30 * u, 210 * u, cx + 30 * u, 270 * u], fill=emblem, outline=_shade(emblem, 0.6), width=4 * u
        )
    draw.ellipse([cx - 60 * u, 50 * u, cx + 60 * u, 170 * u], fill=_shade(skin, 0.85))
    draw.ellipse([cx - 60 * u, 50 * u, cx + 45 * u, 160 * u], fill=skin)
    draw.chord([cx - 62 * u, 44 * u, cx + 62 * u, 130 * u], 180, 360, fill=hair)
    for eye_x in (cx - 23 * u, cx + 23 * u):
        draw.ellipse([eye_x - 7 * u, 100 * u, eye_x + 7 * u, 114 * u], fill=(30, 30, 40))
    return image.resize((SIZE, SIZE), Image.Resampling.LANCZOS)


def _shade(colour: Colour, factor: float) -> Colour:
    r, g, b = (min(255, round(channel * factor)) for channel in colour)
    return r, g, b


def busy_scene(seed: int = 1) -> Image.Image:
    """Foliage-like clutter: overlapping blobs of greens and browns under a pale sky."""
    rng = random.Random(seed)
    blobs = ((60, 110, 50), (90, 140, 60), (120, 90, 60), (150, 170, 90), (70, 80, 40))
    image = Image.new("RGB", (SIZE, SIZE), (170, 200, 230))
    draw = ImageDraw.Draw(image)
    for _ in range(260):
        x, y, r = rng.randrange(SIZE), rng.randrange(SIZE), rng.randrange(6, 40)
        draw.ellipse([x - r, y - r * rng.uniform(0.5, 1.5), x + r, y + r], fill=rng.choice(blobs))
    return image.filter(ImageFilter.GaussianBlur(1.2))


def figure_in_scene(palette: Sequence[Colour], scene: Image.Image, *, broad: bool = False) -> Image.Image:
    """The figure composited onto `scene`, its alpha recovered from drawing it on black and on white."""
    on_black = np.asarray(draw_figure(palette, ((0, 0, 0), (0, 0, 0)), broad=broad), np.float32)
    on_white = np.asarray(draw_figure(palette, WHITE, broad=broad), np.float32)
    alpha = 1.0 - (on_white - on_black).mean(axis=2, keepdims=True) / 255.0
    colour = np.where(alpha > 0.01, on_black / np.maximum(alpha, 0.01), 0.0)
    composite = alpha * colour + (1.0 - alpha) * np.asarray(scene.convert("RGB"), np.float32)
    return Image.fromarray(np.clip(composite, 0, 255).round().astype(np.uint8))


def close_up(image: Image.Image) -> Image.Image:
    """Head and shoulders: the top 60 % of the frame's middle, enlarged back to full size."""
    w, h = image.size
    return image.crop((int(w * 0.2), 0, int(w * 0.8), int(h * 0.6))).resize(image.size, Image.Resampling.LANCZOS)


def medium_shot(image: Image.Image) -> Image.Image:
    w, h = image.size
    return image.crop((int(w * 0.1), int(h * 0.05), int(w * 0.9), int(h * 0.75))).resize(image.size)


def wide_shot(image: Image.Image, backdrop: tuple[Colour, Colour] = SKY) -> Image.Image:
    """The figure at 60 % size, lower in a larger frame."""
    canvas = gradient(*backdrop)
    canvas.paste(image.resize((300, 300), Image.Resampling.LANCZOS), (106, 180))
    return canvas


def graded(image: Image.Image, contrast: float, gains: tuple[float, float, float]) -> Image.Image:
    """A colour grade: contrast around the mean grey, then per-channel gains (warmth)."""
    stretched = np.asarray(ImageEnhance.Contrast(image).enhance(contrast), np.float32)
    return Image.fromarray(np.clip(stretched * np.array(gains, np.float32), 0, 255).round().astype(np.uint8))


def warmer(image: Image.Image) -> Image.Image:
    return graded(image, 1.15, (1.05, 1.0, 0.93))


def cooler(image: Image.Image) -> Image.Image:
    return graded(image, 0.9, (0.95, 1.0, 1.06))


# --- The classical embedder ---

Variant = Callable[[Sequence[Colour], bool], Image.Image]

SAME_CHARACTER: dict[str, Variant] = {
    "mirrored": lambda p, broad: ImageOps.mirror(draw_figure(p, broad=broad)),
    "close-up": lambda p, broad: close_up(draw_figure(p, broad=broad)),
    "medium shot": lambda p, broad: medium_shot(draw_figure(p, broad=broad)),
    "wide shot": lambda p, broad: wide_shot(draw_figure(p, broad=broad)),
    "warmer, more contrast": lambda p, broad: warmer(draw_figure(p, broad=broad)),
    "cooler, less contrast": lambda p, broad: cooler(draw_figure(p, broad=broad)),
    "sunset backdrop": lambda p, broad: draw_figure(p, SUNSET, broad=broad),
    "night backdrop": lambda p, broad: draw_figure(p, NIGHT, broad=broad),
    "meadow backdrop": lambda p, broad: draw_figure(p, MEADOW, broad=broad),
    "white backdrop": lambda p, broad: draw_figure(p, WHITE, broad=broad),
    "busy scene": lambda p, broad: figure_in_scene(p, busy_scene(), broad=broad),
    "close-up, mirrored, night": lambda p, broad: ImageOps.mirror(close_up(draw_figure(p, NIGHT, broad=broad))),
    "close-up, warmer": lambda p, broad: warmer(close_up(draw_figure(p, broad=broad))),
    "close-up in a busy scene": lambda p, broad: close_up(figure_in_scene(p, busy_scene(), broad=broad)),
}

# (master palette, master is broad, other palette, other is broad)
CHARACTER_PAIRS = [
    pytest.param(HERO, False, STRANGER, True, id="hero master, stranger candidates"),
    pytest.param(STRANGER, True, HERO, False, id="stranger master, hero candidates"),
]


@pytest.fixture(scope="module")
def embedder() -> ClassicalEmbedder:
    return ClassicalEmbedder()


def similarity(embedder: Embedder, master: Image.Image, candidate: Image.Image) -> float:
    """The calibrated 0-100 consistency of `candidate` with `master`."""
    rows = embedder.embed([master, candidate])
    return embedder.calibrate(float(rows[0] @ rows[1]))


def test_the_classical_embedder_satisfies_the_embedder_protocol(embedder: ClassicalEmbedder) -> None:
    backend: Embedder = embedder
    assert backend.name == "classical"
    assert backend.model_id


def test_embeddings_are_unit_length_float32_rows_in_order(embedder: ClassicalEmbedder) -> None:
    images = [draw_figure(HERO), draw_figure(STRANGER, broad=True), close_up(draw_figure(HERO))]
    rows = embedder.embed(images)
    assert rows.dtype == np.float32
    assert rows.shape[0] == len(images)
    np.testing.assert_allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-5)


def test_a_batch_embeds_exactly_like_one_image_at_a_time(embedder: ClassicalEmbedder) -> None:
    # The busy scene goes through GrabCut, whose k-means start must not depend on what ran before.
    images = [draw_figure(HERO), figure_in_scene(HERO, busy_scene()), draw_figure(STRANGER, NIGHT, broad=True)]
    batch = embedder.embed(images)
    one_by_one = np.concatenate([embedder.embed([image]) for image in images])
    np.testing.assert_allclose(batch, one_by_one, rtol=0, atol=1e-6)


def test_an_empty_batch_gives_no_rows(embedder: ClassicalEmbedder) -> None:
    rows = embedder.embed([])
    assert rows.shape[0] == 0
    assert rows.shape[1] == embedder.embed([draw_figure(HERO)]).shape[1]


@pytest.mark.parametrize(
    "image",
    [
        pytest.param(Image.new("RGB", (64, 64), (128, 128, 128)), id="blank frame"),
        pytest.param(Image.new("RGB", (5, 3), (200, 10, 10)), id="tiny frame"),
        pytest.param(draw_figure(HERO).convert("L"), id="greyscale"),
        pytest.param(draw_figure(HERO).convert("RGBA"), id="with alpha"),
        pytest.param(draw_figure(HERO).resize((300, 700)), id="portrait aspect"),
    ],
)
def test_odd_images_still_embed_to_finite_unit_rows(embedder: ClassicalEmbedder, image: Image.Image) -> None:
    row = embedder.embed([image])[0]
    assert np.isfinite(row).all()
    assert np.linalg.norm(row) == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize("variant", list(SAME_CHARACTER), ids=list(SAME_CHARACTER))
@pytest.mark.parametrize(("palette", "broad"), [(HERO, False), (STRANGER, True)], ids=["hero", "stranger"])
def test_the_same_character_reframed_regraded_or_moved_scores_as_consistent(
    embedder: ClassicalEmbedder, variant: str, palette: Sequence[Colour], broad: bool
) -> None:
    master = draw_figure(palette, broad=broad)
    candidate = SAME_CHARACTER[variant](palette, broad)
    assert similarity(embedder, master, candidate) >= 80


@pytest.mark.parametrize("variant", ["as drawn", *SAME_CHARACTER], ids=["as drawn", *SAME_CHARACTER])
@pytest.mark.parametrize(("master_palette", "master_broad", "other_palette", "other_broad"), CHARACTER_PAIRS)
def test_a_different_character_scores_as_inconsistent(
    embedder: ClassicalEmbedder,
    variant: str,
    master_palette: Sequence[Colour],
    master_broad: bool,
    other_palette: Sequence[Colour],
    other_broad: bool,
) -> None:
    master = draw_figure(master_palette, broad=master_broad)
    if variant == "as drawn":
        candidate = draw_figure(other_palette, broad=other_broad)
    else:
        candidate = SAME_CHARACTER[variant](other_palette, other_broad)
    assert similarity(embedder, master, candidate) < 60


def test_calibration_is_monotone_and_clipped_to_0_100(embedder: ClassicalEmbedder) -> None:
    cosines = np.linspace(-1.0, 1.5, 501)
    scores = np.array([embedder.calibrate(float(c)) for c in cosines])
    assert (np.diff(scores) >= 0).all()
    assert scores.min() == 0.0
    assert scores.max() == 100.0
    assert embedder.calibrate(1.0) == 100.0


def test_calibration_anchor_for_80_sits_between_the_anchors() -> None:
    cosines = [c for c, _ in CALIBRATION_POINTS]
    scores = [s for _, s in CALIBRATION_POINTS]
    assert cosines == sorted(cosines)
    assert scores == sorted(scores)
    assert scores[0] <= 80 <= scores[-1]


# --- Combining master and core references ---


class LinearCalibration:
    """A stand-in backend whose calibration is easy to reason about: score = 100 * cosine, clipped."""

    name = "stub"
    model_id = "stub-linear"

    def embed(self, images: Sequence[Image.Image]) -> npt.NDArray[np.float32]:
        raise NotImplementedError

    def calibrate(self, cosine: float) -> float:
        return float(np.clip(100.0 * cosine, 0.0, 100.0))


def unit(*values: float) -> npt.NDArray[np.float32]:
    vector = np.array(values, np.float32)
    return np.asarray(vector / np.linalg.norm(vector), np.float32)


def at_cosine(cosine: float) -> npt.NDArray[np.float32]:
    """A unit vector at `cosine` to (1, 0), the candidate in these tests."""
    return unit(cosine, float(np.sqrt(max(0.0, 1.0 - cosine**2))))


MASTER = unit(1.0, 0.0)


@pytest.mark.parametrize(
    ("master_cosine", "core_cosines", "expected_score", "why"),
    [
        (0.9, None, 90, "no cores: the master decides"),
        (0.9, [], 90, "an empty core list is no cores"),
        (0.6, [0.4], 60, "a worse core view never lowers the score"),
        (0.6, [1.0], 80, "a matching core view lifts the score half-way"),
        (0.6, [0.7, 1.0, 0.8], 80, "the best core view counts"),
        (-0.5, None, 0, "scores are clipped at 0"),
    ],
)
def test_consistency_score_is_the_master_score_lifted_half_way_by_a_better_core_view(
    master_cosine: float, core_cosines: list[float] | None, expected_score: int, why: str
) -> None:
    candidate = unit(1.0, 0.0)
    cores = None if core_cosines is None else np.array([at_cosine(c) for c in core_cosines], np.float32).reshape(-1, 2)
    score, parts = consistency_score(candidate, at_cosine(master_cosine), cores, LinearCalibration())
    assert score == expected_score, why
    assert parts["cosine"] == pytest.approx(master_cosine, abs=1e-6)
    assert parts["master"] == pytest.approx(max(0.0, 100 * master_cosine), abs=1e-4)
    assert ("bestCore" in parts) == bool(core_cosines)


def test_consistency_score_accepts_rows_of_shape_1_by_d_and_a_single_core() -> None:
    score, parts = consistency_score(MASTER[None, :], MASTER[None, :], MASTER, LinearCalibration())
    assert score == 100
    assert parts == {"master": 100.0, "cosine": pytest.approx(1.0), "bestCore": 100.0}


def test_consistency_score_rejects_embeddings_of_different_sizes() -> None:
    with pytest.raises(ValueError, match="size"):
        consistency_score(unit(1, 0, 0), MASTER, None, LinearCalibration())
    with pytest.raises(ValueError, match="size"):
        consistency_score(MASTER, MASTER, np.ones((2, 3), np.float32), LinearCalibration())


def test_a_side_view_close_to_a_core_reference_scores_higher_than_against_the_master_alone(
    embedder: ClassicalEmbedder,
) -> None:
    master, core, candidate = embedder.embed(
        [draw_figure(HERO), close_up(draw_figure(HERO)), warmer(close_up(draw_figure(HERO, NIGHT)))]
    )
    alone, _ = consistency_score(candidate, master, None, embedder)
    with_cores, parts = consistency_score(candidate, master, core[None, :], embedder)
    assert parts["bestCore"] > parts["master"]
    assert with_cores > alone
