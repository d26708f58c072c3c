"""Consistency of a candidate with its character's references, from embeddings: pure arithmetic, no I/O.

Every reference comes as rows of views: row 0 is the whole image, the rows after it are crops derived from it
(views.py: a medium-shot and a close-up framing of the figure). The candidate is one row.

- master: the best cosine between the candidate and any view of the master, calibrated. A close-up is compared
  with the master's close-up crop, not only with the whole full-body image.
- bestCore: the same over the core references (the character's other views: side, back, close-up).
- spread: the lowest cosine between the master and a core reference (whole images): how far the character's own
  views are from each other. It loosens the calibration for characters whose views differ (calibration.py).

The spec asks for consistency against the master reference, so the master's score is the headline. Core references
may only *raise* it, and only half-way towards the best of them: a "side view" prompt should not be punished for
not matching the front-facing master exactly, yet the master keeps the last word, so a candidate that matches some
core view but drifts from the master cannot score as if it matched the master.
"""

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

from actors.validator.calibration import Calibration

FloatRows = npt.NDArray[np.floating]
CoreRows = FloatRows | Sequence[FloatRows] | None


class Calibrated(Protocol):
    """The part of an Embedder that scoring needs."""

    @property
    def calibration(self) -> Calibration: ...


def consistency_score(
    candidate: FloatRows, master: FloatRows, cores: CoreRows, embedder: Calibrated
) -> tuple[int, dict[str, float]]:
    """The 0-100 consistency score and its parts.

    `candidate` is one embedding ((d,) or (1, d)). `master` is the master's views ((d,) or (v, d), whole image
    first). `cores` is None, an (n, d) array of n single-view references, or a sequence of (v_i, d) view arrays.

    Parts: "cosine" (candidate vs the whole master), "masterCosine" and "masterView" (the best master view and its
    index), "master" (its calibrated score), "passCosine" (the cosine that scores 80 for this character), and with
    cores: "bestCoreCosine", "bestCore" (calibrated), "spread".
    """
    calibration = embedder.calibration
    candidate_row = _single_row(candidate)
    master_views = _views(master, candidate_row.size)
    core_views = _core_views(cores, candidate_row.size)
    spread = min((_cosine(master_views[0], views[0]) for views in core_views), default=None)
    master_cosines = [_cosine(candidate_row, row) for row in master_views]
    best_view = int(np.argmax(master_cosines))
    master_score = calibration.score(master_cosines[best_view], spread)
    parts = {
        "cosine": master_cosines[0],
        "masterCosine": master_cosines[best_view],
        "masterView": float(best_view),
        "master": master_score,
        "passCosine": calibration.pass_cosine_for(spread),
    }
    headline = master_score
    if core_views:
        best_core_cosine = max(_cosine(candidate_row, row) for views in core_views for row in views)
        best_core = calibration.score(best_core_cosine, spread)
        parts.update(bestCoreCosine=best_core_cosine, bestCore=best_core, spread=float(spread or 0.0))
        headline = max(master_score, 0.5 * (master_score + best_core))
    return int(np.clip(round(headline), 0, 100)), parts


def _single_row(embedding: FloatRows) -> npt.NDArray[np.float64]:
    row = np.asarray(embedding, np.float64)
    if row.ndim == 2 and row.shape[0] == 1:
        row = row[0]
    if row.ndim != 1:
        raise ValueError(f"expected one embedding, got an array of shape {np.shape(embedding)}")
    return row


def _views(embeddings: FloatRows, dim: int) -> npt.NDArray[np.float64]:
    rows = np.atleast_2d(np.asarray(embeddings, np.float64))
    if rows.ndim != 2 or rows.shape[1] != dim or rows.shape[0] == 0:
        raise ValueError(f"expected reference views of size {dim}, got an array of shape {np.shape(embeddings)}")
    return rows


def _core_views(cores: CoreRows, dim: int) -> list[npt.NDArray[np.float64]]:
    if cores is None:
        return []
    if isinstance(cores, np.ndarray):
        if cores.size == 0:
            return []
        return [row[None, :] for row in _views(cores, dim)]  # an (n, d) array: n references of one view each
    return [_views(views, dim) for views in cores]


def _cosine(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> float:
    """Cosine similarity in -1..1; rows are meant to be unit-norm already, but a mean of rows is not."""
    if a.shape != b.shape:
        raise ValueError(f"embeddings differ in size: {a.shape} vs {b.shape}")
    norms = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.clip(a @ b / norms, -1.0, 1.0)) if norms > 0 else 0.0
