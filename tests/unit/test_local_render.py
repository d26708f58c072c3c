"""The local engine's compositor, judged by what a user sees: framing, backdrop, grade, strength and determinism."""

import functools
from collections.abc import Callable

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image

from actors.generator.engines.local_render import render, subject_box
from contracts.model import Angle, GenerationParams, Mood, PromptAnalysis, Setting, ShotType
from ops.demo_art import DEMO_VIEWS, draw_view

SIZE = 256


@functools.cache
def master() -> Image.Image:
    return draw_view("front", "full-body", SIZE)


def ask(
    shot_type: ShotType | None = None,
    angle: Angle | None = None,
    mood: Mood = "neutral",
    setting: Setting = "neutral",
) -> PromptAnalysis:
    return PromptAnalysis(shot_type=shot_type, angle=angle, mood=mood, setting=setting, keywords=())


def params(seed: int = 4, strength: float = 0.5, width: int = SIZE, height: int = SIZE) -> GenerationParams:
    return GenerationParams(seed=seed, strength=strength, guidance=7.5, width=width, height=height)


def pixels(image: Image.Image) -> NDArray[np.float32]:
    return np.asarray(image, dtype=np.float32)


def hair_mask(image: Image.Image) -> NDArray[np.uint8]:
    """1 where a pixel shows Nova's raspberry hair."""
    hsv = cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2HSV)
    return np.asarray((hsv[..., 0] >= 160) & (hsv[..., 1] > 110) & (hsv[..., 2] > 90), dtype=np.uint8)


def hair_pixels(image: Image.Image) -> int:
    """How many pixels show Nova's hair: a rough measure of how big her head is in the frame."""
    return int(hair_mask(image).sum())


def unlike_backdrop(image: Image.Image, threshold: int) -> NDArray[np.uint8]:
    """1 where a render on the original studio backdrop (a vertical gradient) differs from that row's backdrop."""
    rgb = pixels(image)
    return np.asarray(np.abs(rgb - rgb[:, :1]).max(axis=2) > threshold, dtype=np.uint8)


def subject_pixels(image: Image.Image, margin: int = 2) -> NDArray[np.bool_]:
    """Nova's pixels in a render on the original studio backdrop, `margin` pixels inside her outline."""
    inside = cv2.erode(unlike_backdrop(image, 60), np.ones((2 * margin + 1, 2 * margin + 1), np.uint8))
    return np.asarray(inside > 0)


def box_height_share(image: Image.Image) -> float:
    _, top, _, bottom = subject_box(image)
    return (bottom - top) / image.height


def luminance(image: Image.Image) -> NDArray[np.float32]:
    return np.asarray(image.convert("L"), dtype=np.float32)


def saturation(image: Image.Image) -> float:
    return float(cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2HSV)[..., 1].mean())


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    return float(np.abs(pixels(a) - pixels(b)).mean())


# --- Determinism and size --------------------------------------------------------------------------------------------

VARIED_REQUESTS = [
    ask("close-up", "front", "dramatic", "outdoor"),
    ask("medium", "side", "action", "indoor"),
    ask("full-body", "45-degree", "calm", "studio"),
    ask("wide", "back", "neutral", "neutral"),
    ask(None, None, "action", "outdoor"),
]


@pytest.mark.parametrize("analysis", VARIED_REQUESTS)
@pytest.mark.parametrize("seed", [0, 7, 2**40 + 1])
def test_same_inputs_give_byte_identical_output(analysis: PromptAnalysis, seed: int) -> None:
    first = render(master(), analysis, params(seed=seed))
    again = render(master(), analysis, params(seed=seed))

    assert first.tobytes() == again.tobytes()


@pytest.mark.parametrize(("mood", "setting"), [("action", "neutral"), ("neutral", "outdoor"), ("dramatic", "neutral")])
def test_the_seed_changes_the_random_parts(mood: Mood, setting: Setting) -> None:
    one = render(master(), ask("full-body", mood=mood, setting=setting), params(seed=2, strength=0.3))
    other = render(master(), ask("full-body", mood=mood, setting=setting), params(seed=4, strength=0.3))

    assert one.tobytes() != other.tobytes()


