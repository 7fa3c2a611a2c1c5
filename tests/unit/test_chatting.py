"""Chatting as OpenAI's clients do: one message in, the reply's words out as they can only grow.

The job's events are pushed by hand on the in-memory bus, so each case (a replacement that
repeats, one that diverges, a failure, a folded reply) is exactly what the test says.
"""

from __future__ import annotations

import asyncio
import math
import random
from typing import Any

import pytest

from synthetic_soul.adapters.events.memory import MemoryEventBus
from synthetic_soul.adapters.limits.memory import MemoryRateLimiter
from synthetic_soul.auth.sessions import Principal
from synthetic_soul.domain.agent import ActiveAgent, new_agent
from synthetic_soul.domain.relationship import new_profile_doc
from synthetic_soul.errors import NotFound
from synthetic_soul.job_handlers import job_channel
from synthetic_soul.ports import Profile
from synthetic_soul.records import Job, QueueStats, Session, User
from synthetic_soul.usecases.agents import Agents
from synthetic_soul.usecases.chatting import Answer, Chat, ReplyFailed, Said, Streamed, Words
from synthetic_soul.usecases.conversations import Conversations
from synthetic_soul.usecases.watching import Watching
from tests.support.memory_store import MemoryStore
from tests.unit.fakes import FakeClock

pytestmark = pytest.mark.anyio

ADA = Principal("user-ada", "session-ada", "ada")


class HeldQueue:
    """A queue that only keeps what it is handed: the test plays the worker's part."""

    def __init__(self) -> None:
        self.enqueued: list[Job] = []

    async def enqueue(self, job: Job) -> None:
        self.enqueued.append(job)

    async def stats(self) -> QueueStats:
        return QueueStats("held", True, ())


class World:
    def __init__(self) -> None:
        self.clock = FakeClock()
        self.store = MemoryStore()
        self.bus = MemoryEventBus()
        self.queue = HeldQueue()
        self.birth = self.clock.now()

    async def chat(self) -> Chat:
        agent = await self.store.ensure_agent(
            new_agent("agent-1", "jasmine", "lite", random.Random(3), self.birth)
        )
        now = self.clock.now()
        await self.store.create_user(
            User(ADA.user_id, ADA.username, True, now),
            Session(ADA.session_id, ADA.user_id, "r", "c", now, now + 3600),
            Profile(agent.id, ADA.user_id, ADA.username, new_profile_doc("lite", now)),
        )
        limiter = MemoryRateLimiter(self.clock)
        active = ActiveAgent.of(agent)
        return Chat(
            Conversations(self.store, self.queue, limiter, self.clock, active),
            Watching(self.store, self.bus, limiter, 5.0),
            Agents(self.store, self.clock, active),
            self.store,
        )

    async def push(self, job_id: str, *events: tuple[str, dict[str, Any]]) -> None:
        async with asyncio.timeout(5):
            while self.bus.subscriber_count() == 0:  # noqa: ASYNC110
                await asyncio.sleep(0.001)
        for name, data in events:
            await self.bus.publish(job_channel(job_id), {"event": name, "data": data})


def token(text: str, reset: bool = False) -> tuple[str, dict[str, Any]]:
    return "token", {"text": text, **({"reset": True} if reset else {})}


def done(response: str | None, **more: Any) -> tuple[str, dict[str, Any]]:
    result = {"response": response, "expression": "joy_happy", "fallback": None, **more}
    return "done", {"status": "succeeded", "result": result, "error": None}


async def talk(world: World, *events: tuple[str, dict[str, Any]]) -> list[Said]:
    chat = await world.chat()
    asked = await chat.say(ADA, await chat.agent_named("jasmine", ADA), "hello there", None)
    [job] = world.queue.enqueued
    assert (asked.job_id, asked.at) == (job.id, job.created_at)
    collected = asyncio.create_task(_collect(asked.replies))
    await world.push(job.id, *events)
    async with asyncio.timeout(5):
        return await collected


