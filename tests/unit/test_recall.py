"""Recall by meaning and words: the fusion of two rankings (pure), and the use case that
embeds a user's messages after they are written and recalls from both searches, on the
in-memory store with an embedder whose meanings are a small table of synonyms."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from synthetic_soul.domain.conversation import Message
from synthetic_soul.domain.recall import (
    AFTER_SHARE,
    ASKED,
    BEFORE_SHARE,
    IN_TIMEFRAME,
    NEIGHBOUR_GAP_S,
    OTHER_SPEAKER,
    RERANK_K,
    RRF_K,
    embedded_text,
    fused,
    named_speakers,
    reranked,
    shared,
    weighed,
    without_names,
)
from synthetic_soul.domain.timeframe import timeframe
from synthetic_soul.ports.commits import AddMessage, FinishJob, Plan
from synthetic_soul.ports.embeddings import EmbeddingError
from synthetic_soul.records import Job
from synthetic_soul.usecases import recall as recall_module
from synthetic_soul.usecases.recall import Recall
from tests.support.embedders import SynonymEmbedder, UnreachableEmbedder
from tests.support.memory_store import MemoryStore
from tests.support.rerankers import BrokenReranker, WordReranker

pytestmark = pytest.mark.anyio

AGENT = "jasmine"
T0 = 1_700_000_000.0


# -- the fusion --------------------------------------------------------------------------------
def test_an_item_in_both_rankings_beats_one_first_in_only_one() -> None:
    ranked = fused([["a", "b", "c"], ["b", "d"]], [1.0, 1.0])

    assert [item for item, _ in ranked] == ["b", "a", "d", "c"]
    assert ranked[0][1] == pytest.approx(1 / (RRF_K + 2) + 1 / (RRF_K + 1))
    assert ranked[1][1] == pytest.approx(1 / (RRF_K + 1))


def test_weights_and_k_shape_the_order() -> None:
    assert [i for i, _ in fused([["a"], ["b"]], [1.0, 2.0])] == ["b", "a"]
    # A smaller k makes the first rank count more against two later ones.
    lists = [["a", "x", "y"], ["x", "y", "b"]]
    assert fused(lists, [1.0, 1.0], k=1)[0][0] == "x"
    assert [i for i, _ in fused([["a", "b"], []], [1.0, 1.0])] == ["a", "b"]
    with pytest.raises(ValueError):
        fused([["a"]], [1.0, 1.0])


@given(st.lists(st.lists(st.sampled_from("abcdefgh"), max_size=8), min_size=1, max_size=3))
def test_every_item_once_scores_falling(rankings: list[list[str]]) -> None:
    ranked = fused(rankings, [1.0] * len(rankings))

    assert sorted(i for i, _ in ranked) == sorted({i for r in rankings for i in r})
    scores = [s for _, s in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(s > 0 for s in scores)


def test_the_speaker_is_embedded_before_the_words() -> None:
    said = Message("m", "c", "we adopted a puppy", T0, "u", "Ada", from_agent=False)
    assert embedded_text(said) == "Ada: we adopted a puppy"


# -- neighbours, speakers, questions -----------------------------------------------------------
def said(mid: str, at: float, text: str = "hm", speaker: str = "Ada") -> Message:
    return Message(mid, "c", text, at, "u", speaker, from_agent=False)


def test_a_found_message_shares_its_score_with_its_neighbours() -> None:
    question, answer, before = said("q", T0), said("a", T0 + 5), said("b", T0 - 5)
    messages = {m.id: m for m in (question, answer, before)}

    scores = shared({"q": 1.0, "a": 0.1}, messages, {"q": (before, answer)})

    assert scores == pytest.approx({"q": 1.0, "a": 0.1 + AFTER_SHARE, "b": BEFORE_SHARE})
    # Only the givers asked for share, each by its own score before any sharing.
    assert shared({"q": 1.0, "a": 0.1}, messages, {}) == {"q": 1.0, "a": 0.1}
    later = said("l", T0 + NEIGHBOUR_GAP_S + 1)
    assert shared({"q": 1.0}, {"q": question, "l": later}, {"q": (None, later)}) == {"q": 1.0}


def test_shares_of_a_given_size_and_givers_without_a_score_share_nothing() -> None:
    question, answer = said("q", T0), said("a", T0 + 5)
    messages = {"q": question, "a": answer}

    assert shared({"q": 2.0}, messages, {"q": (None, answer)}, after=0.25) == {
        "q": 2.0,
        "a": 0.5,
    }
    assert shared({"x": 2.0}, messages, {"q": (None, answer)}) == {"x": 2.0}


def test_the_named_speakers_are_left_out_of_the_search_by_words() -> None:
    assert without_names("What did Ada Lovelace's sister bake?", ["Ada Lovelace"]) == (
        "What did s sister bake"
    )
    assert without_names("what did ada bake", []) == "what did ada bake"


def test_a_named_speakers_messages_and_statements_weigh_more() -> None:
    ada, bea = said("a", T0, "I adopted a puppy", "Ada"), said("b", T0, "Me too", "Bea")
    asks = said("q", T0, "Did you adopt a puppy?", "Bea")
    messages = {m.id: m for m in (ada, bea, asks)}
    scores = {"a": 1.0, "b": 1.0, "q": 1.0}

    assert weighed(scores, messages, "Did Bea adopt a puppy?", "jasmine") == pytest.approx(
        {"a": OTHER_SPEAKER, "b": 1.0, "q": ASKED}
    )
    # No speaker named, or only the one asked (greeted by name): the speaker weighs nothing.
    assert weighed(scores, messages, "who adopted a puppy?", "jasmine") == pytest.approx(
        {"a": 1.0, "b": 1.0, "q": ASKED}
    )
    assert weighed(scores, messages, "Ada, who adopted a puppy?", "ada")["b"] == 1.0
    assert named_speakers("What did Ada's sister say?", ["Ada Lovelace", "Bea"], "x") == {
        "Ada Lovelace"
    }


# -- the use case ------------------------------------------------------------------------------
async def conversation(
    store: MemoryStore,
    user_id: str,
    texts: list[str],
    apart: float = 2 * NEIGHBOUR_GAP_S,
    start: float = T0,
) -> list[Message]:
    """The user's messages, `apart` seconds one after another (by default too far apart to
    be each other's neighbours)."""
    said = [
        Message(uuid.uuid4().hex, "", text, start + i * apart, user_id, "Bea", from_agent=False)
        for i, text in enumerate(texts)
    ]
    job = Job(uuid.uuid4().hex, user_id, "load", "default", {}, "running", T0, T0)
    await store.create_job(job)
    writes = [AddMessage(m, opens=(AGENT, user_id)) for m in said]
    await store.commit(Plan(job.id, T0, (*writes, FinishJob(job.id, {}))))
    return said


