"""The provider's embeddings over real HTTP, against the stub server on loopback."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from synthetic_soul.adapters.embeddings.openai_compat import ProviderEmbedder
from synthetic_soul.ports.embeddings import EmbedderInfo, EmbeddingError
from synthetic_soul.settings import EmbeddingConfig, Endpoint, RerankingConfig, Settings
from tests.support.openai_stub import (
    STUB_DIMENSIONS,
    Answer,
    OpenAIStub,
    failure,
    running_stub,
    stub_vector,
)
from tests.unit.conftest import KEY, endpoint

pytestmark = pytest.mark.anyio


@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    with running_stub() as s:
        yield s


def config(batch_size: int = 32, max_retries: int = 0) -> EmbeddingConfig:
    return EmbeddingConfig("provider", "embed-model", Path("unused"), batch_size, 5.0, max_retries)


def unit(values: list[float]) -> list[float]:
    norm = math.sqrt(sum(v * v for v in values))
    return [v / norm for v in values]


async def test_vectors_come_back_in_order_and_of_unit_length(stub: OpenAIStub) -> None:
    embedder = ProviderEmbedder(endpoint(stub), config(batch_size=2))
    texts = ["my sister Anna", "the girl I grew up with", "the stock market fell", "tea"]
    try:
        vectors = await embedder.embed(texts)
    finally:
        await embedder.close()

    for text, vector in zip(texts, vectors, strict=True):
        assert list(vector) == pytest.approx(unit(stub_vector(text)))
    assert embedder.info == EmbedderInfo("openai", "embed-model", STUB_DIMENSIONS)
    first, second = stub.requests
    assert (first.path, first.headers["authorization"]) == ("/v1/embeddings", f"Bearer {KEY}")
    assert first.body == {"input": texts[:2], "model": "embed-model", "encoding_format": "float"}
    assert second.body["input"] == texts[2:]


async def test_nothing_to_embed_sends_nothing(stub: OpenAIStub) -> None:
    embedder = ProviderEmbedder(endpoint(stub), config())
    assert await embedder.embed([]) == []
    await embedder.close()
    assert stub.requests == []
    assert embedder.info.dimensions is None


async def test_a_server_error_is_retried_then_reported(stub: OpenAIStub) -> None:
    stub.then(failure(503), failure(503))
    embedder = ProviderEmbedder(endpoint(stub), config(max_retries=1))
    try:
        with pytest.raises(EmbeddingError, match="openai embed-model: HTTP 503"):
            await embedder.embed(["hello"])
        assert len(stub.requests) == 2
        assert len(await embedder.embed(["hello"])) == 1  # the server is back
    finally:
        await embedder.close()


async def test_answers_that_cannot_be_used_are_refused(stub: OpenAIStub) -> None:
    short = {"object": "list", "data": [], "model": "m", "usage": {}}
    zero = {
        "object": "list",
        "data": [{"object": "embedding", "index": 0, "embedding": [0.0, 0.0]}],
        "model": "m",
        "usage": {"prompt_tokens": 1, "total_tokens": 1},
    }
    stub.then(Answer(body=short), Answer(body=zero))
    embedder = ProviderEmbedder(endpoint(stub), config())
    try:
        with pytest.raises(EmbeddingError, match="0 vectors for 1 texts"):
            await embedder.embed(["hello"])
        with pytest.raises(EmbeddingError, match="a vector of length 0"):
            await embedder.embed(["hello"])
    finally:
        await embedder.close()


async def test_an_unconfigured_provider_says_what_is_missing(stub: OpenAIStub) -> None:
    hosted = endpoint(stub, "hosted", key=None)
    embedder = ProviderEmbedder(hosted, config())
    with pytest.raises(EmbeddingError, match="OPENAI_API_KEY is not set"):
        await embedder.embed(["hello"])
    await embedder.close()


def test_the_settings_section(tmp_path: Path) -> None:
    plain = Settings(_env_file=None, SOUL_MODEL_DIR=tmp_path)  # type: ignore[call-arg]
    assert plain.embedding == EmbeddingConfig("local", "bge-small-en", tmp_path, 32, 60.0, 2)
    assert plain.reranking == RerankingConfig("local", "ms-marco-minilm-l12", tmp_path)
    off = Settings(_env_file=None, RERANKER="off")  # type: ignore[call-arg]
    assert off.reranking.reranker == "off"
    ollama = Settings(
        _env_file=None,  # type: ignore[call-arg]
        EMBEDDER="provider",
        LLM_MODE="local",
        EMBEDDING_BATCH_SIZE=8,
        LLM_MAX_RETRIES=1,
    )
    section = ollama.embedding
    assert (section.embedder, section.model, section.batch_size) == (
        "provider",
        "nomic-embed-text",
        8,
    )
    assert section.max_retries == 1
    assert isinstance(ollama.endpoint, Endpoint)
    named = Settings(
        _env_file=None,  # type: ignore[call-arg]
        EMBEDDER="provider",
        EMBEDDING_MODEL="bge",
    )
    assert named.embedding.model == "bge"
