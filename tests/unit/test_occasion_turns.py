"""Occasions felt by the use cases (issue 17): an outreach left unanswered, a reunion."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from synthetic_soul.domain.agent import AgentState
from synthetic_soul.domain.facts import THOUGHT_VIBES
from synthetic_soul.domain.occasions import FELT_UNANSWERED_KEY, UNANSWERED_AFTER_S
from synthetic_soul.domain.reasons import MISSED, REUNION, UNANSWERED
from synthetic_soul.mind.think import RANDOM_THOUGHT_PROBABILITY, tick_rng
from tests.unit.mind_world import ADA, AGENT_ID, SEED, World, make_world, ticks

pytestmark = pytest.mark.anyio
HOUR = 3600.0
DAY = 24 * HOUR
KIND = "You are wonderful, thank you so much!"
PLAIN = "Hello again"


@pytest.fixture
async def world() -> AsyncIterator[World]:
    async for made in make_world():
        yield made


def declining(count: int) -> list[int]:
    """Ticks whose draw brings no thought: their spells call no model."""
    found: list[int] = []
    tick = 0
    while len(found) < count:
        rng = tick_rng(SEED, AGENT_ID, tick)
        rng.choice(THOUGHT_VIBES)
        if rng.random() >= RANDOM_THOUGHT_PROBABILITY:
            found.append(tick)
        tick += 1
    return found


async def befriend(world: World, times: int = 3) -> None:
    for _ in range(times):
        world.clock.advance(10)
        await world.say(KIND)


async def sadness(world: World) -> float:
    return (await world.agent()).emotions_at(world.clock.now())["sadness"]


async def felt_in_a_spell(world: World, tick: int, before: AgentState, reason: str) -> AgentState:
    """Think once: the spell felt one occasion, given as `reason`, and sadness rose."""
    was = await sadness(world)
    await world.think(tick)
    felt = await world.agent()
    assert felt.events_felt == before.events_felt + 1
    assert felt.reason == reason
    assert await sadness(world) > was + 1.0
    return felt


async def felt_mark(world: World) -> object:
    profile = await world.store.get_profile(AGENT_ID, ADA.user_id)
    assert profile is not None
    return profile.doc.get(FELT_UNANSWERED_KEY)


async def test_an_unanswered_outreach_is_felt_once_after_hours(world: World) -> None:
    await befriend(world)
    job = await world.think(ticks(SEED, bright=True, count=1)[0])
    assert job.result is not None and job.result["outreach_to"] == "ada"
    sent_at = world.clock.now()
    first, second, third = declining(3)

    # An hour later: too soon to be a snub.
    world.clock.advance(HOUR)
    before = await world.agent()
    await world.think(first)
    after = await world.agent()
    assert after.events_felt == before.events_felt
    assert await felt_mark(world) is None

    # Past the threshold the silence is felt: sadness rises, with a reason naming no one.
    world.clock.advance(UNANSWERED_AFTER_S)
    felt = await felt_in_a_spell(world, second, after, UNANSWERED)
    assert await felt_mark(world) == pytest.approx(sent_at)

    # The same outreach is not felt twice.
    world.clock.advance(HOUR)
    await world.think(third)
    assert (await world.agent()).events_felt == felt.events_felt


async def test_a_close_users_return_after_days_is_a_joy(world: World) -> None:
    await befriend(world, times=6)
    agent = await world.agent()

    # A plain message minutes later: no occasion.
    world.clock.advance(60)
    soon_before = agent.emotions_at(world.clock.now())["joy"]
    await world.say(PLAIN)
    soon = await world.agent()
    soon_rise = soon.emotions_at(world.clock.now())["joy"] - soon_before
    assert soon.reason != REUNION

    # The same message after a week apart: joy at the reunion, in the same single reply.
    world.clock.advance(7 * DAY)
    calls = world.llm.tasks().count("reply")
    back_before = soon.emotions_at(world.clock.now())["joy"]
    await world.say(PLAIN)
    back = await world.agent()
    back_rise = back.emotions_at(world.clock.now())["joy"] - back_before
    assert back.reason == REUNION
    assert back_rise > soon_rise + 3.0
    assert world.llm.tasks().count("reply") == calls + 1


async def test_a_close_users_silence_of_days_is_missed_once(world: World) -> None:
    await befriend(world, times=6)
    first, second, third = declining(3)

    # A day without news is ordinary.
    world.clock.advance(DAY)
    before = await world.agent()
    await world.think(first)
    assert (await world.agent()).events_felt == before.events_felt

    # Days of it are felt, as longing: sadness rises, with a reason naming no one.
    world.clock.advance(2 * DAY)
    missing = await felt_in_a_spell(world, second, before, MISSED)

    # Once per silence: the next spell does not feel it again.
    world.clock.advance(HOUR)
    await world.think(third)
    assert (await world.agent()).events_felt == missing.events_felt
