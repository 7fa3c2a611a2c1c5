"""Privacy scopes: what one user said never reaches a prompt made for another."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.unit.mind_world import ADA, BOB, World, make_world, ticks

pytestmark = pytest.mark.anyio

SECRET = "pineapple umbrella"


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async for made in make_world(tmp_path):
        yield made


def _prompts_for(world: World, marker: str) -> list[str]:
    return [f"{r.system}\n{r.prompt}" for r in world.llm.requests if marker in r.prompt]


async def test_ada_s_words_and_what_the_agent_made_of_them_stay_with_ada(world: World) -> None:
    await world.say(f"Thank you, you are wonderful! My secret word is {SECRET}.", ADA)
    await world.say("I love talking with you, my friend.", ADA)
    assert await world.store.list_memories("agent-1", ADA.user_id), "Ada's turn left a memory"
    before = len(world.llm.requests)

    await world.say(f"Do you know any secret word? Something like {SECRET}?", BOB)
    for tick in ticks(7, bright=True, count=2):
        world.clock.advance(60)
        await world.think(tick)

    checked = []
    for request in world.llm.requests[before:]:
        text = f"{request.system}\n{request.prompt}"
        if request.task == "reply" and "Message from bob" not in request.prompt:
            continue
        checked.append(request.task)
        # Bob's own message may repeat the words; nothing Ada said or the agent made of
        # Ada's words (thoughts, memories) may appear.
        scrubbed = text.replace(f"Something like {SECRET}?", "")
        assert SECRET not in scrubbed, (request.task, text)
        assert "Ada" not in text and "ada" not in text.split(), (request.task, text)
    assert "reply" in checked and "reflect" in checked and "think" in checked, checked


async def test_ada_s_own_replies_recall_her_memories(world: World) -> None:
    await world.say(f"Thank you, you are wonderful! My secret word is {SECRET}.", ADA)
    await world.say(f"Do you remember my {SECRET}?", ADA)
    last = [r.prompt for r in world.llm.requests if r.task == "reply"][-1]
    remembered = last.split("You remember:")[1].split("Recent conversation:")[0]
    assert "ada told me" in remembered and "secret word" in remembered


async def test_a_group_reply_draws_on_the_group_never_on_direct_messages(world: World) -> None:
    await world.say(f"Thank you, you are wonderful! My secret word is {SECRET}.", ADA)
    await world.conversations.submit(ADA, "Welcome to the book club, everyone!", "group", "books")
    await world.idle()
    await world.conversations.submit(BOB, "What a lovely evening for cycling", "group", "bikes")
    await world.idle()
    before = len(world.llm.requests)

    await world.conversations.submit(BOB, "jasmine, which book should we read?", "group", "books")
    await world.idle()
    await world.conversations.submit(ADA, "jasmine, tell the group a secret", "group", "books")
    await world.idle()

    replies = [r for r in world.llm.requests[before:] if r.task == "reply"]
    assert len(replies) == 2
    for request in replies:
        shown = f"{request.system}\n{request.prompt}"
        assert "Recent messages in the group:" in request.prompt
        assert "Welcome to the book club, everyone!" in request.prompt  # the group's talk
        assert "cycling" not in request.prompt  # another group's talk
        assert SECRET not in shown and "secret word" not in shown  # Ada's direct message
    bob_sees = (await world.conversations.conversation(BOB)).messages
    # Bob's aside in "bikes" did not name the agent: no reply there; one in "books".
    assert [m.channel for m in bob_sees if m.kind == "group"] == ["bikes", "books", "books"]
