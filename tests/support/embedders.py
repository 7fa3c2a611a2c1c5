"""An embedder for tests that are not about the model: a handful of meanings, each a few
words that point the same way, and a text the mean of its words' directions. Real vectors,
compared as the stores compare them; only their model is small."""

from __future__ import annotations

import math
from collections.abc import Sequence

from synthetic_soul.ports.embeddings import EmbedderInfo, EmbeddingError, Vector

MEANINGS = (
    ("sister", "anna", "sibling"),
    ("dog", "puppy", "biscuit"),
    ("rain", "umbrella", "weather"),
    ("ada", "bea"),
)


class SynonymEmbedder:
    def __init__(self) -> None:
        self.embedded: list[str] = []

    @property
    def info(self) -> EmbedderInfo:
        return EmbedderInfo("test", "synonyms", len(MEANINGS) + 1)

    async def embed(self, texts: Sequence[str]) -> list[Vector]:
        self.embedded += texts
        return [self._one(text) for text in texts]

    def _one(self, text: str) -> Vector:
        words = [w.strip(".,:!?").lower().removesuffix("'s") for w in text.split()]
        v = [float(sum(w in group for w in words)) for group in MEANINGS] + [0.1]
        norm = math.sqrt(sum(x * x for x in v))
        return tuple(x / norm for x in v)

    async def close(self) -> None:
        pass


class UnreachableEmbedder(SynonymEmbedder):
    async def embed(self, texts: Sequence[str]) -> list[Vector]:
        raise EmbeddingError("the endpoint is down")
