"""The Reply use case with the scripted model: feelings move, replies are stored atomically."""

from __future__ import annotations

import asyncio
import itertools
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from synthetic_soul.adapters.events.memory import MemoryEventBus
from synthetic_soul.adapters.limits.memory import MemoryRateLimiter
from synthetic_soul.adapters.llm.scripted import DEFAULT_SCRIPTS, ScriptedLLM
from synthetic_soul.adapters.queue.inline import InlineJobQueue
from synthetic_soul.auth.sessions import Principal
from synthetic_soul.domain.agent import ActiveAgent, AgentState, new_agent
from synthetic_soul.domain.conversation import Message
from synthetic_soul.domain.relationship import Relationship
from synthetic_soul.job_runner import Jobs
from synthetic_soul.mind.reading import HISTORY_MIN, HISTORY_STEP, HISTORY_TURNS, history_window
from synthetic_soul.mind.reply import FALLBACK_REPLY, Reply
from synthetic_soul.mind.turns import Turns, turn_key
from synthetic_soul.ports import LLM, LLMInfo, LLMRequest, M, Profile
from synthetic_soul.records import Job, LLMCall, Session, User
from synthetic_soul.usecases.conversations import Conversations
from tests.support.memory_store import MemoryStore
from tests.unit.fakes import FakeClock, GarbageLLM

pytestmark = pytest.mark.anyio

ADA = Principal("user-ada", "session-ada", "ada")


@dataclass
class World:
    store: MemoryStore
    clock: FakeClock
    conversations: Conversations
    bus: MemoryEventBus

    async def agent(self) -> AgentState:
        agent = await self.store.get_agent("jasmine", "lite")
        assert agent is not None
        return agent

    async def say(self, text: str, kind: str = "dm") -> Job:
        """Send a message and wait for its reply job to finish."""
        job = await self.conversations.submit(ADA, text, kind)
        return await self.wait(job.id)

    async def wait(self, job_id: str) -> Job:
        async with asyncio.timeout(5):
            # Polled: the job may finish before a subscriber could join its channel.
            while not (done := await self.store.get_job(job_id)) or not done.finished:  # noqa: ASYNC110
                await asyncio.sleep(0.005)
        return done


async def make_world(
    llm: LLM,
    workers: int = 1,
    clock: FakeClock | None = None,
) -> AsyncIterator[World]:
    clock = clock or FakeClock()
    store = MemoryStore()
    agent = await store.ensure_agent(
        new_agent("agent-1", "jasmine", "lite", random.Random(3), clock.now())
    )
    now = clock.now()
    await store.create_user(
        User(ADA.user_id, ADA.username, True, now),
        Session(ADA.session_id, ADA.user_id, "r", "c", now, now + 3600),
        Profile(agent.id, ADA.user_id, ADA.username, {}),
    )
    queue = InlineJobQueue(store, clock, workers, 3)
    bus = MemoryEventBus()
    jobs = Jobs(
        store, bus, queue, clock, {"reply": Reply(store, llm, clock, Turns(store, bus, clock))}, 10
    )
    await queue.start(jobs.run)
    conversations = Conversations(
        store, queue, MemoryRateLimiter(clock), clock, ActiveAgent.of(agent)
    )
    try:
        yield World(store, clock, conversations, bus)
    finally:
        await queue.stop()
        await jobs.stop()


@pytest.fixture
async def world() -> AsyncIterator[World]:
    async for made in make_world(ScriptedLLM()):
        yield made


async def test_a_kind_message_raises_joy_and_gets_a_reply(world: World) -> None:
    before = await world.agent()
    world.clock.advance(30)

    job = await world.say("You are wonderful, thank you so much!")

    assert job.status == "succeeded"
    assert job.result is not None
    assert job.result["response"] == "That makes me really happy. Thank you!"
    assert job.result["expression"] == "joy_happy"
    after = await world.agent()
    now = world.clock.now()
    assert after.version == before.version + 1
    assert after.emotions_at(now)["joy"] > before.emotions_at(now)["joy"]
    assert after.emotions_at(now)["love"] > before.emotions_at(now)["love"]
    assert after.emotions_at(now)["anger"] == before.emotions_at(now)["anger"]
    conversation = await world.conversations.conversation(ADA)
    assert [(m.from_agent, m.message) for m in conversation.messages] == [
        (False, "You are wonderful, thank you so much!"),
        (True, "That makes me really happy. Thank you!"),
    ]
    assert conversation.messages[1].id == job.result["reply_id"]
    assert conversation.messages[0].tone == "warm"
    profile = await world.store.get_profile(after.id, ADA.user_id)
    assert profile is not None
    assert profile.doc["interactions"] == 1
    thought = await world.store.latest_thought(after.id, ADA.user_id)
    assert thought is not None
    assert "ada" in thought.thought


