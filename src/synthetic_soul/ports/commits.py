"""What a job's conclusion writes, stated once, and the port that applies it atomically.

A use case says what it concluded (`ReplyCommit`, `MindCommit`); `plan()` turns that into
the writes, in order, that make it so (`Plan`). A store knows how to make each kind of write
and applies a plan in one transaction: all of it or none, and nothing at all when the job
has finished already (a second run of the same job). The recipe of a turn lives here, not in
each backend.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from synthetic_soul.domain import memory as memory_rules
from synthetic_soul.domain.agent import AgentState
from synthetic_soul.domain.conversation import Message
from synthetic_soul.domain.memory import Memory
from synthetic_soul.domain.snapshot import AffectSnapshot
from synthetic_soul.domain.thought import Thought
from synthetic_soul.ports.agents import Profile
from synthetic_soul.records import Job, LLMCall


# -- the kinds of write -------------------------------------------------------------------
@dataclass(frozen=True)
class SaveAgent:
    """The agent, only over `expected_version` (else StaleStateError, and nothing is written)."""

    agent: AgentState
    expected_version: int


@dataclass(frozen=True)
class PutProfile:
    """The profile, inserted or replaced (username and doc)."""

    profile: Profile


@dataclass(frozen=True)
class UpdateProfile:
    """The profile's doc, only while the profile exists (a forgotten user stays forgotten)."""

    profile: Profile


@dataclass(frozen=True)
class MarkAnswered:
    """The user's messages, answered by `job_id`, as perceived (each only once)."""

    message_ids: tuple[str, ...]
    purpose: str
    tone: str
    job_id: str


@dataclass(frozen=True)
class AddMessage:
    """A message in its conversation; with `opens` (agent name, user id), in that pair's
    conversation, which starts at the message's time if there is none yet."""

    message: Message
    opens: tuple[str, str] | None = None


@dataclass(frozen=True)
class AddThought:
    thought: Thought


@dataclass(frozen=True)
class AddMemories:
    memories: tuple[Memory, ...]


@dataclass(frozen=True)
class AddSnapshot:
    snapshot: AffectSnapshot


@dataclass(frozen=True)
class AddJob:
    job: Job


@dataclass(frozen=True)
class RecordCalls:
    job_id: str
    calls: tuple[LLMCall, ...]


@dataclass(frozen=True)
class FinishJob:
    """The job succeeded with `result`, unless it has ended already; the store returns it."""

    job_id: str
    result: dict[str, Any]


Write = (
    SaveAgent
    | PutProfile
    | UpdateProfile
    | MarkAnswered
    | AddMessage
    | AddThought
    | AddMemories
    | AddSnapshot
    | AddJob
    | RecordCalls
    | FinishJob
)


@dataclass(frozen=True)
class Plan:
    """The writes of one job's conclusion, applied in order, atomically, at `now`."""

    job_id: str
    now: float
    writes: tuple[Write, ...]

    def count(self, kind: type[Write]) -> int:
        return sum(1 for w in self.writes if isinstance(w, kind))


# -- what use cases conclude ----------------------------------------------------------------
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

    def plan(self) -> Plan:
        """The jobs it finishes come back from the store in this order: its own first."""
        writes: list[Write] = [
            SaveAgent(self.agent, self.expected_version),
            PutProfile(self.profile),
            MarkAnswered(
                self.answered_ids, self.perceived_purpose, self.perceived_tone, self.job_id
            ),
        ]
        if self.reply is not None:
            writes.append(AddMessage(self.reply))
        if self.thought is not None:
            writes.append(AddThought(self.thought))
        writes.append(RecordCalls(self.job_id, self.llm_calls))
        if self.snapshot is not None:
            writes.append(AddSnapshot(self.snapshot))
        writes += [AddJob(job) for job in self.follow_ups]
        writes.append(FinishJob(self.job_id, self.result))
        writes += [FinishJob(job_id, result) for job_id, result in self.folded.items()]
        return Plan(self.job_id, self.now, tuple(writes))


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

    def plan(self) -> Plan:
        for m in self.memories:
            memory_rules.check(m)
        writes: list[Write] = []
        if self.agent is not None:
            writes.append(SaveAgent(self.agent, self.expected_version))
        if self.snapshot is not None:
            writes.append(AddSnapshot(self.snapshot))
        if self.profile is not None:
            writes.append(UpdateProfile(self.profile))
        if self.memories:
            writes.append(AddMemories(self.memories))
        if self.thought is not None:
            writes.append(AddThought(self.thought))
        if self.outreach is not None and self.outreach_to is not None and self.agent is not None:
            # The first message of a conversation the user may not have started yet.
            writes.append(AddMessage(self.outreach, opens=(self.agent.name, self.outreach_to)))
        writes.append(RecordCalls(self.job_id, self.llm_calls))
        writes.append(FinishJob(self.job_id, self.result))
        return Plan(self.job_id, self.now, tuple(writes))


class Commits(Protocol):
    async def commit(self, plan: Plan) -> tuple[Job, ...]:
        """Apply the plan atomically; the jobs its `FinishJob`s finished, in their order (a
        job already finished is returned alone, and nothing is written)."""
        ...