async def test_recalls_by_meaning_what_words_alone_miss() -> None:
    store, embedder = MemoryStore(), SynonymEmbedder()
    recall = Recall(store, embedder)
    bea = uuid.uuid4().hex
    await conversation(
        store,
        bea,
        ["Anna, who I grew up with, visits", "we adopted a puppy", "it may rain today"],
    )
    assert await recall.embed_new(AGENT, bea) == 3
    assert "Bea: we adopted a puppy" in embedder.embedded  # the speaker embedded too

    found = await recall.messages(AGENT, bea, "what is my sister called?", 1)

    assert [m.message for m in found] == ["Anna, who I grew up with, visits"]
    assert await store.search_messages(AGENT, bea, "what is my sister called?", 3) == []
    both = await recall.messages(AGENT, bea, "the puppy and the umbrella", 2)
    assert {m.message for m in both} == {"we adopted a puppy", "it may rain today"}
    assert await recall.messages(AGENT, bea, "puppy", 0) == []
    assert await recall.messages(AGENT, bea, "   ", 3) == []
    assert await recall.messages(AGENT, uuid.uuid4().hex, "puppy", 3) == []


async def test_a_message_without_a_vector_is_still_found_by_words() -> None:
    store, embedder = MemoryStore(), SynonymEmbedder()
    recall = Recall(store, embedder)
    bea = uuid.uuid4().hex
    await conversation(store, bea, ["we adopted a puppy"])

    assert [m.message for m in await recall.messages(AGENT, bea, "puppy", 3)] == [
        "we adopted a puppy"
    ]