async def test_a_hostile_message_raises_anger(world: World) -> None:
    before = await world.agent()
    job = await world.say("You are stupid and useless, I hate you")
    assert job.status == "succeeded"
    after = await world.agent()
    now = world.clock.now()
    assert after.emotions_at(now)["anger"] > before.emotions_at(now)["anger"]
    assert after.emotions_at(now)["joy"] <= before.emotions_at(now)["joy"]


async def test_a_group_message_not_for_her_gets_no_reply(world: World) -> None:
    job = await world.say("Anyone up for lunch at noon?", kind="group")
    assert job.status == "succeeded"
    assert job.result is not None
    assert job.result["response"] is None
    assert job.result["reply_id"] is None
    conversation = await world.conversations.conversation(ADA)
    assert [m.from_agent for m in conversation.messages] == [False]


async def _rises(llm: LLM, text: str, kind: str) -> dict[str, float]:
    """How much each emotion rose from one message in a fresh world."""
    async for world in make_world(llm):
        before = (await world.agent()).emotions_at(world.clock.now())
        world.clock.advance(30)
        assert (await world.say(text, kind=kind)).status == "succeeded"
        after = (await world.agent()).emotions_at(world.clock.now())
        return {name: after[name] - before[name] for name in after}
    raise AssertionError("no world")


@pytest.mark.parametrize("llm", [ScriptedLLM, GarbageLLM], ids=["model", "fallback"])
async def test_a_group_message_not_for_her_is_felt_only_faintly(
    llm: type[ScriptedLLM] | type[GarbageLLM],
) -> None:
    # Someone else's cheer is overheard: a fraction of the joy it would bring if said to
    # her, and none of the warmth toward her, since it was not about her.
    text = "You are wonderful, thank you so much!"
    said = await _rises(llm(), text, "dm")
    heard = await _rises(llm(), text, "group")
    assert said["joy"] > 0 and said["love"] > 0
    assert 0 < heard["joy"] < 0.5 * said["joy"]
    # Only the half-minute's drift toward its resting level moves love.
    assert abs(heard["love"]) < 0.01 * said["love"]


async def test_a_group_message_naming_her_gets_a_reply(world: World) -> None:
    job = await world.say("Jasmine, what do you think?", kind="group")
    assert job.result is not None
    assert job.result["response"] is not None
    conversation = await world.conversations.conversation(ADA)
    assert [m.from_agent for m in conversation.messages] == [False, True]


async def test_history_grows_turn_by_turn(world: World) -> None:
    for text in ("hello", "how are you?", "thanks, friend"):
        world.clock.advance(5)
        assert (await world.say(text)).status == "succeeded"
    conversation = await world.conversations.conversation(ADA)
    assert [m.message for m in conversation.messages if not m.from_agent] == [
        "hello",
        "how are you?",
        "thanks, friend",
    ]
    assert len(conversation.messages) == 6
    assert (await world.agent()).version == 3


async def test_a_model_that_answers_nonsense_gets_the_fallback_reply() -> None:
    llm = GarbageLLM()
    async for world in make_world(llm):
        job = await world.say("You are lovely")

        assert job.status == "succeeded"
        assert job.result is not None
        assert job.result["response"] == FALLBACK_REPLY
        assert job.result["fallback"] == "llm_invalid_output"
        assert llm.calls == 2  # one try and one retry with the error quoted, then the fallback
        conversation = await world.conversations.conversation(ADA)
        assert [(m.from_agent, m.message) for m in conversation.messages] == [
            (False, "You are lovely"),
            (True, FALLBACK_REPLY),
        ]


async def test_messages_sent_before_the_agent_answers_get_one_reply_together() -> None:
    """While a turn of Ada's is in progress, two more messages wait; one reply answers both
    and both jobs resolve, the folded one naming the job that answered it."""
    async for world in make_world(ScriptedLLM(delay_ms=20), workers=2):
        turns = Turns(world.store, world.bus, world.clock)
        async with turns.hold(turn_key("jasmine", ADA.user_id), "a-turn-in-progress"):
            first = await world.conversations.submit(ADA, "hello", "dm")
            second = await world.conversations.submit(ADA, "nice to meet you", "dm")
            await asyncio.sleep(0.05)  # both workers are now waiting for the turn
        done = {job.id: await world.wait(job.id) for job in (first, second)}
        assert all(job.status == "succeeded" for job in done.values())
        results = [job.result for job in done.values()]
        assert all(r is not None for r in results)
        answering = [r for r in results if r and r["response"] is not None]
        folded = [r for r in results if r and r["response"] is None]
        assert len(answering) == 1 and len(folded) == 1
        assert folded[0]["answered_by"] in done
        assert sorted(answering[0]["answered"]) == sorted(
            job.payload["message_id"] for job in (first, second)
        )
        conversation = await world.conversations.conversation(ADA)
        assert [(m.from_agent, m.message) for m in conversation.messages][:2] == [
            (False, "hello"),
            (False, "nice to meet you"),
        ]
        assert sum(m.from_agent for m in conversation.messages) == 1
        agent = await world.agent()
        assert agent.events_felt == 1


