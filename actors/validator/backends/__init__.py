"""Consistency backends behind one interface (`Embedder`), chosen by configuration with `build_embedder`.

- "classical": weight-free colour and structure descriptor of the isolated subject (the embedded default).
- "dinov3": DINOv3 class tokens through transformers, from a local directory or a cached hub id.

A configured backend that cannot run raises BackendUnavailable with what is missing and how to provide it; there
is no silent fallback to another backend.
"""

from actors.validator.backends.base import BackendUnavailable, Embedder, Embeddings

BACKENDS = ("classical", "dinov3")


def build_embedder(backend: str, model: str = "") -> Embedder:
    """The embedder for `backend`; `model` is the DINOv3 weights (local directory or hub id), unused by classical."""
    if backend == "classical":
        from actors.validator.backends.classical import ClassicalEmbedder

        return ClassicalEmbedder()
    if backend == "dinov3":
        from actors.validator.backends.dinov3 import Dinov3Embedder

        return Dinov3Embedder(model)
    raise BackendUnavailable(f"unknown validator backend '{backend}' (available: {', '.join(BACKENDS)})")


__all__ = ["BACKENDS", "BackendUnavailable", "Embedder", "Embeddings", "build_embedder"]