async def test_embeds_only_what_lacks_a_vector_in_batches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(recall_module, "EMBED_BATCH", 2)
    store, embedder = MemoryStore(), SynonymEmbedder()
    recall = Recall(store, embedder)
    bea = uuid.uuid4().hex
    await conversation(store, bea, ["one", "two", "three", "four", "five"])

    assert await recall.embed_new(AGENT, bea) == 5
    assert await recall.embed_new(AGENT, bea) == 0
    await conversation(store, bea, ["six"])
    assert await recall.embed_new(AGENT, bea) == 1
    assert embedder.embedded[-1] == "Bea: six"
    assert recall.model == "test/synonyms"


async def test_an_embedder_that_fails_leaves_recall_by_words() -> None:
    store = MemoryStore()
    bea = uuid.uuid4().hex
    await conversation(store, bea, ["we adopted a puppy", "Anna visits"])
    await Recall(store, SynonymEmbedder()).embed_new(AGENT, bea)
    recall = Recall(store, UnreachableEmbedder())

    assert [m.message for m in await recall.messages(AGENT, bea, "the puppy", 3)] == [
        "we adopted a puppy"
    ]
    assert await recall.embed_new(AGENT, bea) == 0  # nothing left to embed: no call
    await conversation(store, bea, ["the rain stopped"])
    with pytest.raises(EmbeddingError):  # the job that makes vectors fails, to run again
        await recall.embed_new(AGENT, bea)


async def test_the_answer_after_a_found_question_is_recalled_with_it() -> None:
    store, embedder = MemoryStore(), SynonymEmbedder()
    recall = Recall(store, embedder)
    bea = uuid.uuid4().hex
    await conversation(store, bea, ["How long have you been married?", "Five years already!"], 5)
    await conversation(store, bea, ["it snowed all night"], start=T0 + 10 * NEIGHBOUR_GAP_S)
    await recall.embed_new(AGENT, bea)

    found = await recall.messages(AGENT, bea, "married how long?", 2)

    assert [m.message for m in found] == ["Five years already!", "How long have you been married?"]
    # Said hours apart, they are not neighbours: the answer is one more unmatched message.
    ben = uuid.uuid4().hex
    await conversation(store, ben, ["How long have you been married?", "Five years already!"])
    await conversation(store, ben, ["it snowed all night"], start=T0 + 10 * NEIGHBOUR_GAP_S)
    await recall.embed_new(AGENT, ben)
    found = await recall.messages(AGENT, ben, "married how long?", 2)
    assert [m.message for m in found] == ["How long have you been married?", "it snowed all night"]


def test_a_message_said_in_the_time_a_query_names_weighs_more() -> None:
    may = datetime(2022, 5, 26, 10, tzinfo=UTC).timestamp()
    then, later = (
        said("t", may, "We went hiking", "Bea"),
        said("l", may + 90 * 86400, "Hiked", "Bea"),
    )
    messages = {m.id: m for m in (then, later)}
    scores = {"t": 1.0, "l": 1.0}
    when = timeframe("Where did Bea hike on 25 May, 2022?", None)

    assert weighed(scores, messages, "where did Bea hike?", "jasmine", when) == pytest.approx(
        {"t": IN_TIMEFRAME, "l": 1.0}
    )
    assert weighed(scores, messages, "where did Bea hike?", "jasmine", None) == scores


async def test_last_week_recalls_what_was_said_last_week_first() -> None:
    store = MemoryStore()
    recall = Recall(store, None)
    bea = uuid.uuid4().hex
    week = 7 * 86400.0
    await conversation(
        store, bea, ["we walked the dog", "the dog barked all night"], apart=3 * week
    )
    now = T0 + 4 * week  # the second message is last week's, the first a month old

    found = await recall.messages(AGENT, bea, "the dog we walked last week", 2, now=now)
    undated = await recall.messages(AGENT, bea, "the dog we walked", 2, now=now)

    assert undated[0].message == "we walked the dog"  # more words in common
    assert found[0].message == "the dog barked all night"


