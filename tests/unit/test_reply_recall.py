"""A reply recalls the older talk its conversation brings back, and has what was said
embedded after it.

The mind's small world (tests/unit/mind_world.py): the in-memory store, the scripted model
with every request recorded, in-process workers; recall by words alone, or by meaning with
the synonym embedder (tests/support/embedders.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from synthetic_soul.domain.prompt_context import ReplyContext
from synthetic_soul.mind.prompts import MESSAGE_HEADER, RECALLED_HEADER
from synthetic_soul.mind.reading import HISTORY_TURNS
from tests.support.embedders import UnreachableEmbedder
from tests.support.rerankers import WordReranker
from tests.unit.mind_world import ADA, World, make_world

pytestmark = pytest.mark.anyio

DAY = 86400.0
# Enough small talk after the first message to push it out of every history window.
SMALL_TALK = [f"small talk number {i}" for i in range(HISTORY_TURNS)]


@pytest.fixture
async def by_words() -> AsyncIterator[World]:
    async for made in make_world(recall="words", reflect=False):
        yield made


@pytest.fixture
async def by_meaning() -> AsyncIterator[World]:
    async for made in make_world(recall="meaning", reflect=False):
        yield made


def last_reply(world: World) -> ReplyContext:
    about = [r.about for r in world.llm.requests if r.task == "reply"][-1]
    assert isinstance(about, ReplyContext)
    return about


def kinds(world: World) -> list[str]:
    return [job.kind for job in world.queue.enqueued]


async def weeks_of_talk(world: World, first: str) -> None:
    """`first`, then, weeks later, enough small talk that it leaves the history shown."""
    await world.say(first)
    world.clock.advance(20 * DAY)
    for text in SMALL_TALK:
        world.clock.advance(60)
        await world.say(text)


async def test_the_last_exchange_recalls_older_words_it_shares(by_words: World) -> None:
    await weeks_of_talk(by_words, "My sister Anna moved to Lisbon last spring")
    await by_words.say("Have you been to Lisbon?")

    await by_words.say("I might visit in May")

    ctx = last_reply(by_words)
    assert all("Anna" not in m.message for m in ctx.history)
    # Both sides: her scripted answer echoes it.
    assert {m.message for m in ctx.recalled} == {
        "My sister Anna moved to Lisbon last spring",
        "I hear you: My sister Anna moved to Lisbon last spring. Tell me more?",
    }
    head = by_words.llm.prompts("reply")[-1].split(MESSAGE_HEADER.split("{")[0], 1)[0]
    recalled = head.split(RECALLED_HEADER, 1)[1]
    # Dated as of the last message shown (the head reads no clock).
    assert '- (3 weeks ago) ada: "My sister Anna moved to Lisbon last spring"' in recalled


async def test_what_the_history_shows_is_not_recalled_again(by_words: World) -> None:
    await by_words.say("My sister Anna moved to Lisbon last spring")
    by_words.clock.advance(60)
    await by_words.say("Lisbon is lovely")

    await by_words.say("I might visit in May")

    ctx = last_reply(by_words)
    assert any("Anna" in m.message for m in ctx.history)
    assert ctx.recalled == ()
    assert RECALLED_HEADER not in by_words.llm.prompts("reply")[-1]


async def test_a_group_reply_recalls_nothing_of_direct_talk(by_words: World) -> None:
    await weeks_of_talk(by_words, "My sister Anna moved to Lisbon last spring")
    await by_words.say("Have you been to Lisbon?")

    job = await by_words.conversations.submit(ADA, "jasmine, Lisbon in May?", "group")
    await by_words.idle()

    assert (await by_words.wait(job.id)).status == "succeeded"
    ctx = last_reply(by_words)
    assert ctx.kind == "group"
    assert ctx.recalled == ()


async def test_the_head_read_ahead_is_the_heads_the_reply_reads(by_meaning: World) -> None:
    await weeks_of_talk(by_meaning, "Anna taught me to swim")
    await by_meaning.say("How is your sibling?")

    await by_meaning.say("I miss the summers")

    prepared = by_meaning.llm.prepared[-2].prompt  # after the reply before (the last: after this)
    assert RECALLED_HEADER in prepared
    assert by_meaning.llm.prompts("reply")[-1].startswith(prepared)


async def test_the_reply_reranks_nothing_the_read_ahead_reranked() -> None:
    reranker = WordReranker(favoured=["swim"])
    async for world in make_world(recall="meaning", reflect=False, reranker=reranker):
        await weeks_of_talk(world, "Anna taught me to swim")
        await world.say("How is your sibling?")
        asked = len(reranker.calls)

        await world.say("I miss the summers")  # its head: recalled while idle, after the last

        assert asked > 0 and RECALLED_HEADER in world.llm.prompts("reply")[-1]
        assert "Anna taught me to swim" in world.llm.prompts("reply")[-1]
        assert world.llm.prompts("reply")[-1].startswith(world.llm.prepared[-2].prompt)
        # The reply's own recall found every score kept: the model was asked only by the
        # read-ahead that followed it, for the next reply.
        [(query, _)] = reranker.calls[asked:]
        assert "I miss the summers" in query


async def test_by_words_alone_no_embedding_is_asked(by_words: World) -> None:
    await by_words.say("hello there")

    assert kinds(by_words) == ["reply"]


async def test_by_meaning_each_reply_is_embedded_after_and_recalls_what_no_word_shares(
    by_meaning: World,
) -> None:
    await weeks_of_talk(by_meaning, "Anna taught me to swim")
    assert kinds(by_meaning).count("embed") == len(SMALL_TALK) + 1
    embeds = [await by_meaning.wait(j.id) for j in by_meaning.queue.enqueued if j.kind == "embed"]
    assert all(j.status == "succeeded" for j in embeds)
    # Both sides of every exchange have their vectors; an embedding after each reply.
    assert sum(j.result["embedded"] for j in embeds if j.result) == 2 * (len(SMALL_TALK) + 1)
    assert (
        await by_meaning.store.unembedded_messages("jasmine", ADA.user_id, "test/synonyms", 9) == []
    )

    await by_meaning.say("How is your sibling?")
    await by_meaning.say("I miss the summers")

    assert "Anna taught me to swim" in [m.message for m in last_reply(by_meaning).recalled]


async def test_an_unreachable_embedder_leaves_the_reply_and_ends_the_embedding() -> None:
    async for world in make_world(recall="meaning", embedder=UnreachableEmbedder(), reflect=False):
        await weeks_of_talk(world, "My sister Anna moved to Lisbon last spring")

        await world.say("Have you been to Lisbon?")
        job = await world.say("I might visit in May")

        assert job.status == "succeeded"
        # The query could not be embedded: recalled by words alone.
        recalled = [m.message for m in last_reply(world).recalled]
        assert "My sister Anna moved to Lisbon last spring" in recalled
        embed = await world.wait(world.queue.enqueued[-1].id)
        assert (embed.kind, embed.status) == ("embed", "succeeded")
        assert embed.result == {"embedded": 0, "error": "the endpoint is down"}
