"""Embeddings from the configured provider's `/embeddings` endpoint: OpenAI, Ollama, any
OpenAI-compatible server, through the official SDK, at the LLM's `Endpoint`.

Vectors are asked for as floats (not the SDK's default base64, which not every compatible
server speaks), put back in the order of the texts by their `index`, and scaled to unit
length here, since not every model returns them so. The provider's dimensions are learned
from its first answer, and an answer of other dimensions after that is refused.

Unlike chat calls, an embedding request is small and safe to repeat, so the SDK's own retries
serve (connection errors, timeouts, 408/409/429 after Retry-After, 5xx), bounded by
`LLM_MAX_RETRIES`; after them, `EmbeddingError`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

import openai

from synthetic_soul.ports.embeddings import EmbedderInfo, EmbeddingError, Vector
from synthetic_soul.settings import EmbeddingConfig, Endpoint

log = logging.getLogger(__name__)

_NO_KEY = "none"  # the SDK refuses to build a client without a key


class ProviderEmbedder:
    def __init__(self, endpoint: Endpoint, config: EmbeddingConfig) -> None:
        self._endpoint = endpoint
        self._config = config
        self._dimensions: int | None = None
        self._client: openai.AsyncOpenAI | None = None
        if endpoint.missing is not None:
            log.warning("EMBEDDER=provider (%s): %s", endpoint.provider, endpoint.missing)
        else:
            self._client = openai.AsyncOpenAI(
                api_key=endpoint.api_key or _NO_KEY,
                base_url=endpoint.base_url,
                timeout=config.timeout_s,
                max_retries=config.max_retries,
            )
            if endpoint.mode != "hosted":
                self._client.organization = None  # OpenAI's business, not another server's
                self._client.project = None

    @property
    def info(self) -> EmbedderInfo:
        return EmbedderInfo(self._endpoint.provider, self._config.model, self._dimensions)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()

    async def embed(self, texts: Sequence[str]) -> list[Vector]:
        vectors: list[Vector] = []
        size = self._config.batch_size
        for start in range(0, len(texts), size):
            vectors.extend(await self._batch(list(texts[start : start + size])))
        return vectors

    async def _batch(self, texts: list[str]) -> list[Vector]:
        e, model = self._endpoint, self._config.model
        if self._client is None:
            raise EmbeddingError(f"{e.provider} is not configured: {e.missing}")
        try:
            answer = await self._client.embeddings.create(
                input=texts, model=model, encoding_format="float"
            )
        except openai.APIStatusError as exc:
            raise EmbeddingError(f"{e.provider} {model}: HTTP {exc.status_code}") from None
        except openai.OpenAIError as exc:
            raise EmbeddingError(f"{e.provider} {model} at {e.base_url}: {exc}") from None
        items = sorted(answer.data, key=lambda item: item.index)
        if [item.index for item in items] != list(range(len(texts))):
            raise EmbeddingError(
                f"{e.provider} {model}: {len(items)} vectors for {len(texts)} texts"
            )
        return [self._unit(item.embedding) for item in items]

    def _unit(self, values: list[float]) -> Vector:
        e, model = self._endpoint, self._config.model
        if self._dimensions is None:
            self._dimensions = len(values)
        if len(values) != self._dimensions:
            raise EmbeddingError(
                f"{e.provider} {model}: a vector of {len(values)} dimensions, "
                f"not {self._dimensions}"
            )
        norm = math.sqrt(math.fsum(v * v for v in values))
        if not norm or not math.isfinite(norm):
            raise EmbeddingError(f"{e.provider} {model}: a vector of length {norm}")
        return tuple(v / norm for v in values)