# -- reranking ---------------------------------------------------------------------------------
def test_reranking_fuses_the_rerankers_order_with_the_one_found() -> None:
    # The reranker's first climbs above what was found first only if the two agree on little.
    assert reranked(["a", "b", "c"], [0.0, 0.0, 5.0]) == ["a", "c", "b"]
    assert reranked(["a", "b", "c", "d"], [0.0, 9.0, 8.0, 0.0]) == ["b", "a", "c", "d"]
    assert reranked(["a", "b"], [1.0, 2.0], k=RERANK_K) == ["a", "b"]  # a tie keeps the order
    assert reranked([], []) == []
    with pytest.raises(ValueError):
        reranked(["a"], [])


async def test_the_reranker_lifts_what_it_reads_as_the_answer() -> None:
    store = MemoryStore()
    bea = uuid.uuid4().hex
    await conversation(store, bea, ["puppy puppy puppy", "my puppy is called Biscuit", "a puppy"])
    plain = await Recall(store, None).messages(AGENT, bea, "puppy", 3)
    reranker = WordReranker(favoured=["biscuit"])

    found = await Recall(store, None, reranker).messages(AGENT, bea, "puppy", 3)

    assert [m.message for m in plain] == [
        "puppy puppy puppy",
        "a puppy",
        "my puppy is called Biscuit",
    ]
    # Fused with the order found, the reranker's first climbs one place, not to the top.
    assert [m.message for m in found] == [
        "puppy puppy puppy",
        "my puppy is called Biscuit",
        "a puppy",
    ]
    [(query, texts)] = reranker.calls
    assert query == "puppy"
    assert texts == [f"Bea: {m.message}" for m in plain]  # what the model reads, as found


async def test_the_reply_reads_the_scores_the_read_ahead_kept() -> None:
    store = MemoryStore()
    bea = uuid.uuid4().hex
    await conversation(store, bea, ["we adopted a puppy", "a puppy needs walks"])
    reranker = WordReranker(favoured=["walks"])
    recall = Recall(store, None, reranker)

    ahead = await recall.messages(AGENT, bea, "the puppy", 2)
    reply = await recall.messages(AGENT, bea, "the puppy", 2)

    assert reply == ahead and ahead[0].message == "a puppy needs walks"
    assert len(reranker.calls) == 1  # the second asked nothing of the model
    await conversation(store, bea, ["the puppy chewed a shoe"])
    await recall.messages(AGENT, bea, "the puppy", 3)
    assert reranker.calls[-1][1] == ["Bea: the puppy chewed a shoe"]  # only the new one read


async def test_scores_pushed_out_while_a_recall_waits_are_not_lost(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(recall_module, "SCORES_KEPT", 4)
    store = MemoryStore()
    bea, ben = uuid.uuid4().hex, uuid.uuid4().hex
    await conversation(store, bea, ["we adopted a puppy", "a puppy needs walks"])
    await conversation(store, ben, ["the rain came", "more rain today", "rain again"])
    held = asyncio.Event()

    class Held(WordReranker):
        async def scores(self, query: str, texts: Sequence[str]) -> list[float]:
            if query == "puppy" and len(self.calls) > 0:
                await held.wait()
            return await super().scores(query, texts)

    recall = Recall(store, None, Held(favoured=["walks"]))
    first = await recall.messages(AGENT, bea, "puppy", 3)  # two scores kept
    await conversation(store, bea, ["the puppy chewed a shoe"])
    waiting = asyncio.create_task(recall.messages(AGENT, bea, "puppy", 3))  # one new to read
    await asyncio.sleep(0)
    await recall.messages(AGENT, ben, "rain", 3)  # three more kept: bea's first two pushed out
    held.set()

    again = await waiting

    assert len(first) == 2
    assert {m.message for m in again} == {
        "we adopted a puppy",
        "a puppy needs walks",
        "the puppy chewed a shoe",
    }


async def test_a_reranker_that_fails_leaves_the_order_found() -> None:
    store = MemoryStore()
    bea = uuid.uuid4().hex
    await conversation(store, bea, ["we adopted a puppy", "a puppy needs walks"])

    found = await Recall(store, None, BrokenReranker()).messages(AGENT, bea, "puppy", 2)

    assert found == await Recall(store, None).messages(AGENT, bea, "puppy", 2)
