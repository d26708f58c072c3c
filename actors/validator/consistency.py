"""Consistency of a candidate with its character's references, from embeddings: pure arithmetic, no I/O.

The spec asks for consistency against the master reference, so the master's calibrated score is the headline.
Core references (other views of the same character: side, back, close-up) may only *raise* it, and only half-way
towards the best of them: a "side view" prompt should not be punished for not matching the front-facing master
exactly, yet the master keeps the last word, so a candidate that matches some core view but drifts from the
master cannot score as if it matched the master.
"""

import numpy as np
import numpy.typing as npt

from actors.validator.backends.base import Embedder


def consistency_score(
    candidate: npt.NDArray[np.floating],
    master: npt.NDArray[np.floating],
    cores: npt.NDArray[np.floating] | None,
    embedder: Embedder,
) -> tuple[int, dict[str, float]]:
    """The 0-100 consistency score and its parts: {"master", "bestCore" (if cores given), "cosine"}.

    `candidate` and `master` are single embeddings (shape (d,) or (1, d)); `cores` is (n, d), (d,) or None.
    "cosine" is the raw candidate-master cosine; "master" and "bestCore" are calibrated 0-100 scores.
    """
    candidate_row = _single_row(candidate)
    cosine = _cosine(candidate_row, _single_row(master))
    master_score = embedder.calibrate(cosine)
    parts = {"master": master_score, "cosine": cosine}
    headline = master_score
    core_rows = _rows(cores, candidate_row.size)
    if len(core_rows):
        best_core = max(embedder.calibrate(_cosine(candidate_row, row)) for row in core_rows)
        parts["bestCore"] = best_core
        headline = max(master_score, 0.5 * (master_score + best_core))
    return int(np.clip(round(headline), 0, 100)), parts


def _single_row(embedding: npt.NDArray[np.floating]) -> npt.NDArray[np.float64]:
    row = np.asarray(embedding, np.float64)
    if row.ndim == 2 and row.shape[0] == 1:
        row = row[0]
    if row.ndim != 1:
        raise ValueError(f"expected one embedding, got an array of shape {np.shape(embedding)}")
    return row


def _rows(embeddings: npt.NDArray[np.floating] | None, dim: int) -> npt.NDArray[np.float64]:
    if embeddings is None or np.size(embeddings) == 0:
        return np.zeros((0, dim))
    rows = np.atleast_2d(np.asarray(embeddings, np.float64))
    if rows.ndim != 2 or rows.shape[1] != dim:
        raise ValueError(f"expected core embeddings of size {dim}, got an array of shape {np.shape(embeddings)}")
    return rows


def _cosine(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> float:
    """Cosine similarity in -1..1; rows are meant to be unit-norm already, but a mean of rows is not."""
    if a.shape != b.shape:
        raise ValueError(f"embeddings differ in size: {a.shape} vs {b.shape}")
    norms = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.clip(a @ b / norms, -1.0, 1.0)) if norms > 0 else 0.0
