"""Embeddings: text to vectors whose nearness is nearness of meaning, for recall by meaning.

A vector is a plain tuple of floats of unit length, so a dot product is the cosine
similarity and the stores need no numpy to rank by it. Every vector an embedder gives has
the same length (`info.dimensions`); vectors of different embedders (or models) are not
comparable, which is why `info` names the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

Vector = tuple[float, ...]


@dataclass(frozen=True)
class EmbedderInfo:
    provider: str  # "embedded" for the local model, else the endpoint's provider
    model: str
    dimensions: int | None  # None: a provider's, known after its first answer


class EmbeddingError(Exception):
    """The embedder could not be reached, loaded or gave no usable answer."""


class Embedder(Protocol):
    @property
    def info(self) -> EmbedderInfo: ...

    async def embed(self, texts: Sequence[str]) -> list[Vector]:
        """One unit-length vector per text, in the order given. Texts are taken in batches
        (the embedder's batch size), and the work never blocks the event loop."""
        ...

    async def close(self) -> None: ...