@pytest.mark.parametrize(("width", "height"), [(256, 256), (320, 180), (180, 320), (64, 64), (513, 257)])
@pytest.mark.parametrize("shot_type", [None, "close-up", "medium", "full-body", "wide"])
def test_output_has_the_requested_size(width: int, height: int, shot_type: ShotType | None) -> None:
    image = render(master(), ask(shot_type, setting="outdoor"), params(width=width, height=height))

    assert image.mode == "RGB"
    assert image.size == (width, height)


@pytest.mark.parametrize(("width", "height"), [(0, 256), (256, -1)])
def test_impossible_sizes_are_refused(width: int, height: int) -> None:
    with pytest.raises(ValueError, match="positive"):
        render(master(), ask(), params(width=width, height=height))


@pytest.mark.parametrize("shot_type", ["close-up", "medium", "full-body"])
@pytest.mark.parametrize(("width", "height"), [(2 * SIZE, SIZE), (SIZE, 2 * SIZE)])
def test_other_aspect_ratios_never_stretch_the_subject(shot_type: ShotType, width: int, height: int) -> None:
    square = render(master(), ask(shot_type), params())
    other = render(master(), ask(shot_type), params(width=width, height=height))

    def hair_aspect(image: Image.Image) -> float:
        _, _, w, h = cv2.boundingRect(hair_mask(image))
        return w / h

    assert hair_aspect(other) == pytest.approx(hair_aspect(square), rel=0.1)


# --- Framing ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("shot_type", "at_least"), [("close-up", 6.0), ("medium", 2.0)])
@pytest.mark.parametrize(("width", "height"), [(SIZE, SIZE), (320, 200)])
def test_closer_shots_show_the_head_larger_than_full_body(
    shot_type: ShotType, at_least: float, width: int, height: int
) -> None:
    full_body = render(master(), ask("full-body"), params(width=width, height=height))
    closer = render(master(), ask(shot_type), params(width=width, height=height))

    assert hair_pixels(closer) > at_least * hair_pixels(full_body)


@pytest.mark.parametrize(("shot_type", "height_share"), [("full-body", 0.86), ("wide", 0.45)])
@pytest.mark.parametrize(("width", "height"), [(SIZE, SIZE), (320, 200)])
def test_subject_fills_the_share_of_the_frame_the_shot_calls_for(
    shot_type: ShotType, height_share: float, width: int, height: int
) -> None:
    image = render(master(), ask(shot_type), params(width=width, height=height))

    assert box_height_share(image) == pytest.approx(height_share, abs=0.06)


@pytest.mark.parametrize("setting", ["neutral", "outdoor", "indoor"])
def test_wide_shot_shows_a_smaller_subject_than_full_body(setting: Setting) -> None:
    full_body = render(master(), ask("full-body", setting=setting), params())
    wide = render(master(), ask("wide", setting=setting), params())

    assert hair_pixels(wide) < 0.4 * hair_pixels(full_body)


def test_no_shot_type_keeps_the_reference_framing() -> None:
    image = render(master(), ask(None), params(strength=1.0))

    assert subject_box(image) == pytest.approx(subject_box(master()), abs=3)


def test_close_up_of_a_close_up_reference_is_not_cropped_again() -> None:
    reference = draw_view("front", "close-up", SIZE)
    image = render(reference, ask("close-up"), params())

    assert hair_pixels(image) == pytest.approx(hair_pixels(reference), rel=0.6)


@pytest.mark.parametrize("angle", ["side", "45-degree"])
def test_odd_seed_mirrors_a_profile_even_seed_does_not(angle: Angle) -> None:
    reference = draw_view(angle, "full-body", SIZE)
    even = render(reference, ask("full-body", angle), params(seed=2))
    odd = render(reference, ask("full-body", angle), params(seed=3))

    assert odd.tobytes() == even.transpose(Image.Transpose.FLIP_LEFT_RIGHT).tobytes()


@pytest.mark.parametrize("angle", [None, "front", "back"])
def test_other_angles_are_never_mirrored(angle: Angle | None) -> None:
    even = render(master(), ask("full-body", angle), params(seed=2))
    odd = render(master(), ask("full-body", angle), params(seed=3))

    assert odd.tobytes() == even.tobytes()


# --- Backdrop --------------------------------------------------------------------------------------------------------


def looks_outdoor(top: NDArray[np.float32], bottom: NDArray[np.float32]) -> bool:
    """Blue sky above, green grass below."""
    return bool(top[2] > top[0] + 30 and bottom[1] > bottom[0] + 10 and bottom[1] > bottom[2])


