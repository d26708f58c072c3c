"""Cosine -> 0-100 calibration: monotone, clipped, documented per backend, loosened by a character's own spread."""

import itertools

import numpy as np
import pytest

from actors.validator.backends.classical import CALIBRATION as CLASSICAL
from actors.validator.backends.dinov3 import CALIBRATION as DINOV3
from actors.validator.calibration import PASS_SCORE, Calibration

COSINES = np.linspace(-1.0, 1.2, 441)
BACKENDS = [pytest.param(CLASSICAL, id="classical"), pytest.param(DINOV3, id="dinov3")]
SPREADS = [None, 1.0, 0.95, 0.9, 0.8, 0.7, 0.6, 0.3, -1.0]


@pytest.mark.parametrize("spread", SPREADS)
@pytest.mark.parametrize("calibration", BACKENDS)
def test_scores_are_monotone_in_the_cosine_and_clipped(calibration: Calibration, spread: float | None) -> None:
    scores = np.array([calibration.score(float(c), spread) for c in COSINES])
    assert (np.diff(scores) >= 0).all()
    assert scores.min() == 0.0
    assert scores.max() == 100.0


@pytest.mark.parametrize("calibration", BACKENDS)
def test_a_lower_spread_never_lowers_a_score(calibration: Calibration) -> None:
    ordered = sorted((s for s in SPREADS if s is not None), reverse=True)
    for cosine in COSINES:
        scores = [calibration.score(float(cosine), s) for s in ordered]
        assert all(b >= a - 1e-9 for a, b in itertools.pairwise(scores))


@pytest.mark.parametrize(
    ("calibration", "documented_pass_cosine"),
    [pytest.param(CLASSICAL, 0.875, id="classical"), pytest.param(DINOV3, 0.65, id="dinov3")],
)
def test_the_documented_80_point_scores_80(calibration: Calibration, documented_pass_cosine: float) -> None:
    assert calibration.pass_cosine == pytest.approx(documented_pass_cosine)
    assert calibration.score(documented_pass_cosine) == pytest.approx(PASS_SCORE)
    assert calibration.score(1.0) == 100.0


@pytest.mark.parametrize(
    ("spread", "expected"),
    [
        pytest.param(None, 0.8, id="no cores: unchanged"),
        pytest.param(0.9, 0.8, id="views closer than the 80-point: unchanged, never stricter"),
        pytest.param(0.75, 0.75, id="views at 0.75: the 80-point moves there"),
        pytest.param(0.6, 0.7, id="moved at most max_spread_shift"),
        pytest.param(float("nan"), 0.8, id="not a number: unchanged"),
    ],
)
def test_the_spread_moves_the_80_point_down_within_the_limit(spread: float | None, expected: float) -> None:
    calibration = Calibration(((0.5, 0.0), (0.8, 80.0), (1.0, 100.0)), max_spread_shift=0.1)
    assert calibration.pass_cosine_for(spread) == pytest.approx(expected)
    assert calibration.score(expected, spread) == pytest.approx(PASS_SCORE)


@pytest.mark.parametrize(
    ("points", "words"),
    [
        pytest.param(((0.5, 0.0),), "increase", id="one point"),
        pytest.param(((0.8, 0.0), (0.5, 100.0)), "increase", id="cosines fall"),
        pytest.param(((0.5, 90.0), (0.8, 10.0)), "decrease", id="scores fall"),
        pytest.param(((0.5, 0.0), (0.8, 50.0)), "span", id="never reaches 80"),
    ],
)
def test_a_malformed_calibration_is_refused(points: tuple[tuple[float, float], ...], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        Calibration(points)
