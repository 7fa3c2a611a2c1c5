"""The ports: every boundary the use cases cross, as Protocols.

Adapters live in `synthetic_soul.adapters`; each port's adapters pass one shared contract suite.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar

from pydantic import BaseModel

from synthetic_soul.domain.agent import AgentState
from synthetic_soul.domain.outreach import Contact
from synthetic_soul.records import (
    AffectSnapshot,
    Conversation,
    Job,
    LLMCall,
    Memory,
    Message,
    QueueStats,
    Session,
    Thought,
    User,
)

M = TypeVar("M", bound=BaseModel)


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch."""
        ...


class StaleStateError(Exception):
    """The agent changed since it was read; re-read and re-apply."""


class ConflictError(Exception):
    """A unique value (email, username) is already taken."""


@dataclass(frozen=True)
class Profile:
    """How an agent sees one user."""

    agent_id: str
    user_id: str
    username: str
    doc: dict[str, Any]


@dataclass(frozen=True)
class ReplyCommit:
    """Every write of one reply turn, applied atomically."""

    job_id: str
    agent: AgentState
    expected_version: int
    profile: Profile
    answered_ids: tuple[str, ...]  # the user's messages this reply answers
    perceived_purpose: str
    perceived_tone: str
    reply: Message | None
    thought: Thought | None
    result: dict[str, Any]
    llm_calls: tuple[LLMCall, ...]
    now: float
    follow_ups: tuple[Job, ...] = ()  # jobs created with the turn (e.g. reflection)
    # Other jobs whose messages this reply answered, each with the result it resolves with.
    folded: Mapping[str, dict[str, Any]] = field(default_factory=dict)
    snapshot: AffectSnapshot | None = None  # the feelings after the turn, for history charts


@dataclass(frozen=True)
class Turn:
    """Everything the reply to one message reads, loaded in one go."""

    message: Message
    agent: AgentState
    profile: Profile | None
    conversation_id: str
    history: tuple[Message, ...]  # the latest answered or agent messages, oldest first
    latest_thought: Thought | None  # the latest the user may see: theirs or nobody's
    pending: tuple[Message, ...] = ()  # the user's messages not answered yet, oldest first
    group: tuple[Message, ...] = ()  # for a group message: that group's recent messages


@dataclass(frozen=True)
class Reflection:
    """What a reflection over one user reads, loaded in one go."""

    agent: AgentState
    profile: Profile
    messages: tuple[Message, ...]  # not reflected on yet: the latest of them, oldest first


@dataclass(frozen=True)
class Musing:
    """What a spell of autonomous thinking reads: never a user's words, only who they are."""

    agent: AgentState
    thoughts: tuple[Thought, ...]  # the latest thoughts about no one, oldest first
    contacts: tuple[Contact, ...]  # users who talked with the agent lately, latest first


@dataclass(frozen=True)
class MindCommit:
    """Every write of one reflection or one spell of thinking, applied atomically.

    Without `agent` only the model calls and the job's end are written (nothing was learned).
    """

    job_id: str
    result: dict[str, Any]
    llm_calls: tuple[LLMCall, ...]
    now: float
    agent: AgentState | None = None
    expected_version: int = 0
    profile: Profile | None = None
    memories: tuple[Memory, ...] = ()
    thought: Thought | None = None
    outreach: Message | None = None  # an agent message for the conversation of `outreach_to`
    outreach_to: str | None = None
    snapshot: AffectSnapshot | None = None  # the feelings after it, when `agent` changed