def looks_indoor(top: NDArray[np.float32], bottom: NDArray[np.float32]) -> bool:
    """A warm wall above, a wooden floor below."""
    return bool(top[0] > top[2] + 25 and bottom[0] > bottom[2] + 40)


def looks_studio(top: NDArray[np.float32], bottom: NDArray[np.float32]) -> bool:
    """Neutral grey, a shade darker than the original light backdrop."""
    return bool(abs(top[0] - top[2]) < 12 and abs(bottom[0] - bottom[2]) < 12 and top.mean() < 200)


@pytest.mark.parametrize(
    ("setting", "looks_right"),
    [
        ("outdoor", looks_outdoor),
        ("indoor", looks_indoor),
        ("studio", looks_studio),
    ],
)
@pytest.mark.parametrize("shot_type", ["medium", "full-body", "wide"])
def test_setting_replaces_the_backdrop_but_keeps_the_subject(
    setting: Setting, looks_right: Callable[[NDArray[np.float32], NDArray[np.float32]], bool], shot_type: ShotType
) -> None:
    original = render(master(), ask(shot_type), params(strength=0.3))
    placed = render(master(), ask(shot_type, setting=setting), params(strength=0.3))
    subject = subject_pixels(original)
    before, after = pixels(original), pixels(placed)
    top_corner, bottom_corner = after[:20, :20].reshape(-1, 3).mean(0), after[-20:, :20].reshape(-1, 3).mean(0)

    assert subject.mean() > 0.01
    assert np.abs(after[subject].mean(0) - before[subject].mean(0)).max() < 6, "subject colours are kept"
    assert np.abs(after[:20, :20] - before[:20, :20]).mean() > 20, "the backdrop changed"
    assert looks_right(top_corner, bottom_corner), f"does not look {setting}: {top_corner}, {bottom_corner}"


def test_neutral_setting_keeps_the_original_backdrop() -> None:
    image = render(master(), ask(None, setting="neutral"), params(strength=0.3))

    assert mean_difference(image, master()) < 1.0


# --- Mood ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shot_type", ["close-up", "full-body", "wide"])
@pytest.mark.parametrize("setting", ["neutral", "outdoor"])
def test_dramatic_mood_raises_contrast(shot_type: ShotType, setting: Setting) -> None:
    neutral = render(master(), ask(shot_type, setting=setting), params(strength=0.4))
    dramatic = render(master(), ask(shot_type, mood="dramatic", setting=setting), params(strength=0.4))

    assert luminance(dramatic).std() > 1.1 * luminance(neutral).std()


@pytest.mark.parametrize("shot_type", ["close-up", "full-body"])
def test_calm_mood_is_softer_and_warmer(shot_type: ShotType) -> None:
    neutral = render(master(), ask(shot_type), params(strength=0.4))
    calm = render(master(), ask(shot_type, mood="calm"), params(strength=0.4))

    def warmth(image: Image.Image) -> float:
        rgb = pixels(image)
        return float((rgb[..., 0] - rgb[..., 2]).mean())

    assert luminance(calm).std() < luminance(neutral).std()
    assert warmth(calm) > warmth(neutral) + 5
    assert saturation(calm) < saturation(neutral) * 1.1


@pytest.mark.parametrize("shot_type", ["medium", "full-body"])
def test_action_mood_is_more_saturated_with_streaks_only_behind_the_subject(shot_type: ShotType) -> None:
    neutral = render(master(), ask(shot_type), params(strength=0.4))
    one = render(master(), ask(shot_type, mood="action"), params(seed=2, strength=0.4))
    other = render(master(), ask(shot_type, mood="action"), params(seed=4, strength=0.4))
    subject = subject_pixels(neutral, margin=6)  # past the feathered edge, where the backdrop blends in
    seed_difference = np.abs(pixels(one) - pixels(other)).max(axis=2)

    assert saturation(one) > saturation(neutral) + 5
    assert seed_difference[~subject].max() > 20, "the streaks move with the seed"
    assert seed_difference[subject].max() < 3, "the subject carries no streaks"