async def _collect(replies: Any) -> list[Said]:
    return [said async for said in replies]


def words(said: list[Said]) -> list[str]:
    return [s.text for s in said if isinstance(s, Words)]


def answer(said: list[Said]) -> Answer:
    last = said[-1]
    assert isinstance(last, Answer)
    return last


async def test_tokens_go_out_as_they_come_and_the_answer_is_the_reply_of_record() -> None:
    said = await talk(
        World(), token("That makes "), token("me happy."), done("That makes me happy.")
    )

    assert words(said) == ["That makes ", "me happy."]
    got = answer(said)
    assert (got.text, got.rewritten, got.fallback) == ("That makes me happy.", False, None)
    assert got.feeling.expression == "joy_happy" and got.feeling.mood


async def test_a_replacement_that_repeats_sends_only_what_is_new() -> None:
    said = await talk(
        World(),
        token("Hello wor"),
        token("Hello", reset=True),  # a retried attempt, not yet past what was sent
        token("Hello world", reset=True),
        done("Hello world."),
    )
    assert words(said) == ["Hello wor", "ld", "."]
    assert answer(said).rewritten is False


async def test_a_replacement_that_diverges_holds_back_and_says_so() -> None:
    said = await talk(
        World(),
        token("As an AI, "),
        token("Hi friend", reset=True),  # the answer cut: what was sent cannot be taken back
        token("!"),
        done("Hi friend!"),
    )
    assert words(said) == ["As an AI, "]
    got = answer(said)
    assert got.text == "Hi friend!" and got.rewritten is True


async def test_usage_is_estimated_from_the_words_when_no_call_was_recorded() -> None:
    usage = answer(await talk(World(), done("A reply of some length."))).usage
    assert usage.estimated is True
    assert usage.prompt_tokens == math.ceil(len("hello there") / 4)
    assert usage.completion_tokens == math.ceil(len("A reply of some length.") / 4)
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


async def test_a_failed_job_is_a_failed_reply() -> None:
    with pytest.raises(ReplyFailed):
        await talk(World(), token("Hel"), ("done", {"status": "failed", "error": "job_failed"}))


async def test_a_folded_reply_answers_with_the_reply_that_answered_it() -> None:
    world = World()
    other = Job.queued("other-job", ADA.user_id, "reply", "default", {}, world.clock.now())
    await world.store.create_job(other)
    await world.store.start_job(other.id, world.clock.now())
    await world.store.finish_job(
        other.id, "succeeded", {"response": "Both, then!"}, None, world.clock.now()
    )
    said = await talk(world, done(None, answered_by=other.id))
    assert words(said) == ["Both, then!"]  # a stream that saw no token gets it whole at the end
    assert answer(said).text == "Both, then!"


async def test_an_unknown_model_is_refused_before_anything_is_kept() -> None:
    world = World()
    chat = await world.chat()
    with pytest.raises(NotFound) as refused:
        await chat.say(ADA, await chat.agent_named("gpt-4o", ADA), "hello", None)
    assert refused.value.code == "model_not_found"
    assert world.queue.enqueued == []
    conversation = await world.store.get_conversation("jasmine", ADA.user_id, world.clock.now())
    assert not conversation.messages


async def test_models_are_the_agents_with_their_birth() -> None:
    world = World()
    chat = await world.chat()
    [model] = await chat.models(ADA)
    assert (model.name, model.created) == ("jasmine", world.birth)
    assert (await chat.agent_named("JASMINE", ADA)).name == "jasmine"


def test_streamed_sends_only_growth() -> None:
    s = Streamed()
    assert s.token("ab", False) == "ab"
    assert s.token("", False) is None
    assert s.token("a", True) is None
    assert s.token("xyz", True) is None
    assert s.token("abc", True) == "c"
    assert s.settle("abcd") == ("d", False)
    assert s.settle("zzz") == (None, True)