class Store(Protocol):
    async def open(self) -> None: ...
    async def close(self) -> None: ...
    async def ping(self) -> bool: ...

    # users and sessions
    async def create_user(self, user: User, session: Session, profile: Profile) -> None: ...
    async def get_user(self, user_id: str) -> User | None: ...
    async def get_user_by_email(self, email: str) -> User | None:
        """The user whose address is `email`, compared case-folded."""
        ...

    async def claim_user(
        self, user: User, old_session_id: str, new_session: Session, profile: Profile, now: float
    ) -> bool:
        """Turn the guest into `user`, end the old session and start the new one, only while
        it is still a guest (else False, nothing written). A username or email another user
        holds, compared case-folded, is a ConflictError."""
        ...

    async def forget_user(self, user_id: str) -> None:
        """Erase the user and everything held about them: words, profile, memories, thoughts."""
        ...

    async def get_session(self, session_id: str) -> Session | None: ...
    async def create_session(self, session: Session) -> None: ...
    async def revoke_session(self, session_id: str, reason: str, now: float) -> None: ...
    async def rotate_session(self, old_id: str, new_session: Session, now: float) -> bool: ...
    async def revoke_user_sessions(self, user_id: str, reason: str, now: float) -> int: ...

    # agents and profiles
    async def ensure_agent(self, candidate: AgentState) -> AgentState: ...
    async def get_agent(self, name: str, mode: str) -> AgentState | None: ...
    async def list_agents(self) -> list[tuple[str, str]]: ...
    async def get_profile(self, agent_id: str, user_id: str) -> Profile | None: ...

    # conversation, jobs, thoughts
    async def submit_message(self, job: Job, message: Message, agent_name: str) -> None: ...
    async def get_conversation(
        self, agent_name: str, user_id: str, now: float, limit: int | None = None
    ) -> Conversation: ...
    async def load_turn(
        self, message_id: str, agent_name: str, mode: str, user_id: str, history: int
    ) -> Turn | None: ...
    async def create_job(self, job: Job) -> None: ...
    async def get_job(self, job_id: str) -> Job | None: ...
    async def start_job(self, job_id: str, now: float) -> Job | None: ...
    async def set_job_progress(self, job_id: str, progress: float, now: float) -> None: ...
    async def finish_job(
        self,
        job_id: str,
        status: Literal["succeeded", "failed"],
        result: dict[str, Any] | None,
        error: str | None,
        now: float,
    ) -> Job | None: ...
    async def touch_job(self, job_id: str, now: float) -> None:
        """The running job's runner is alive (its heartbeat)."""
        ...

    async def requeue_job(self, job_id: str, now: float) -> None: ...
    async def recover_jobs(self, now: float, max_attempts: int, stale_before: float) -> list[Job]:
        """Jobs whose runner is gone, queued again; every queued job not seen since then.

        A job running but not touched since `stale_before` lost its runner: it is queued again
        (failed instead once it has used `max_attempts`). A queued job not touched since
        `stale_before` may have been lost by the queue that carried it. Both kinds are
        touched at `now`, leases held by any of them are released, and the queued ones are
        returned, oldest first, for the caller to enqueue again.
        """
        ...

    async def count_queued(self) -> dict[str, int]: ...
    async def count_unfinished_jobs(
        self, kind: str, owner_id: str, client: str | None
    ) -> tuple[int, int]:
        """Jobs of `kind` queued or running: how many `owner_id` has, and how many carry
        `client` as their payload's `CLIENT_KEY` (0 when `client` is None)."""
        ...

    async def commit_reply(self, commit: ReplyCommit) -> tuple[Job, ...]:
        """Apply the turn atomically; the jobs it finished, its own first."""
        ...

    async def acquire_lease(self, key: str, holder: str, now: float, ttl_s: float) -> bool:
        """Take (or extend, for the same holder) an expiring lease; False if another holds it."""
        ...

    async def release_lease(self, key: str, holder: str) -> None: ...
    async def latest_thought(self, agent_id: str, user_id: str) -> Thought | None: ...
    async def list_thoughts(
        self, agent_id: str, user_id: str, since: float, until: float, limit: int
    ) -> list[Thought]:
        """Thoughts the user may see (theirs or no one's) in [since, until], oldest first."""
        ...

    # memories: a user's prompts and views see only memories about them or about no one
    async def add_memories(self, memories: Sequence[Memory]) -> None: ...
    async def recall_memories(
        self, agent_id: str, user_id: str | None, query: str, now: float, k: int, mark: bool = True
    ) -> list[Memory]:
        """The k best by recency, importance and relevance; marks them recalled at `now`
        unless `mark` is False (a look ahead, which must leave the ranking as it found it)."""
        ...

    async def list_memories(self, agent_id: str, user_id: str) -> list[Memory]: ...
    async def delete_memory(self, agent_id: str, user_id: str, memory_id: str) -> bool: ...

    # the mind's background work: reflection, thinking, affect history
    async def load_reflection(
        self, agent_name: str, mode: str, user_id: str, limit: int
    ) -> Reflection | None:
        """The agent, the profile and the latest `limit` messages not reflected on yet."""
        ...

    async def load_musing(
        self, agent_name: str, mode: str, active_since: float, day_start: float, contacts: int
    ) -> Musing | None: ...
    async def commit_mind(self, commit: MindCommit) -> Job:
        """Apply a reflection or a thought at once; the finished job (a re-run writes nothing)."""
        ...

    async def add_snapshot(self, snapshot: AffectSnapshot) -> None: ...
    async def list_snapshots(
        self, agent_id: str, since: float, until: float, limit: int
    ) -> list[AffectSnapshot]:
        """The latest `limit` snapshots taken in [since, until], oldest first."""
        ...


