"""Privacy scopes: what one user said never reaches a prompt made for another."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest

from synthetic_soul.adapters.llm.scripted import DEFAULT_SCRIPTS, Script, ScriptedLLM
from synthetic_soul.api.routers.agents import agent_body
from synthetic_soul.domain.agent import new_agent
from synthetic_soul.domain.appraisal import Appraisal
from synthetic_soul.domain.reasons import BORN, QUIET, SHAREABLE, felt_reason
from synthetic_soul.ports import LLMRequest
from synthetic_soul.records import Job
from tests.unit.mind_world import ADA, AGENT_ID, BOB, World, make_world, ticks

pytestmark = pytest.mark.anyio

SECRET = "pineapple umbrella"


@pytest.fixture
async def world() -> AsyncIterator[World]:
    async for made in make_world():
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
    # Bob joins the book club first: a member reads what was said there since joining.
    await world.conversations.submit(BOB, "Hello, book lovers", "group", "books")
    await world.idle()
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
    assert [m.channel for m in bob_sees if m.kind == "group"] == [
        "books",
        "bikes",
        "books",
        "books",
    ]


async def test_a_newcomer_to_a_group_reads_nothing_said_there_before(world: World) -> None:
    """A member of a channel is someone who has posted in it; a reply to them draws only on
    what the group said since their first post there."""
    await world.conversations.submit(ADA, f"Between us: the door code is {SECRET}", "group", "den")
    await world.idle()
    before = len(world.llm.requests)

    await world.conversations.submit(
        BOB, "jasmine, what has this group been saying?", "group", "den"
    )
    await world.idle()
    await world.conversations.submit(ADA, "Hi bob, welcome to the den!", "group", "den")
    await world.idle()
    await world.conversations.submit(BOB, "jasmine, and now?", "group", "den")
    await world.idle()

    for_bob = [r for r in world.llm.requests[before:] if "Message from bob" in r.prompt]
    assert len(for_bob) == 2
    assert all(SECRET not in r.prompt and "door code" not in r.prompt for r in for_bob)
    assert "welcome to the den" in for_bob[1].prompt  # said after Bob joined


async def test_the_shared_reason_for_a_feeling_names_no_one_and_repeats_nothing(
    world: World,
) -> None:
    await world.say(f"Thank you, you are wonderful! My secret word is {SECRET}.", ADA)

    reason = (await world.agent()).reason
    assert reason in SHAREABLE and reason not in (BORN, QUIET), reason
    assert "ada" not in reason.lower() and "sharing" not in reason, reason


def test_a_reason_stored_before_the_rule_is_not_shown() -> None:
    agent = new_agent(AGENT_ID, "jasmine", "lite", random.Random(3), 0.0)
    shown = agent_body(replace(agent, reason="alice was sharing her secret in a warm tone."), 1.0)
    assert shown["emotional_status"]["reason"] == QUIET
    kind = felt_reason(Appraisal(liking=6.0))
    assert agent_body(replace(agent, reason=kind), 1.0)["emotional_status"]["reason"] == kind


@pytest.mark.parametrize(
    ("appraisal", "reason"),
    [
        (Appraisal(liking=6.0, desirability=3.0), "Someone was kind to me."),
        (Appraisal(praiseworthiness=-7.0, liking=-2.0), "Someone did something I disapprove of."),
        (Appraisal(desirability=-5.0), "Something upsetting happened."),
        (Appraisal(unexpectedness=8.0, desirability=1.0), "Something took me by surprise."),
        (Appraisal(liking=1.0, unexpectedness=1.0), QUIET),
    ],
)
def test_a_reason_is_chosen_from_the_appraisal(appraisal: Appraisal, reason: str) -> None:
    assert felt_reason(appraisal) == reason


def _thinking_of(text: str, memory: bool = True) -> Script:
    """A think script whose thought (and memory of it) is `text`, writing to no one."""

    def script(request: LLMRequest) -> dict[str, Any]:
        out = DEFAULT_SCRIPTS["think"](request)
        out["thought"], out["outreach"] = text, None
        out["memory"] = (
            {
                "event": text,
                "thoughts": "It stays with me.",
                "significance": "low",
                "importance": 3,
                "tags": ["musing-tag"],
                "emotional_impact": "calm",
            }
            if memory
            else None
        )
        return out

    return script


def _thinker(text: str) -> ScriptedLLM:
    return ScriptedLLM(scripts={"think": _thinking_of(text)})


async def _think_after_both_talked(world: World) -> Job:
    await world.say("Thank you, you are wonderful!", ADA)
    await world.say("You are lovely, thank you!", BOB)
    (tick,) = ticks(7, bright=False, count=1)
    return await world.think(tick)


async def _visible(world: World, who: str) -> list[str]:
    thoughts = await world.store.list_thoughts(AGENT_ID, who, 0.0, world.clock.now() + 1, 50)
    return [t.thought for t in thoughts]


async def _memories_of(world: World, who: str, text: str) -> list[str | None]:
    """Whom the memories of `text` that a reply to `who` could recall are about."""
    found = await world.store.recall_memories(AGENT_ID, who, text, world.clock.now(), 50)
    return [m.user_id for m in found if m.event == text]


@pytest.mark.parametrize("text", ["I keep smiling at ADA's jokes.", "Ada: what a day we had."])
async def test_a_thought_naming_a_user_is_scoped_to_that_user(text: str) -> None:
    async for world in make_world(_thinker(text)):
        job = await _think_after_both_talked(world)
        assert job.status == "succeeded"
        assert text in await _visible(world, ADA.user_id)
        assert text not in await _visible(world, BOB.user_id)
        assert await _memories_of(world, ADA.user_id, text) == [ADA.user_id]
        assert await _memories_of(world, BOB.user_id, text) == []
        assert "musing-tag" not in (await world.agent()).memory_tags  # tags are shown to all


async def test_a_thought_naming_several_users_is_shown_to_no_one() -> None:
    text = "Ada and Bob both make me laugh."
    async for world in make_world(_thinker(text)):
        job = await _think_after_both_talked(world)
        assert job.status == "succeeded" and job.result is not None
        assert job.result["thought"] is None and job.result["memories"] == []
        assert text not in await _visible(world, ADA.user_id)
        assert text not in await _visible(world, BOB.user_id)
        assert "musing-tag" not in (await world.agent()).memory_tags


async def test_a_word_that_only_contains_a_username_names_no_one() -> None:
    text = "I feel adamant about tea; a bobbing boat drifts by."
    async for world in make_world(_thinker(text)):
        job = await _think_after_both_talked(world)
        assert job.status == "succeeded"
        assert text in await _visible(world, BOB.user_id)
        assert text in await _visible(world, ADA.user_id)
        assert await _memories_of(world, BOB.user_id, text) == [None]
        assert "musing-tag" in (await world.agent()).memory_tags


def _ada_changes_who_i_am(request: LLMRequest) -> dict[str, Any]:
    out = DEFAULT_SCRIPTS["reflect"](request)
    if "About ada," in request.prompt:
        out["identity"] = f"I am the one who keeps the {SECRET} safe."
    return out


async def test_an_identity_drawn_from_ada_s_words_is_hers_alone() -> None:
    """A reflection on Ada's messages may change how the agent sees itself, with her: the
    identity every user sees (and every other prompt carries) stays as it was."""
    llm = ScriptedLLM(scripts={"reflect": _ada_changes_who_i_am})
    async for world in make_world(llm):
        born = (await world.agent()).identity
        await world.say("Thank you, you are wonderful!", ADA)
        await world.say("Hello there, how are you?", BOB)
        await world.say("Hi again, my friend", ADA)
        (tick,) = ticks(7, bright=False, count=1)
        await world.think(tick)

        assert (await world.agent()).identity == born
        for_ada = ("Message from ada", "About ada,")
        others = [r for r in world.llm.requests if not any(a in r.prompt for a in for_ada)]
        assert {r.task for r in others} == {"reply", "reflect", "think"}
        assert all(SECRET not in r.prompt for r in others)
        last_reply_to_ada = [r for r in world.llm.prompts("reply") if "Message from ada" in r][-1]
        assert SECRET in last_reply_to_ada  # how the agent sees itself with her
