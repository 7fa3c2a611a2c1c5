"""Reconciliation as a user meets it: warm messages, an insult, an apology, then kindness,
through the Reply use case with the scripted model; the stored profile holds the grudge."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from synthetic_soul.adapters.llm.scripted import ScriptedLLM
from synthetic_soul.auth.sessions import Principal
from synthetic_soul.domain.relationship import affinity, new_profile_doc
from synthetic_soul.ports import Profile
from synthetic_soul.records import Session, User
from tests.unit.test_reply import World, make_world

pytestmark = pytest.mark.anyio

BO = Principal("user-bo", "session-bo", "bo")
WARM = "Thank you, you are wonderful and kind, I love talking with you!"
INSULT = "You are stupid and useless, I hate you"
APOLOGY = "I am sorry, that was unfair of me. Thank you for being patient with me."


@pytest.fixture
async def world() -> AsyncIterator[World]:
    async for made in make_world(ScriptedLLM()):
        now = made.clock.now()
        agent = await made.agent()
        await made.store.create_user(
            User(BO.user_id, BO.username, True, now),
            Session(BO.session_id, BO.user_id, "r", "c", now, now + 365 * 86400),
            Profile(agent.id, BO.user_id, BO.username, new_profile_doc("lite", now)),
        )
        yield made


async def say(world: World, text: str) -> dict[str, Any]:
    world.clock.advance(60)
    job = await world.conversations.submit(BO, text, "dm")
    assert (await world.wait(job.id)).status == "succeeded"
    profile = await world.store.get_profile((await world.agent()).id, BO.user_id)
    assert profile is not None
    return profile.doc


async def test_an_apology_is_not_an_eraser(world: World) -> None:
    for _ in range(12):
        doc = await say(world, WARM)
    before = affinity(doc["sentiments"])
    assert doc["extrinsic_relationship"] == "friend"

    doc = await say(world, INSULT)
    held = doc.get("grudge")
    doc = await say(world, APOLOGY)
    assert affinity(doc["sentiments"]) < before - 2.0
    recovered = []
    for _ in range(6):
        doc = await say(world, WARM)
        recovered.append(affinity(doc["sentiments"]) >= before - 1.0)
    # Not after one or two kind messages; by the sixth.
    assert recovered[:2] == [False, False] and recovered[-1], recovered
    assert doc["extrinsic_relationship"] == "friend"
    assert held is not None and held > 0.5
