"""Autonomous thinking: seeded thoughts, declines, outreach within the rules, privacy, replay."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator

import pytest
from pydantic import ValidationError

from synthetic_soul.domain.agent import PRIVATE, ActiveAgent
from synthetic_soul.domain.facts import THOUGHT_VIBES
from synthetic_soul.domain.outreach import DAY_S
from synthetic_soul.mind.prompts import THINK_CONTACTS_HEADER
from synthetic_soul.mind.schemas import ReflectOutput, ThinkOutput
from synthetic_soul.mind.think import RANDOM_THOUGHT_PROBABILITY, think_job, tick_rng
from synthetic_soul.scheduler import Scheduler
from tests.unit.mind_world import (
    ADA,
    AGENT_ID,
    BOB,
    SEED,
    SNAPSHOT_PERIOD,
    THINKING_PERIOD,
    World,
    declining_tick,
    make_world,
    ticks,
)

pytestmark = pytest.mark.anyio
HOUR = 3600.0
KIND = "You are wonderful, thank you so much!"

JASMINE = ActiveAgent(AGENT_ID, "jasmine", "lite")


@pytest.fixture
async def world() -> AsyncIterator[World]:
    async for made in make_world():
        yield made


async def befriend(world: World, who: str = "ada") -> None:
    """Three kind messages: enough for an acquaintance the agent feels warmly about."""
    principal = ADA if who == "ada" else BOB
    for _ in range(3):
        world.clock.advance(10)
        await world.say(KIND, who=principal)


def outreaches(messages: list[tuple[bool, str, str]]) -> list[str]:
    return [text for from_agent, purpose, text in messages if from_agent and purpose == "outreach"]


async def test_a_tick_with_a_thought_keeps_it_about_no_one(world: World) -> None:
    (tick,) = ticks(SEED, bright=False, count=1)
    before = await world.agent()

    job = await world.think(tick)

    assert job.status == "succeeded"
    assert job.result is not None and job.result["thought"]
    assert world.llm.tasks() == ["think"]
    agent = await world.agent()
    assert agent.version == before.version + 1
    thought = await world.store.latest_thought(agent.id, BOB.user_id)
    assert thought is not None
    assert (thought.thought, thought.user_id, thought.source) == (
        job.result["thought"],
        None,
        "think",
    )
    assert agent.global_expression == job.result["expression"]


async def test_a_declined_tick_makes_no_model_call(world: World) -> None:
    job = await world.think(declining_tick(SEED))

    assert job.status == "succeeded"
    assert job.result is not None
    assert (job.result["thought"], job.result["reason"]) == (None, "declined")
    assert job.result["vibe"] in THOUGHT_VIBES
    assert world.llm.requests == []
    assert await world.store.latest_thought(AGENT_ID, ADA.user_id) is None


def test_thoughts_come_at_the_configured_rate_and_the_seed_fixes_them() -> None:
    def draws(seed: int) -> list[tuple[str, bool]]:
        out = []
        for tick in range(2000):
            rng = tick_rng(seed, AGENT_ID, tick)
            out.append((rng.choice(THOUGHT_VIBES), rng.random() < RANDOM_THOUGHT_PROBABILITY))
        return out

    first = draws(SEED)
    assert first == draws(SEED)
    assert first != draws(SEED + 1)
    share = sum(thinks for _, thinks in first) / len(first)
    assert abs(share - RANDOM_THOUGHT_PROBABILITY) < 0.05
    assert {vibe for vibe, _ in first} == set(THOUGHT_VIBES)


async def test_an_outreach_lands_in_the_users_conversation(world: World) -> None:
    await befriend(world)
    (tick,) = ticks(SEED, bright=True, count=1)

    job = await world.think(tick)

    assert job.result is not None and job.result["outreach_to"] == "ada"
    messages = await world.messages(ADA)
    (letter,) = outreaches(messages)
    assert letter.startswith("Hi ada!")
    assert messages[-1] == (True, "outreach", letter)
    assert outreaches(await world.messages(BOB)) == []
    # The thought that led to it is about ada: bob cannot see it.
    agent = await world.agent()
    thought = await world.store.latest_thought(agent.id, ADA.user_id)
    assert thought is not None and thought.user_id == ADA.user_id
    other = await world.store.latest_thought(agent.id, BOB.user_id)
    assert other is None or other.source != "think"


async def test_a_private_agent_writes_first_to_no_one_who_may_not_talk_to_it(
    world: World,
) -> None:
    await befriend(world)  # a friend while the agent was public
    assert await world.store.set_visibility(AGENT_ID, PRIVATE)  # no owner: no one may talk
    (tick,) = ticks(SEED, bright=True, count=1)

    job = await world.think(tick)

    assert job.result is not None and job.result["outreach_to"] is None
    assert outreaches(await world.messages(ADA)) == []
    assert "Nobody to write to right now." in world.llm.prompts("think")[0]


async def test_no_outreach_to_a_stranger(world: World) -> None:
    world.clock.advance(10)
    await world.say(KIND)  # one message: still a stranger
    (tick,) = ticks(SEED, bright=True, count=1)

    job = await world.think(tick)

    assert job.result is not None and job.result["outreach_to"] is None
    assert outreaches(await world.messages(ADA)) == []
    assert "Nobody to write to right now." in world.llm.prompts("think")[0]


async def test_no_outreach_in_the_users_quiet_hours(world: World) -> None:
    await befriend(world)  # ada writes in one hour of the day only
    world.clock.advance(5 * HOUR)
    (tick,) = ticks(SEED, bright=True, count=1)

    job = await world.think(tick)

    assert job.result is not None and job.result["thought"]
    assert job.result["outreach_to"] is None
    assert outreaches(await world.messages(ADA)) == []
    assert THINK_CONTACTS_HEADER not in world.llm.prompts("think")[0]

    # A day later, in the hour she writes in, the agent may write.
    world.clock.advance(19 * HOUR)
    job = await world.think(ticks(SEED, bright=True, count=2)[1])
    assert job.result is not None and job.result["outreach_to"] == "ada"


async def test_no_second_outreach_while_the_first_is_unanswered(world: World) -> None:
    await befriend(world)
    first, second, third = ticks(SEED, bright=True, count=3)

    await world.think(first)
    world.clock.advance(60)
    job = await world.think(second)

    assert job.result is not None and job.result["outreach_to"] is None
    assert len(outreaches(await world.messages(ADA))) == 1

    # Her answer opens the way again.
    world.clock.advance(60)
    await world.say("Hi! I am good, thanks")
    world.clock.advance(60)
    job = await world.think(third)
    assert job.result is not None and job.result["outreach_to"] == "ada"
    assert len(outreaches(await world.messages(ADA))) == 2


async def test_at_most_two_outreaches_a_day(world: World) -> None:
    await befriend(world)
    bright = ticks(SEED, bright=True, count=4)

    for tick in bright[:3]:
        world.clock.advance(60)
        await world.think(tick)
        world.clock.advance(60)
        await world.say("Thanks for writing, that is sweet")

    assert len(outreaches(await world.messages(ADA))) == 2
    # A day after the first, one more is allowed (the hour is hers: she wrote at every turn).
    conversation = await world.conversations.conversation(ADA)
    first_at = min(m.timestamp for m in conversation.messages if m.purpose == "outreach")
    world.clock.t = first_at + DAY_S + 1
    await world.say("good morning, friend")
    await world.think(bright[3])
    assert len(outreaches(await world.messages(ADA))) == 3


async def test_the_think_prompt_never_holds_what_users_said(world: World) -> None:
    secrets = ("the blue pineapple lives in Oslo", "my password hint is walrus")
    await befriend(world, "ada")
    await befriend(world, "bob")
    world.clock.advance(10)
    await world.say(f"You are kind. Secret: {secrets[0]}", who=ADA)
    await world.say(f"You are wonderful. Secret: {secrets[1]}", who=BOB)

    for tick in ticks(SEED, bright=True, count=2) + ticks(SEED, bright=False, count=2):
        world.clock.advance(60)
        await world.think(tick)

    prompts = world.llm.prompts("think")
    assert len(prompts) == 4
    for request in [r for r in world.llm.requests if r.task == "think"]:
        text = request.system + request.prompt
        for secret in (*secrets, "wonderful", "That makes me really happy"):
            assert secret not in text
    assert "- ada: acquaintance" in prompts[0] and "- bob: acquaintance" in prompts[0]
    # And neither user's words reach a prompt made for the other.
    for request in world.llm.requests:
        if "About ada" in request.prompt:
            assert "walrus" not in request.prompt
        if "About bob" in request.prompt:
            assert "pineapple" not in request.prompt


async def test_a_day_replays_the_same_with_the_same_seed_and_clock() -> None:
    async def day(seed: int) -> list[tuple[str, str | None]]:
        async for world in make_world(seed=seed):
            await befriend(world)
            seen: list[tuple[str, str | None]] = []
            for _ in range(24):
                world.clock.advance(THINKING_PERIOD)
                await world.scheduler.tick()
                await world.idle()
                job = think_job("jasmine", "lite", world.scheduler.tick_of(world.clock.now()), 0)
                done = await world.wait(job.id)
                assert done.result is not None
                seen.append((str(done.result["vibe"]), done.result["thought"]))
            return seen
        raise AssertionError("no world")

    first = await day(SEED)
    assert first == await day(SEED)
    assert first != await day(SEED + 1)
    assert any(thought for _, thought in first)


async def test_the_scheduler_thinks_once_per_tick_and_only_when_leading(world: World) -> None:
    await world.scheduler.tick()
    await world.scheduler.tick()
    world.clock.advance(THINKING_PERIOD / 2)
    await world.scheduler.tick()
    await world.idle()
    assert [j.kind for j in world.queue.enqueued] == ["think"]

    # A restarted scheduler within the same tick leaves that tick's job alone.
    again = Scheduler(
        world.store, world.queue, world.clock, JASMINE, THINKING_PERIOD, SNAPSHOT_PERIOD
    )
    await again.tick()
    assert len(world.queue.enqueued) == 1

    async def follower() -> bool:
        return False

    idle = Scheduler(
        world.store,
        world.queue,
        world.clock,
        JASMINE,
        THINKING_PERIOD,
        SNAPSHOT_PERIOD,
        leader=follower,
    )
    world.clock.advance(THINKING_PERIOD)
    await idle.tick()
    assert len(world.queue.enqueued) == 1
    await world.scheduler.tick()
    assert len(world.queue.enqueued) == 2
    await world.idle()


async def test_snapshots_at_most_every_period(world: World) -> None:
    start = world.clock.now()
    await world.scheduler.tick()
    world.clock.advance(SNAPSHOT_PERIOD / 2)
    await world.scheduler.tick()
    world.clock.advance(SNAPSHOT_PERIOD / 2)
    await world.scheduler.tick()
    # A new process (restart) within a period takes none.
    world.clock.advance(10)
    again = Scheduler(
        world.store,
        world.queue,
        world.clock,
        JASMINE,
        THINKING_PERIOD,
        SNAPSHOT_PERIOD,
        thinking=False,
    )
    await again.tick()
    await world.idle()

    snaps = await world.store.list_snapshots(AGENT_ID, start, world.clock.now(), 10)
    assert [s.at - start for s in snaps] == [0.0, SNAPSHOT_PERIOD]
    assert set(snaps[0].emotions) == {
        "joy",
        "sadness",
        "anger",
        "fear",
        "surprise",
        "love",
        "disgust",
    }
    assert set(snaps[0].mood) == {"pleasure", "arousal", "dominance"}
    latest = await world.store.list_snapshots(AGENT_ID, start, world.clock.now(), 1)
    assert [s.at for s in latest] == [snaps[-1].at]


def test_tick_rng_does_not_depend_on_the_process() -> None:
    # A str seed is hashed with SHA-512, not Python's salted hash: stable across processes.
    assert tick_rng(SEED, AGENT_ID, 3).random() == random.Random(f"{SEED}:3").random()
    assert tick_rng(None, AGENT_ID, 3).random() == random.Random(f"{AGENT_ID}:3").random()


def test_the_outreach_schema_takes_a_guests_username() -> None:
    guest = "guest_87ab365f-0037-4a25-a0ad-eb228c0022d5"
    out = ThinkOutput.model_validate({"outreach": {"to": guest, "message": "Hi!"}})
    assert out.outreach is not None and out.outreach.to == guest
    # Over a bound is mended (test_answer_bounds); what has no right reading is refused.
    over = ThinkOutput.model_validate(
        {"memory": {**MEMORY, "tags": list("abcd"), "importance": 11}}
    )
    assert over.memory is not None and (over.memory.tags, over.memory.importance) == (
        ["a", "b", "c"],
        10,
    )
    with pytest.raises(ValidationError):
        ThinkOutput.model_validate({"memory": {**MEMORY, "significance": "huge"}})
    assert ReflectOutput.model_validate({"summary": "x" * 601}).summary == "x" * 600
    assert ThinkOutput.model_validate({"memory": MEMORY}).memory is not None


MEMORY = {"event": "e", "thoughts": "t", "significance": "low", "importance": 3, "tags": ["a"]}


async def test_a_memory_from_thinking_is_about_no_one(world: World) -> None:
    tick = next(
        t
        for t in ticks(SEED, bright=False, count=40)
        if tick_rng(SEED, AGENT_ID, t).choice(THOUGHT_VIBES) in ("philosophical", "nostalgic")
    )
    await befriend(world)

    job = await world.think(tick)

    assert job.result is not None
    (memory_id,) = job.result["memories"]
    recalled = await world.store.recall_memories(AGENT_ID, None, "moment", world.clock.now(), 5)
    assert [(m.id, m.user_id) for m in recalled] == [(memory_id, None)]
    assert memory_id not in {m.id for m in await world.store.list_memories(AGENT_ID, ADA.user_id)}
    agent = await world.agent()
    assert recalled[0].tags[0] in agent.memory_tags
