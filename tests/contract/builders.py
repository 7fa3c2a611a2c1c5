"""Records for the contract suites: small builders with sensible defaults, and a fake clock."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from synthetic_soul.domain.agent import AgentState, new_agent
from synthetic_soul.domain.conversation import Message
from synthetic_soul.domain.emotions import Emotion
from synthetic_soul.domain.thought import Thought
from synthetic_soul.ports import Clock, JobQueue, Profile, RateLimiter, ReplyCommit, Store, Workers
from synthetic_soul.records import Job, Session, User

T0 = 1_700_000_000.0
AGENT = "jasmine"
MODE = "lite"

StoreFactory = Callable[[], Store]


@dataclass(frozen=True)
class Deployment:
    """A job queue and the workers that run what it carries: one object in process (inline),
    apart with RQ (the queue in the API process, the workers where `soul worker` runs)."""

    queue: JobQueue
    workers: Workers


# (store, clock, workers, max_attempts) -> a deployment not yet started
QueueFactory = Callable[[Store, Clock, int, int], Deployment]


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, now: float = T0) -> None:
        self.t = now

    def now(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@dataclass
class LimiterHarness:
    """A limiter and a way to let time pass for it (a fake clock, or a real wait)."""

    limiter: RateLimiter
    advance: Callable[[float], Awaitable[None]]


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 5.0) -> None:
    """Wait until `check` holds; fail the test if it does not within `within` seconds."""
    async with asyncio.timeout(within):
        # Polled: a store has no change feed, and every adapter must pass the same wait.
        while not await check():  # noqa: ASYNC110
            await asyncio.sleep(0.005)


def uid() -> str:
    return uuid.uuid4().hex


def user(
    username: str | None = None, email: str | None = None, *, guest: bool = True, now: float = T0
) -> User:
    return User(uid(), username or f"guest_{uid()}", guest, now, email=email)


def session(user_id: str, now: float = T0, ttl: float = 3600.0) -> Session:
    return Session(uid(), user_id, f"refresh-{uid()}", f"csrf-{uid()}", now, now + ttl)


def profile(user_id: str, agent_id: str = "agent-1", username: str = "someone") -> Profile:
    return Profile(agent_id, user_id, username, {"summary": "", "interactions": 0})


def agent(
    name: str = AGENT, mode: str = MODE, agent_id: str | None = None, now: float = T0
) -> AgentState:
    return new_agent(agent_id or uid(), name, mode, random.Random(7), now)


def job_and_message(
    owner_id: str,
    *,
    text: str = "hello there",
    now: float = T0,
    queue: str = "default",
    kind: str = "reply",
    username: str = "someone",
) -> tuple[Job, Message]:
    job_id = uid()
    message = Message(
        id=uid(),
        conversation_id="",
        message=text,
        timestamp=now,
        sender_id=owner_id,
        sender_username=username,
        from_agent=False,
        job_id=job_id,
    )
    job = Job(
        id=job_id,
        owner_id=owner_id,
        kind=kind,
        queue=queue,
        payload={"message_id": message.id, "agent": AGENT, "mode": MODE},
        status="queued",
        created_at=now,
        updated_at=now,
    )
    return job, message


def reply_commit(
    job: Job,
    user_message: Message,
    state: AgentState,
    conversation_id: str,
    *,
    expected_version: int | None = None,
    now: float = T0 + 5,
    text: str = "hi back",
    thought_at: float | None = None,
    private_thought: bool = True,
) -> ReplyCommit:
    """Everything one reply turn writes; joy is raised so the agent write is visible."""
    reply = Message(
        id=uid(),
        conversation_id=conversation_id,
        message=text,
        timestamp=now,
        sender_id=state.id,
        sender_username=state.name,
        from_agent=True,
        purpose="respond",
        tone="warm",
        job_id=job.id,
    )
    emotions: dict[str, Any] = {**state.emotions, "joy": Emotion(42.0, now)}
    return ReplyCommit(
        job_id=job.id,
        agent=replace(state, emotions=emotions, reason="a kind word"),
        expected_version=state.version if expected_version is None else expected_version,
        profile=Profile(state.id, job.owner_id, "someone", {"interactions": 1}),
        answered_ids=(user_message.id,),
        perceived_purpose="sharing",
        perceived_tone="warm",
        reply=reply,
        thought=Thought(
            uid(),
            state.id,
            "they seem nice",
            now if thought_at is None else thought_at,
            job.owner_id if private_thought else None,
        ),
        result={"response": text, "reply_id": reply.id},
        llm_calls=(),
        now=now,
    )
