"""The fake store's data, plain dicts and lists of records, and the writes made on it.

A record is never changed where it lies: a write puts a new one in its place
(`dataclasses.replace`). So a copy of each table is a snapshot a call can write on and then
keep or drop, which is how `MemoryData.write` makes every call all-or-nothing, as one
transaction of a real store is. Records holding dicts (agents, profiles, jobs, snapshots)
are deep-copied on the way in and out (`owned`): what a caller changes in a record it passed
or got back never reaches the data.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal, TypeVar

from synthetic_soul.adapters.store.user_keys import email_key, username_key
from synthetic_soul.domain import memory as scoring
from synthetic_soul.domain.agent import AgentState
from synthetic_soul.domain.conversation import Message
from synthetic_soul.domain.faces import Face
from synthetic_soul.domain.memory import Memory
from synthetic_soul.domain.snapshot import AffectSnapshot
from synthetic_soul.domain.thought import Thought
from synthetic_soul.ports import Profile, StaleStateError
from synthetic_soul.ports.commits import (
    AddJob,
    AddMemories,
    AddMessage,
    AddSnapshot,
    AddThought,
    FinishJob,
    MarkAnswered,
    Plan,
    PutProfile,
    RecordCalls,
    SaveAgent,
    UpdateProfile,
    Write,
)
from synthetic_soul.ports.embeddings import Vector
from synthetic_soul.records import ApiKey, Job, Session, User

T = TypeVar("T")
UNFINISHED = ("queued", "running")
owned = copy.deepcopy  # a record's own copy: a caller's later change to a dict stays theirs


@dataclass
class Tables:
    users: dict[str, User] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)
    api_keys: dict[str, ApiKey] = field(default_factory=dict)  # by id, in the order made
    agents: dict[str, AgentState] = field(default_factory=dict)  # by id
    profiles: dict[tuple[str, str], Profile] = field(default_factory=dict)  # (agent, user)
    conversations: dict[tuple[str, str], str] = field(default_factory=dict)  # (agent name, user)
    messages: dict[str, Message] = field(default_factory=dict)  # in the order said: their seq
    vectors: dict[str, tuple[str, Vector]] = field(default_factory=dict)  # by message: model
    jobs: dict[str, Job] = field(default_factory=dict)
    leases: dict[str, tuple[str, float]] = field(default_factory=dict)  # holder, expires at
    thoughts: list[Thought] = field(default_factory=list)  # in the order written
    memories: dict[str, Memory] = field(default_factory=dict)  # in the order written
    snapshots: dict[tuple[str, float], AffectSnapshot] = field(default_factory=dict)
    calls: list[tuple[str, int, int]] = field(default_factory=list)  # job, prompt, completion
    faces: dict[tuple[str, str], Face] = field(default_factory=dict)  # (agent, expression)

    def copy(self) -> Tables:
        """Each table copied, its records shared: they are never changed in place."""
        return replace(self, **{f.name: copy.copy(getattr(self, f.name)) for f in fields(self)})


class MemoryData:
    """What `MemoryStore`s made over it share: each sees the others' writes (a "reopen")."""

    def __init__(self) -> None:
        self.tables = Tables()

    def write(self, fn: Callable[[Tables], T]) -> T:
        """`fn` on a copy of the tables, kept only if it returns: all of it or nothing."""
        draft = self.tables.copy()
        value = fn(draft)
        self.tables = draft
        return value


# -- shared reads and writes, on the tables of the caller's call ----------------------------
def agent_named(t: Tables, name: str, mode: str) -> AgentState | None:
    found = (a for a in t.agents.values() if (a.name, a.mode) == (name, mode))
    return next(found, None)


def latest_thought(t: Tables, agent_id: str, user_id: str) -> Thought | None:
    """The newest the user may see (theirs or no one's); of equal times, the last written."""
    seen = [x for x in t.thoughts if x.agent_id == agent_id and x.user_id in (None, user_id)]
    return max(reversed(seen), key=lambda x: x.timestamp, default=None)


def open_conversation(t: Tables, agent_name: str, user_id: str) -> str:
    """The id of the user's conversation with the agent, started if there is none."""
    return t.conversations.setdefault((agent_name, user_id), uuid.uuid4().hex)


def add_message(t: Tables, m: Message, conversation_id: str) -> None:
    t.messages[m.id] = replace(m, conversation_id=conversation_id)


def finish_job(
    t: Tables,
    job_id: str,
    status: Literal["succeeded", "failed"],
    result: dict[str, Any] | None,
    error: str | None,
    now: float,
) -> Job | None:
    """Ends the job unless it has ended already; the job as it now stands, None if unknown."""
    job = t.jobs.get(job_id)
    if job is None or job.finished:
        return job
    t.jobs[job_id] = replace(
        job, status=status, result=owned(result), error=error, progress=1.0, updated_at=now
    )
    return t.jobs[job_id]


def put_profile(t: Tables, p: Profile) -> None:
    t.profiles[p.agent_id, p.user_id] = owned(p)


