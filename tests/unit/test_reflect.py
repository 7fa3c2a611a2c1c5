"""Reflection after a reply: a summary, a memory, a thought; coalescing; insights."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from synthetic_soul.adapters.llm.scripted import ScriptedLLM
from synthetic_soul.domain.memory import Memory
from synthetic_soul.domain.relationship import new_profile_doc, reconsider
from synthetic_soul.mind.prompts import INSIGHT_HEADER
from synthetic_soul.mind.reflect import INSIGHT_THRESHOLD, insight_due, reflect_job
from tests.unit.fakes import GarbageLLM
from tests.unit.mind_world import ADA, BOB, World, make_world

pytestmark = pytest.mark.anyio


@pytest.fixture
async def world() -> AsyncIterator[World]:
    async for made in make_world():
        yield made


def episode(at: float, importance: int, event: str = "ada shared a story") -> Memory:
    return Memory(
        id=uuid.uuid4().hex,
        agent_id="agent-1",
        user_id=ADA.user_id,
        event=event,
        thoughts="It stayed with me.",
        significance="high",
        importance=importance,
        created_at=at,
        last_accessed=at,
        tags=("story",),
    )


async def test_a_reply_is_followed_by_a_reflection_that_keeps_a_summary_and_a_memory(
    world: World,
) -> None:
    reply = await world.say("You are wonderful, thank you so much!")

    assert reply.status == "succeeded"
    assert world.llm.tasks() == ["reply", "reflect"]
    (reflection,) = [j for j in world.queue.enqueued if j.kind == "reflect"]
    done = await world.wait(reflection.id)
    assert done.status == "succeeded"
    assert (done.owner_id, done.queue) == (ADA.user_id, "low")
    assert done.result is not None and done.result["reflected"] is True
    agent = await world.agent()
    profile = await world.store.get_profile(agent.id, ADA.user_id)
    assert profile is not None
    assert "You are wonderful" in profile.doc["summary"]
    conversation = await world.conversations.conversation(ADA)
    assert profile.doc["reflected_message"] == conversation.messages[-1].id
    (memory,) = await world.store.list_memories(agent.id, ADA.user_id)
    assert memory.kind == "episode"
    assert memory.importance >= 4
    assert memory.significance in ("medium", "high")
    assert "kindness" in memory.tags
    assert "kindness" not in agent.memory_tags  # the agent's own tags are public
    assert memory.id in done.result["memories"]
    # The reflection's thought is about ada, so only ada may see it.
    thought = await world.store.latest_thought(agent.id, ADA.user_id)
    assert thought is not None and "ada" in thought.thought
    assert await world.store.latest_thought(agent.id, BOB.user_id) is None


async def test_the_reflect_prompt_holds_only_this_users_conversation(world: World) -> None:
    await world.say("My secret is the blue pineapple.", who=BOB)
    await world.say("Thank you for listening, you are kind.")

    ada_prompts = [p for p in world.llm.prompts("reflect") if "About ada" in p]
    assert len(ada_prompts) == 1
    assert "Thank you for listening" in ada_prompts[0]
    assert "pineapple" not in ada_prompts[0]


async def test_queued_reflections_of_one_user_coalesce() -> None:
    async for world in make_world(reflect=False):
        await world.say("hello there, friend")
        await world.say("it is a lovely day")
        now = world.clock.now()
        jobs = [reflect_job("jasmine", "lite", ADA.user_id, now) for _ in range(3)]
        for job in jobs:
            await world.store.create_job(job)
        for job in jobs:
            await world.queue.enqueue(job)
        await world.idle()

        results = [(await world.wait(j.id)).result for j in jobs]
        assert world.llm.tasks().count("reflect") == 1
        assert [r["reflected"] if r else None for r in results] == [True, False, False]
        assert [r.get("reason") for r in results if r and not r["reflected"]] == [
            "nothing_new",
            "nothing_new",
        ]
        # The one reflection read both messages and their replies.
        (prompt,) = world.llm.prompts("reflect")
        assert "hello there" in prompt and "lovely day" in prompt


async def test_the_next_reflection_reads_only_what_is_new(world: World) -> None:
    await world.say("I adore rainy mornings")
    world.clock.advance(60)
    await world.say("Today I baked bread, it was fun")

    first, second = world.llm.prompts("reflect")
    assert "rainy mornings" in first
    assert "baked bread" in second
    assert "rainy mornings" not in second.split("What happened since you last reflected:")[1]


async def test_two_reflections_at_once_write_once() -> None:
    async for world in make_world(ScriptedLLM(delay_ms=50), workers=2, reflect=False):
        await world.say("You are a brilliant friend")
        now = world.clock.now()
        jobs = [reflect_job("jasmine", "lite", ADA.user_id, now) for _ in range(2)]
        for job in jobs:
            await world.store.create_job(job)
            await world.queue.enqueue(job)
        await world.idle()

        results = [(await world.wait(j.id)).result or {} for j in jobs]
        outcomes = sorted(str(r.get("reason", "reflected")) for r in results)
        assert outcomes == ["reflected", "reflected_elsewhere"]
        assert world.llm.tasks().count("reflect") == 2
        agent = await world.agent()
        assert len(await world.store.list_memories(agent.id, ADA.user_id)) == 1


async def test_insights_come_when_importance_passes_the_threshold(world: World) -> None:
    agent = await world.agent()
    start = world.clock.now()
    seeded = [episode(start - 3600 + i, 10, f"ada told me story {i}") for i in range(16)]
    assert sum(m.importance for m in seeded) >= INSIGHT_THRESHOLD
    await world.store.add_memories(seeded)

    await world.say("Thank you, you are so kind to me")

    (prompt,) = world.llm.prompts("reflect")
    assert INSIGHT_HEADER.format(username="ada") in prompt
    memories = await world.store.list_memories(agent.id, ADA.user_id)
    (insight,) = [m for m in memories if m.kind == "insight"]
    assert insight.user_id == ADA.user_id
    assert 1 <= len(insight.sources) <= 10
    assert set(insight.sources) <= {m.id for m in seeded}
    profile = await world.store.get_profile(agent.id, ADA.user_id)
    assert profile is not None
    assert profile.doc["insights_upto"] == max(m.created_at for m in seeded)

    # The accumulator restarted: the next reflection asks for no insight.
    world.clock.advance(60)
    await world.say("Thanks again, friend")
    assert INSIGHT_HEADER.format(username="ada") not in world.llm.prompts("reflect")[1]


async def test_no_insights_below_the_threshold(world: World) -> None:
    agent = await world.agent()
    start = world.clock.now()
    await world.store.add_memories([episode(start - 3600 + i, 10) for i in range(14)])

    await world.say("Thank you, you are so kind to me")

    (prompt,) = world.llm.prompts("reflect")
    assert "cite them by number" not in prompt
    memories = await world.store.list_memories(agent.id, ADA.user_id)
    assert not [m for m in memories if m.kind == "insight"]


def test_insight_due_sums_only_episodes_since_the_last_insight() -> None:
    old = [episode(100.0, 10) for _ in range(20)]
    new = [episode(300.0, 10) for _ in range(14)]
    assert insight_due([*old, *new], since=200.0) == []
    assert len(insight_due([*old, *new, episode(301.0, 10)], since=200.0)) == 15
    assert insight_due([episode(300.0, 10)] * 20, since=300.0) == []


async def test_a_model_that_answers_nonsense_leaves_the_messages_for_later() -> None:
    async for world in make_world(GarbageLLM()):
        await world.say("You are lovely")
        (reflection,) = [j for j in world.queue.enqueued if j.kind == "reflect"]
        done = await world.wait(reflection.id)
        assert done.status == "succeeded"
        assert done.result == {"reflected": False, "reason": "model_failed"}
        agent = await world.agent()
        profile = await world.store.get_profile(agent.id, ADA.user_id)
        assert profile is not None
        assert "reflected_message" not in profile.doc
        assert await world.store.list_memories(agent.id, ADA.user_id) == []


def test_reconsider_lets_the_rules_decide_on_a_proposed_label() -> None:
    doc = new_profile_doc("lite", 0.0)
    assert reconsider(doc, "best friend")["extrinsic_relationship"] == "stranger"
    warm = {**doc, "interactions": 50, "sentiments": dict.fromkeys(doc["sentiments"], 0.0)}
    warm["sentiments"].update(positive=90.0, love=80.0, trust=90.0, admiration=90.0)
    warm["sentiments"].update(attachment=90.0)
    assert reconsider(warm, None)["extrinsic_relationship"] in ("friend", "best friend")
    assert reconsider(warm, "romantic partner")["extrinsic_relationship"] == "romantic partner"
