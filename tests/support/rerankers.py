"""A reranker for tests that are not about the model: a text scores the number of the query's
words it holds that are in `favoured`, so a test says which messages it lifts; each call is
recorded."""

from __future__ import annotations

from collections.abc import Sequence

from synthetic_soul.ports.reranking import RerankerInfo, RerankError


class WordReranker:
    def __init__(self, favoured: Sequence[str] = ()) -> None:
        self.favoured = {w.lower() for w in favoured}
        self.calls: list[tuple[str, list[str]]] = []

    @property
    def info(self) -> RerankerInfo:
        return RerankerInfo("test", "words")

    async def scores(self, query: str, texts: Sequence[str]) -> list[float]:
        self.calls.append((query, list(texts)))
        return [float(sum(w in self.favoured for w in t.lower().split())) for t in texts]

    async def close(self) -> None:
        pass


class BrokenReranker(WordReranker):
    async def scores(self, query: str, texts: Sequence[str]) -> list[float]:
        raise RerankError("the model file is damaged")
