"""A small world for the mind's background work: the in-memory store, the scripted model
(with every request recorded), in-process workers, a scheduler and a fake clock."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Literal

from synthetic_soul.adapters.events.memory import MemoryEventBus
from synthetic_soul.adapters.limits.memory import MemoryRateLimiter
from synthetic_soul.adapters.llm.scripted import ScriptedLLM
from synthetic_soul.adapters.queue.inline import InlineJobQueue
from synthetic_soul.auth.sessions import Principal
from synthetic_soul.domain.agent import ActiveAgent, AgentState, new_agent
from synthetic_soul.domain.facts import THOUGHT_VIBES
from synthetic_soul.domain.relationship import new_profile_doc
from synthetic_soul.job_handlers import Handler
from synthetic_soul.job_runner import Jobs
from synthetic_soul.mind.ahead import Ahead
from synthetic_soul.mind.embedding import Embed
from synthetic_soul.mind.reflect import Reflect
from synthetic_soul.mind.reply import Reply
from synthetic_soul.mind.seeding import Seed
from synthetic_soul.mind.think import RANDOM_THOUGHT_PROBABILITY, Think, think_job, tick_rng
from synthetic_soul.mind.turns import Turns
from synthetic_soul.ports import (
    LLM,
    Embedder,
    JobHandler,
    LLMInfo,
    LLMRequest,
    M,
    Profile,
    Reranker,
)
from synthetic_soul.records import Job, LLMCall, QueueStats, Session, User
from synthetic_soul.scheduler import Scheduler
from synthetic_soul.usecases.conversations import Conversations
from synthetic_soul.usecases.recall import Recall
from tests.support.embedders import SynonymEmbedder
from tests.support.memory_store import MemoryStore
from tests.unit.fakes import FakeClock

ADA = Principal("user-ada", "session-ada", "ada")
BOB = Principal("user-bob", "session-bob", "bob")
AGENT_ID = "agent-1"
SEED = 7
THINKING_PERIOD = 900
SNAPSHOT_PERIOD = 240
BRIGHT = frozenset({"whimsical", "cozy", "curious", "adventurous", "romantic", "playful"})
# 2030-01-01 00:00 UTC, a tick boundary; a fixed start keeps every run of a test the same.
START = 1_893_456_000.0


class Recording:
    """Wraps a model and keeps every request it was asked."""

    def __init__(self, inner: LLM) -> None:
        self.inner = inner
        self.requests: list[LLMRequest] = []
        self.prepared: list[LLMRequest] = []  # what it was asked to read ahead

    @property
    def info(self) -> LLMInfo:
        return self.inner.info

    async def close(self) -> None:
        await self.inner.close()

    async def generate(self, request: LLMRequest, schema: type[M]) -> tuple[M, LLMCall]:
        self.requests.append(request)
        return await self.inner.generate(request, schema)

    async def prepare(self, request: LLMRequest, schema: type[M]) -> None:
        self.prepared.append(request)
        await self.inner.prepare(request, schema)

    def tasks(self) -> list[str]:
        return [r.task for r in self.requests]

    def prompts(self, task: str) -> list[str]:
        return [r.prompt for r in self.requests if r.task == task]


class RecordingQueue:
    """The in-process queue, remembering every job handed to it."""

    def __init__(self, inner: InlineJobQueue) -> None:
        self.inner = inner
        self.enqueued: list[Job] = []

    async def start(self, run: JobHandler) -> None:
        await self.inner.start(run)

    async def stop(self) -> None:
        await self.inner.stop()

    async def enqueue(self, job: Job) -> None:
        self.enqueued.append(job)
        await self.inner.enqueue(job)

    async def stats(self) -> QueueStats:
        return await self.inner.stats()


@dataclass
class World:
    store: MemoryStore
    clock: FakeClock
    llm: Recording
    queue: RecordingQueue
    conversations: Conversations
    scheduler: Scheduler
    ahead: Ahead

    async def agent(self) -> AgentState:
        agent = await self.store.get_agent("jasmine", "lite")
        assert agent is not None
        return agent

    async def wait(self, job_id: str) -> Job:
        async with asyncio.timeout(5):
            # Polled: the job may finish before a subscriber could join its channel.
            while not (done := await self.store.get_job(job_id)) or not done.finished:  # noqa: ASYNC110
                await asyncio.sleep(0.005)
        return done

    async def idle(self) -> None:
        """Wait until every job handed to the queue has finished and no worker is busy: a
        follow-up is enqueued by its parent's worker, after the parent's job has finished."""
        async with asyncio.timeout(5):
            while True:
                seen = list(self.queue.enqueued)
                for job in seen:
                    await self.wait(job.id)
                stats = await self.queue.stats()
                busy = any(w.state == "busy" for w in stats.workers) or any(stats.backlog.values())
                if not busy and len(self.queue.enqueued) == len(seen):
                    await self.ahead.settle()  # and the model has read ahead
                    return
                await asyncio.sleep(0.005)

    async def say(self, text: str, who: Principal = ADA) -> Job:
        """Send a message; wait for its reply and whatever follows from it."""
        job = await self.conversations.submit(who, text, "dm")
        await self.idle()
        return await self.wait(job.id)

    async def think(self, tick: int) -> Job:
        """Run the spell of thinking of one tick (its randomness is the tick's) to its end."""
        job = think_job("jasmine", "lite", tick, self.clock.now())
        await self.store.create_job(job)
        await self.queue.enqueue(job)
        await self.idle()
        return await self.wait(job.id)

    async def messages(self, who: Principal = ADA) -> list[tuple[bool, str, str]]:
        c = await self.conversations.conversation(who)
        return [(m.from_agent, m.purpose, m.message) for m in c.messages]


def ticks(seed: int | None, bright: bool, count: int, start: int = 0) -> list[int]:
    """Tick indices whose draw brings a thought (of a bright vibe, or of another)."""
    found: list[int] = []
    tick = start
    while len(found) < count:
        rng = tick_rng(seed, AGENT_ID, tick)
        vibe = rng.choice(THOUGHT_VIBES)
        if rng.random() < RANDOM_THOUGHT_PROBABILITY and (vibe in BRIGHT) == bright:
            found.append(tick)
        tick += 1
    return found


def declining_tick(seed: int | None) -> int:
    """The first tick whose draw brings no thought."""
    tick = 0
    while True:
        rng = tick_rng(seed, AGENT_ID, tick)
        rng.choice(THOUGHT_VIBES)  # the vibe is drawn first, as Think does
        if rng.random() >= RANDOM_THOUGHT_PROBABILITY:
            return tick
        tick += 1


async def make_world(
    llm: LLM | None = None,
    *,
    seed: int | None = SEED,
    start: float = START,
    workers: int = 1,
    reflect: bool = True,
    recall: Literal["off", "words", "meaning"] = "off",
    embedder: Embedder | None = None,
    reranker: Reranker | None = None,
) -> AsyncIterator[World]:
    """`recall`: what a reply recalls of older talk: nothing, by words alone, or by words and
    meaning (`embedder`, by default the synonym embedder), with an embedding after each reply;
    reranked by `reranker` if one is given."""
    clock = FakeClock(start)
    store = MemoryStore()
    agent = await store.ensure_agent(
        new_agent(AGENT_ID, "jasmine", "lite", random.Random(3), clock.now())
    )
    now = clock.now()
    for who in (ADA, BOB):
        await store.create_user(
            User(who.user_id, who.username, True, now),
            Session(who.session_id, who.user_id, "r", "c", now, now + 3600),
            Profile(agent.id, who.user_id, who.username, new_profile_doc("lite", now)),
        )
    recording = Recording(llm or ScriptedLLM())
    queue = RecordingQueue(InlineJobQueue(store, clock, workers, 3))
    bus = MemoryEventBus()
    turns = Turns(store, bus, clock)
    if recall == "meaning":
        embedder = embedder or SynonymEmbedder()
    recalls = (
        None
        if recall == "off"
        else Recall(store, embedder if recall == "meaning" else None, reranker)
    )
    ahead = Ahead(store, recording, clock, recalls)
    handlers: dict[str, Handler] = {
        "reply": Reply(
            store, recording, clock, turns, reflect=reflect, ahead=ahead, recall=recalls
        ),
        "reflect": Reflect(store, recording, clock, ahead=ahead),
        "think": Think(store, recording, clock, seed),
        "seed": Seed(store, recording, clock),
    }
    if recalls is not None:
        handlers["embed"] = Embed(store, recalls, clock)
    jobs = Jobs(store, bus, queue, clock, handlers, 10)
    await queue.start(jobs.run)
    conversations = Conversations(
        store, queue, MemoryRateLimiter(clock), clock, ActiveAgent.of(agent)
    )
    scheduler = Scheduler(
        store, queue, clock, ActiveAgent.of(agent), THINKING_PERIOD, SNAPSHOT_PERIOD
    )
    try:
        yield World(store, clock, recording, queue, conversations, scheduler, ahead)
    finally:
        await queue.stop()
        await ahead.stop()