class SlowLLM:
    """Another model that takes `seconds` of the fake clock to answer."""

    def __init__(self, inner: LLM, clock: FakeClock, seconds: float) -> None:
        self._inner, self._clock, self._seconds = inner, clock, seconds

    @property
    def info(self) -> LLMInfo:
        return self._inner.info

    async def close(self) -> None:
        await self._inner.close()

    async def generate(self, request: LLMRequest, schema: type[M]) -> tuple[M, LLMCall]:
        self._clock.advance(self._seconds)
        return await self._inner.generate(request, schema)


async def test_a_results_time_is_the_seconds_the_reply_took() -> None:
    """Clients show `time` as the reply's latency: seconds from the message to its answer."""
    clock = FakeClock()
    async for world in make_world(SlowLLM(ScriptedLLM(), clock, 7.6), clock=clock):
        job = await world.say("You are wonderful")
        assert job.result is not None
        assert job.result["time"] == 8


async def test_a_fallbacks_time_counts_both_tries() -> None:
    clock = FakeClock()
    async for world in make_world(SlowLLM(GarbageLLM(), clock, 2.2), clock=clock):
        job = await world.say("You are lovely")
        assert job.result is not None
        assert job.result["fallback"] == "llm_invalid_output"
        assert job.result["time"] == 4


async def test_a_folded_jobs_time_counts_from_its_own_message() -> None:
    clock = FakeClock()
    slow = SlowLLM(ScriptedLLM(), clock, 5.0)
    async for world in make_world(slow, workers=2, clock=clock):
        turns = Turns(world.store, world.bus, world.clock)
        async with turns.hold(turn_key("jasmine", ADA.user_id), "a-turn-in-progress"):
            first = await world.conversations.submit(ADA, "hello", "dm")
            clock.advance(3)
            second = await world.conversations.submit(ADA, "nice to meet you", "dm")
            await asyncio.sleep(0.05)
        done = [await world.wait(job.id) for job in (first, second)]
        times = {job.id: job.result["time"] for job in done if job.result is not None}
        # The reply was written 5 s after the second message, 8 s after the first.
        assert times == {first.id: 8, second.id: 5}


def test_the_conversation_window_keeps_its_first_message_for_a_few_turns() -> None:
    """Turn after turn (one message and one reply each), the window only grows at its end, for
    HISTORY_STEP turns in a row, and never shows fewer than HISTORY_MIN messages."""
    said = tuple(
        Message(f"m{i}", "c1", f"line {i}", float(i), "u1", "ada", from_agent=i % 2 == 1)
        for i in range(60)
    )
    firsts, sizes = [], []
    for turn in range(3 * HISTORY_STEP):
        history = said[: 2 * (turn + HISTORY_STEP)][-HISTORY_TURNS:]  # as the store loads it
        shown = history_window(history, Relationship.of({"interactions": turn}))
        firsts.append(shown[0].id)
        sizes.append(len(shown))
        assert shown == history[-len(shown) :]  # the latest, in order
    assert min(sizes) == HISTORY_MIN and max(sizes) == HISTORY_TURNS
    changes = sum(1 for a, b in itertools.pairwise(firsts) if a != b)
    assert changes == 2  # once every HISTORY_STEP turns, not every turn


async def test_help_desk_sentences_are_cut_from_her_reply() -> None:
    """Small models close a friend's reply like a ticket; she does not (domain.voice)."""

    def help_desk(request: LLMRequest) -> dict[str, Any]:
        answer = DEFAULT_SCRIPTS["reply"](request)
        said = "Congratulations on the job! Let me know if there's anything else you need."
        return {**answer, "reply": {**answer["reply"], "message": said}}

    async for world in make_world(ScriptedLLM(scripts={"reply": help_desk})):
        job = await world.say("I got the job I wanted today!")

        assert job.result is not None
        assert job.result["response"] == "Congratulations on the job!"
        conversation = await world.conversations.conversation(ADA)
        assert conversation.messages[-1].message == "Congratulations on the job!"
