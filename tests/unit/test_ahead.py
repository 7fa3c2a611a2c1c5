"""Reading ahead: after a direct reply and after a reflection, the model is asked to read the
next reply's prompt up to where the new message goes, exactly as that reply will build it."""

from __future__ import annotations

import pytest

from synthetic_soul.domain.memory import Memory
from synthetic_soul.mind.prompts import MESSAGE_HEADER
from synthetic_soul.ports import LLMRequest
from tests.unit.mind_world import ADA, AGENT_ID, World, make_world

pytestmark = pytest.mark.anyio


def _last_reply(world: World) -> LLMRequest:
    return [r for r in world.llm.requests if r.task == "reply"][-1]


async def _newest_memory(world: World) -> Memory:
    memories = await world.store.list_memories(AGENT_ID, ADA.user_id)
    assert memories
    return memories[0]  # newest first


def _starts_the_next_reply(world: World, prepared: LLMRequest) -> None:
    """`prepared` is what the next reply's model call reads first, to the byte; what follows
    is the new message, not a word of it before."""
    reply = _last_reply(world)
    assert (prepared.task, prepared.system) == (reply.task, reply.system)
    assert reply.prompt.startswith(prepared.prompt + "\n")
    # The head ends with the line the message comes under; the message follows it.
    assert prepared.prompt.endswith(MESSAGE_HEADER.format(username="ada", kind="dm"))
    rest = reply.prompt[len(prepared.prompt) + 1 :]
    first = rest.split("\n", 1)[0]
    assert first.startswith('"') and first.endswith('"')  # the new message, quoted
    assert "Message from" not in rest


async def test_after_a_direct_reply_the_next_reply_s_head_is_read_ahead() -> None:
    async for world in make_world(reflect=False):
        await world.say("Hi Jasmine, I love gardening.")
        assert [r.task for r in world.llm.prepared] == ["reply"]
        head = world.llm.prepared[-1]
        assert '"Hi Jasmine, I love gardening."' in head.prompt  # the conversation so far

        world.clock.advance(3 * 3600)  # the head does not age while it waits
        await world.say("What should I plant in spring?")

        _starts_the_next_reply(world, head)
        assert "What should I plant" not in head.prompt


async def test_after_a_reflection_the_head_with_what_it_learned_is_read_ahead() -> None:
    """The reflection rewrote the summary and kept a memory: the head read after it carries
    both, and still is what the next reply reads first, hours later."""
    async for world in make_world():
        await world.say("I am so happy, my sister had a beautiful baby girl!")
        world.clock.advance(600)
        await world.say("We named her Rose, after our wonderful grandmother.")
        assert world.llm.tasks()[-1] == "reflect"
        head = world.llm.prepared[-1]
        assert "What you know about ada:" in head.prompt and "You remember:" in head.prompt
        newest = await _newest_memory(world)
        assert newest.recall_count == 0  # reading ahead only looked: the reply marks

        world.clock.advance(5 * 3600)
        await world.say("Do you remember my niece's name?")

        _starts_the_next_reply(world, head)
        assert (await _newest_memory(world)).id == newest.id
        assert (await _newest_memory(world)).recall_count == 1


async def test_a_group_reply_reads_nothing_ahead() -> None:
    """The next message in a group may come from anyone: only a direct reply prepares."""
    async for world in make_world(reflect=False):
        await world.say("Hello there, Jasmine!")
        assert len(world.llm.prepared) == 1

        job = await world.conversations.submit(ADA, "Jasmine, what do you all think?", "group")
        await world.idle()
        assert (await world.wait(job.id)).status == "succeeded"

        assert len(world.llm.prepared) == 1