JobHandler = Callable[[str], Awaitable[None]]


class JobQueue(Protocol):
    """Carries job ids to workers; job records themselves live in the Store."""

    async def start(self, run: JobHandler) -> None: ...
    async def stop(self) -> None: ...
    async def enqueue(self, job: Job) -> None: ...
    async def stats(self) -> QueueStats: ...


class Subscription(Protocol):
    async def next(self, within: float) -> dict[str, Any] | None:
        """The next event, or None when `within` seconds pass without one."""
        ...


class EventBus(Protocol):
    async def publish(self, channel: str, event: dict[str, Any]) -> None: ...
    def subscribe(self, channel: str) -> AbstractAsyncContextManager[Subscription]: ...
    async def close(self) -> None: ...


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: int, window_s: float) -> float:
        """Count one hit; 0 if allowed, else seconds until the next hit is allowed."""
        ...


Tier = Literal["fast", "quality"]


TextSink = Callable[[str], Awaitable[None]]


@dataclass(frozen=True)
class TextStream:
    """Where one string field of the answer goes while the model is still writing it.

    A provider that streams calls `sink` with the field's decoded text so far each time it
    grows; one that does not stream never calls it. Every attempt at an answer (a transport
    retry, the caller's corrective call) starts again from "", so the sink's owner, not the
    provider, decides what a watcher has already seen (`mind.streaming.Shown`).
    """

    path: tuple[str, ...]  # keys from the answer's root, e.g. ("reply", "message")
    sink: TextSink


@dataclass(frozen=True)
class LLMRequest:
    task: str
    system: str
    prompt: str
    tier: Tier = "fast"
    # Per call, like the tier: riding on the request keeps `LLM.generate` one signature for
    # every provider and lets a corrective retry (`dataclasses.replace`) keep streaming.
    stream: TextStream | None = None


@dataclass(frozen=True)
class LLMInfo:
    mode: str
    provider: str
    base_url: str | None
    fast_model: str
    quality_model: str
    configured: bool


class LLMError(Exception):
    """The model could not be reached or gave no usable answer."""


class LLM(Protocol):
    @property
    def info(self) -> LLMInfo: ...

    async def generate(self, request: LLMRequest, schema: type[M]) -> tuple[M, LLMCall]: ...

    async def prepare(self, request: LLMRequest, schema: type[M]) -> None:
        """Read `request` ahead of a coming call of the same task and schema whose prompt
        starts with `request.prompt`, so that call reads only what follows it. Best effort,
        never urgent (a reply stops it), and a no-op for a provider that keeps no context."""
        ...

    async def close(self) -> None:
        """Let go of connections or a loaded model, if any."""
        ...