def add_memories(t: Tables, memories: Sequence[Memory]) -> None:
    """Each memory once (a known id changes nothing), in order, so that an insight may cite
    episodes earlier in the batch; an insight takes the scope of its sources."""
    batch: dict[str, Memory] = {}
    for m in memories:
        if m.kind == "insight" and m.sources:
            sources = [batch.get(s) or t.memories.get(s) for s in m.sources]
            users = [s.user_id for s in sources if s is not None]
            m = replace(m, user_id=scoring.insight_scope(m.user_id, users))
        batch[m.id] = m
        t.memories.setdefault(m.id, m)


# -- writes of one port each ---------------------------------------------------------------
def taken(t: Tables, user: User) -> bool:
    """Another user holds the user's name or address, compared case-folded."""
    name, email = username_key(user), email_key(user)
    return any(
        u.id != user.id
        and (username_key(u) == name or (email is not None and email_key(u) == email))
        for u in t.users.values()
    )


def revoke(t: Tables, session_id: str, reason: str, now: float) -> bool:
    """Ends the session unless it has ended already; says whether it did."""
    s = t.sessions.get(session_id)
    if s is None or s.revoked_at is not None:
        return False
    t.sessions[session_id] = replace(s, revoked_at=now, revoke_reason=reason)
    return True


def forget(t: Tables, user_id: str) -> None:
    gone = {c for (_, user), c in t.conversations.items() if user == user_id}
    t.messages = {k: m for k, m in t.messages.items() if m.conversation_id not in gone}
    t.vectors = {k: v for k, v in t.vectors.items() if k in t.messages}
    t.conversations = {k: c for k, c in t.conversations.items() if c not in gone}
    t.profiles = {k: p for k, p in t.profiles.items() if p.user_id != user_id}
    t.thoughts = [x for x in t.thoughts if x.user_id != user_id]
    t.memories = {k: m for k, m in t.memories.items() if m.user_id != user_id}
    t.jobs = {k: j for k, j in t.jobs.items() if j.owner_id != user_id}
    t.sessions = {k: s for k, s in t.sessions.items() if s.user_id != user_id}
    t.api_keys = {k: key for k, key in t.api_keys.items() if key.user_id != user_id}
    t.users.pop(user_id, None)
    t.leases = {k: v for k, v in t.leases.items() if not k.endswith(f":{user_id}")}


def recover(t: Tables, now: float, max_attempts: int, stale_before: float) -> list[Job]:
    stale = [j for j in t.jobs.values() if j.status in UNFINISHED and j.updated_at <= stale_before]
    holders = {j.id for j in stale}
    t.leases = {k: v for k, v in t.leases.items() if v[0] not in holders}
    queued: list[Job] = []
    for j in stale:
        if j.status == "running" and j.attempts >= max_attempts:
            t.jobs[j.id] = replace(
                j, status="failed", error="job_failed", progress=1.0, updated_at=now
            )
        else:
            t.jobs[j.id] = replace(j, status="queued", progress=None, updated_at=now)
            queued.append(t.jobs[j.id])
    return [owned(j) for j in sorted(queued, key=lambda j: (j.created_at, j.id))]


# -- a plan of writes (`ports.commits`) ----------------------------------------------------
def _write(t: Tables, w: Write, now: float) -> Job | None:
    """Makes one write; a `FinishJob` gives the job as it now stands."""
    match w:
        case SaveAgent(agent, expected_version):
            stored = t.agents.get(agent.id)
            if stored is None or stored.version != expected_version:
                raise StaleStateError(agent.id)
            t.agents[agent.id] = replace(owned(agent), version=expected_version + 1)
        case PutProfile(profile):
            put_profile(t, profile)
        case UpdateProfile(p):
            if (key := (p.agent_id, p.user_id)) in t.profiles:
                t.profiles[key] = replace(t.profiles[key], doc=owned(p.doc))
        case MarkAnswered(message_ids, purpose, tone, job_id):
            for message_id in message_ids:
                m = t.messages.get(message_id)
                if m is not None and m.answered_by is None:
                    t.messages[m.id] = replace(m, purpose=purpose, tone=tone, answered_by=job_id)
        case AddMessage(message, None):
            add_message(t, message, message.conversation_id)
        case AddMessage(message, (agent_name, user_id)):
            add_message(t, message, open_conversation(t, agent_name, user_id))
        case AddThought(thought):
            t.thoughts.append(thought)
        case AddMemories(memories):
            add_memories(t, memories)
        case AddSnapshot(snapshot):
            t.snapshots.setdefault((snapshot.agent_id, snapshot.at), owned(snapshot))
        case AddJob(job):
            t.jobs[job.id] = owned(job)
        case RecordCalls(job_id, calls):
            t.calls += [(job_id, c.prompt_tokens, c.completion_tokens) for c in calls]
        case FinishJob(job_id, result):
            return finish_job(t, job_id, "succeeded", result, None, now)
    return None


def commit(t: Tables, plan: Plan) -> tuple[Job, ...]:
    job = t.jobs.get(plan.job_id)
    if job is None:
        raise LookupError(f"no job {plan.job_id}")
    if job.finished:
        return (owned(job),)  # a second run of the same job writes nothing
    finished = [_write(t, w, plan.now) for w in plan.writes]
    return tuple(owned(j) for j in finished if j is not None)
