"""Reranking: a second, closer reading of the few messages recall found first.

A reranker reads the query and each candidate together (a cross-encoder) and says how well
the candidate answers the query: slower than comparing vectors, since nothing of it can be
computed ahead, but it sees how the words of the two relate. Only the order of its scores
means anything; they are not probabilities, and scores of different models do not compare.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class RerankerInfo:
    provider: str  # "embedded" for the local model
    model: str


class RerankError(Exception):
    """The reranker could not be loaded or gave no usable answer."""


class Reranker(Protocol):
    @property
    def info(self) -> RerankerInfo: ...

    async def scores(self, query: str, texts: Sequence[str]) -> list[float]:
        """How well each text answers `query`, higher is better, in the order given. The work
        never blocks the event loop."""
        ...

    async def close(self) -> None: ...
