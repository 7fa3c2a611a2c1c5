"""Issue 17's targets as a user meets them: three messages through the Reply use case with
the scripted model, a few seconds apart, then the emotions, the mood and its name."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from synthetic_soul.adapters.llm.scripted import ScriptedLLM
from synthetic_soul.api.routers.agents import agent_body
from synthetic_soul.domain.mood import default_mood
from tests.unit.test_reply import World, make_world

pytestmark = pytest.mark.anyio

WARM = (
    "You are wonderful, I love you!",
    "I am so happy today, thank you friend!",
    "Best day ever, thank you so much!",
)
INSULTS = (
    "You are stupid and useless, I hate you",
    "I hate talking to you, you are worthless.",
    "You are stupid, I hate this.",
)


@pytest.fixture
async def world() -> AsyncIterator[World]:
    async for made in make_world(ScriptedLLM()):
        yield made


async def three(world: World, messages: tuple[str, ...]) -> None:
    for text in messages:
        world.clock.advance(5)
        job = await world.say(text)
        assert job.status == "succeeded"


async def test_three_warm_messages_are_felt_and_shown(world: World) -> None:
    before = await world.agent()
    home = default_mood(before.personality)
    assert agent_body(before, world.clock.now())["mood"]["name"] == "calm"

    await three(world, WARM)

    after = await world.agent()
    now = world.clock.now()
    felt = after.emotions_at(now)
    assert 40.0 <= felt["joy"] <= 70.0
    assert 40.0 <= felt["love"] <= 70.0
    assert after.mood_at(now).pleasure >= home.pleasure + 0.15
    world.clock.advance(90)
    assert after.mood_at(world.clock.now()).pleasure >= home.pleasure + 0.15
    shown = agent_body(after, world.clock.now())["mood"]
    assert shown["name"] != "calm"
    assert "exuberant" in shown["name"] or "relaxed" in shown["name"], shown
    # Tens of minutes later it has settled, and is shown calm again; love lingers.
    world.clock.advance(60 * 60)
    later = world.clock.now()
    assert agent_body(after, later)["mood"]["name"] == "calm"
    assert after.emotions_at(later)["love"] >= 30.0


async def test_three_insults_are_felt_and_shown(world: World) -> None:
    before = await world.agent()
    home = default_mood(before.personality)

    await three(world, INSULTS)

    after = await world.agent()
    now = world.clock.now()
    assert 40.0 <= after.emotions_at(now)["anger"] <= 70.0
    assert after.mood_at(now).pleasure <= home.pleasure - 0.15
    shown = agent_body(after, now)["mood"]
    assert shown["name"] != "calm"
    assert {"label", "intensity", "pleasure", "arousal", "dominance"} <= set(shown)


async def test_a_users_grief_is_felt_as_sorrow_for_them(world: World) -> None:
    """Bad news for the user, not the agent: only the fortunes-of-others axis carries it."""
    before = await world.agent()
    world.clock.advance(5)

    job = await world.say("My dog died this morning, I can't stop crying")

    assert job.status == "succeeded"
    after = await world.agent()
    now = world.clock.now()
    was, felt = before.emotions_at(now), after.emotions_at(now)
    assert felt["sadness"] >= was["sadness"] + 15.0, (was, felt)
    assert felt["joy"] <= was["joy"]
    assert after.reason == "Someone is going through something hard."