# --- Strength --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mood", "setting"), [("dramatic", "outdoor"), ("calm", "indoor"), ("action", "studio"), ("dramatic", "neutral")]
)
def test_full_strength_stays_closer_to_the_reference(mood: Mood, setting: Setting) -> None:
    held = render(master(), ask(None, mood=mood, setting=setting), params(strength=1.0))
    loose = render(master(), ask(None, mood=mood, setting=setting), params(strength=0.3))

    assert mean_difference(held, master()) < 12
    assert mean_difference(loose, master()) > 2 * mean_difference(held, master())


# --- Finding the subject ---------------------------------------------------------------------------------------------


def coloured_extent(image: Image.Image) -> tuple[int, int, int, int]:
    """Box round the clearly coloured pixels: Nova's hair, skin, clothes (the grey studio and props are excluded)."""
    hsv = cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2HSV)
    ys, xs = np.nonzero(hsv[..., 1] > 70)
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


@pytest.mark.parametrize(("angle", "shot_type"), [(a, s) for _, a, s in DEMO_VIEWS] + [("front", "wide")])
def test_subject_box_finds_the_drawn_figure(angle: Angle, shot_type: ShotType) -> None:
    image = draw_view(angle, shot_type, SIZE)
    left, top, right, bottom = subject_box(image)
    c_left, c_top, c_right, c_bottom = coloured_extent(image)

    assert left <= c_left + 1 and top <= c_top + 1 and right >= c_right - 1 and bottom >= c_bottom - 1
    # Tight: the box hugs the figure (its dark outline adds a little), never the studio props.
    assert (right - left) * (bottom - top) < 1.4 * (c_right - c_left) * (c_bottom - c_top) + 0.02 * SIZE * SIZE


@pytest.mark.parametrize(
    ("reference_view", "shot_type", "mood", "size"),
    [
        (("front", "full-body"), "close-up", "neutral", (256, 256)),
        (("front", "full-body"), "medium", "calm", (320, 200)),
        (("front", "full-body"), "wide", "neutral", (320, 200)),
        (("front", "full-body"), "wide", "dramatic", (200, 320)),
        (("side", "full-body"), "full-body", "dramatic", (256, 256)),
        (("45-degree", "medium"), "close-up", "dramatic", (512, 256)),
        (("45-degree", "medium"), "wide", "calm", (256, 256)),
        (("front", "close-up"), "medium", "neutral", (200, 320)),
        (("front", "close-up"), "wide", "dramatic", (320, 200)),
    ],
)
def test_subject_box_finds_the_figure_in_rendered_shots(
    reference_view: tuple[Angle, ShotType], shot_type: ShotType, mood: Mood, size: tuple[int, int]
) -> None:
    """Renders keep the studio backdrop (padded, graded) smooth enough for the subject to be found again."""
    image = render(draw_view(*reference_view, SIZE), ask(shot_type, mood=mood), params(width=size[0], height=size[1]))
    left, top, right, bottom = subject_box(image)
    c_left, c_top, c_right, c_bottom = coloured_extent(image)

    assert left <= c_left + 1 and top <= c_top + 1 and right >= c_right - 1 and bottom >= c_bottom - 1
    assert (right - left) * (bottom - top) < 1.4 * (c_right - c_left) * (c_bottom - c_top) + 0.02 * size[0] * size[1]


@pytest.mark.parametrize("size", [(96, 96), (640, 480)])
def test_subject_box_falls_back_to_the_whole_image_when_nothing_stands_out(size: tuple[int, int]) -> None:
    assert subject_box(Image.new("RGB", size, (200, 205, 210))) == (0, 0, *size)


def test_subject_box_reads_transparency_as_backdrop() -> None:
    image = master().convert("RGBA")
    alpha = unlike_backdrop(master(), 20) * np.uint8(255)
    image.putalpha(Image.fromarray(cv2.dilate(alpha, np.ones((3, 3), np.uint8))))

    assert subject_box(image) == pytest.approx(subject_box(master()), abs=6)


@pytest.mark.parametrize("size", [48, 128, 224])
def test_action_grade_works_at_small_sizes(size: int) -> None:
    analysis = PromptAnalysis(shot_type="full-body", angle=None, mood="action", setting="outdoor", keywords=())
    params = GenerationParams(seed=3, strength=0.4, guidance=5.0, width=size, height=size)
    assert render(draw_view("front", "full-body", 256), analysis, params).size == (size, size)
