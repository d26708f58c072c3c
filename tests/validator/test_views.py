"""Views derived from a reference: a medium and a close-up framing of the figure, so any shot has a match."""

import pytest
from PIL import Image

from actors.validator.views import find_figure, reference_views
from ops.demo_art import draw_view


def test_a_full_figure_gives_the_whole_image_and_two_square_crops() -> None:
    master = draw_view("front", "full-body", 256)
    views = reference_views(master)
    assert len(views) == 3
    assert views[0] is master
    upper, head = views[1:]
    assert upper.width == upper.height and head.width == head.height
    assert head.width < upper.width < master.width


def test_a_close_up_reference_is_already_tight_and_gets_no_crops() -> None:
    assert len(reference_views(draw_view("front", "close-up", 256))) == 1


def test_a_cut_figure_is_recognised_as_partly_shown() -> None:
    medium = find_figure(draw_view("45-degree", "medium", 256))
    whole = find_figure(draw_view("front", "full-body", 256))
    assert medium is not None and whole is not None
    assert medium.shown < 1.0 == whole.shown


@pytest.mark.parametrize("image", [Image.new("RGB", (64, 64), (120, 130, 140)), Image.new("RGB", (8, 8))])
def test_a_frame_with_no_figure_is_used_whole(image: Image.Image) -> None:
    assert reference_views(image) == [image]
