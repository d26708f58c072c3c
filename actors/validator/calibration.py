"""Cosine similarity -> 0-100 consistency: a piecewise-linear map per backend, loosened by the character's own spread.

Each backend documents its anchor points: (cosine, score) pairs, both increasing. The point that scores 80 (the
spec's default threshold) is the one that matters most: it is the cosine below which a candidate is no longer
"the same character" for that backend.

Spread: some characters' own reference views are less alike than the calibration assumes (a costume that looks
different from behind, a close-up next to a full figure). When the lowest cosine between the master and a core
reference (`spread`) is below the backend's 80-point, a candidate as close to the master as the character's own
views are is as consistent as the character itself, so the 80-point moves down to `spread`, but never further
than `max_spread_shift` (past that, strangers would start to pass). Above it, the map is unchanged: a character
whose views are all alike does not make the test stricter, because the 80-point is already set where strangers
sharing a palette fall.

The loosened map is the backend's map applied to a warped cosine: the warp is piecewise linear through
(zero point, zero point), (moved 80-point, original 80-point) and (1, 1), so the result stays monotone in the
cosine, clipped to 0-100, and never lower than without spread.
"""

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

PASS_SCORE = 80.0  # the spec's default consistencyThreshold; the spread moves the cosine that earns it


@dataclass(frozen=True, slots=True)
class Calibration:
    """A backend's cosine -> score anchors and how far a character's own spread may move its 80-point."""

    points: tuple[tuple[float, float], ...]
    max_spread_shift: float = 0.0

    def __post_init__(self) -> None:
        cosines = [c for c, _ in self.points]
        scores = [s for _, s in self.points]
        if len(self.points) < 2 or any(b <= a for a, b in itertools.pairwise(cosines)):
            raise ValueError(f"calibration cosines must increase strictly: {cosines}")
        if any(b < a for a, b in itertools.pairwise(scores)):
            raise ValueError(f"calibration scores must not decrease: {scores}")
        if not scores[0] <= PASS_SCORE <= scores[-1] or scores[0] == scores[-1]:
            raise ValueError(f"calibration scores must span {PASS_SCORE:g}: {scores}")
        if self.max_spread_shift < 0:
            raise ValueError("max_spread_shift must not be negative")

    @property
    def pass_cosine(self) -> float:
        """The cosine that scores PASS_SCORE without any spread adjustment."""
        return self.cosine_for(PASS_SCORE)

    def cosine_for(self, score: float) -> float:
        """The lowest cosine that reaches `score` (inverse of the map, on its rising part)."""
        for (c0, s0), (c1, s1) in itertools.pairwise(self.points):
            if s0 <= score <= s1 and s1 > s0:
                return c0 + (c1 - c0) * (score - s0) / (s1 - s0)
        return self.points[0][0] if score <= self.points[0][1] else self.points[-1][0]

    def pass_cosine_for(self, spread: float | None) -> float:
        """The cosine that scores PASS_SCORE for a character whose own views reach down to `spread`."""
        anchor = self.pass_cosine
        if spread is None or not np.isfinite(spread):
            return anchor
        floor = max(anchor - self.max_spread_shift, self.points[0][0] + 1e-6)
        return float(np.clip(spread, floor, anchor))

    def score(self, cosine: float, spread: float | None = None) -> float:
        """0-100, monotone in `cosine`, clipped; never lower for a lower `spread`."""
        warped = self._warp(float(cosine), self.pass_cosine_for(spread))
        return float(np.clip(np.interp(warped, *self._axes()), 0.0, 100.0))

    def _warp(self, cosine: float, moved: float) -> float:
        anchor = self.pass_cosine
        if moved >= anchor:
            return cosine
        zero = self.points[0][0]
        return float(np.interp(cosine, (zero, moved, 1.0), (zero, anchor, 1.0), left=cosine, right=cosine))

    def _axes(self) -> tuple[Sequence[float], Sequence[float]]:
        return [c for c, _ in self.points], [s for _, s in self.points]
