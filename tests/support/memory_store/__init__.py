"""A store in memory, for unit tests that run use cases without a database.

`MemoryStore` offers every port of `synthetic_soul.ports.Store` over plain dicts and lists
(`tables.MemoryData`), and passes the same contract suites as the real stores
(tests/contract/test_store_*.py), so a use case sees it behave as it would see SQLite or
MongoDB. A method gives the event loop one turn, as a real store's I/O does, and then runs
without a pause, so on one event loop it is atomic as a transaction is; a write works on a
copy of the tables and keeps it only if it ends well, so a refused write (a stale agent, a
taken name) leaves nothing behind.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any, Literal, TypeVar

from synthetic_soul.adapters.store.user_keys import email_key
from synthetic_soul.domain import memory as scoring
from synthetic_soul.domain.agent import AgentState
from synthetic_soul.domain.conversation import Conversation, Message
from synthetic_soul.domain.faces import Face
from synthetic_soul.domain.memory import Memory
from synthetic_soul.domain.snapshot import AffectSnapshot
from synthetic_soul.domain.thought import Thought
from synthetic_soul.ports import ConflictError, Musing, Plan, Profile, Reflection, Turn
from synthetic_soul.ports.embeddings import Vector
from synthetic_soul.records import CLIENT_KEY, QUEUE_NAMES, ApiKey, Job, Session, User, folded
from tests.support.memory_store import reads
from tests.support.memory_store.tables import (
    UNFINISHED,
    MemoryData,
    Tables,
    add_memories,
    add_message,
    agent_named,
    commit,
    finish_job,
    forget,
    latest_thought,
    open_conversation,
    owned,
    put_profile,
    recover,
    revoke,
    taken,
)

__all__ = ["MemoryData", "MemoryStore"]

T = TypeVar("T")


class MemoryStore:
    """Every store port over `data`; stores made over one `MemoryData` share what it holds."""

    def __init__(self, data: MemoryData | None = None) -> None:
        self._data = MemoryData() if data is None else data

    # A real store's call always gives the event loop a turn (its I/O), so other tasks (the
    # queue's workers) run between a caller's calls; each call here gives one too, first.
    # What follows runs without a pause, so it is atomic as a transaction is.
    async def _tables(self) -> Tables:
        """The tables as they stand, to read."""
        await asyncio.sleep(0)
        return self._data.tables

    async def _write(self, fn: Callable[[Tables], T]) -> T:
        """`fn` on the tables, all of it or nothing (`MemoryData.write`)."""
        await asyncio.sleep(0)
        return self._data.write(fn)

    # -- Lifecycle ------------------------------------------------------------------------
    async def open(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def ping(self) -> bool:
        return True

    # -- Accounts, Sessions ---------------------------------------------------------------
    async def create_user(self, user: User, session: Session, profile: Profile) -> None:
        def tx(t: Tables) -> None:
            if taken(t, user):
                raise ConflictError("username or email already in use")
            t.users[user.id] = user
            t.sessions[session.id] = session
            put_profile(t, profile)

        await self._write(tx)

    async def get_user(self, user_id: str) -> User | None:
        return (await self._tables()).users.get(user_id)

    async def get_user_by_email(self, email: str) -> User | None:
        return next(
            (u for u in (await self._tables()).users.values() if email_key(u) == folded(email)),
            None,
        )

    async def claim_user(
        self, user: User, old_session_id: str, new_session: Session, profile: Profile, now: float
    ) -> bool:
        def tx(t: Tables) -> bool:
            held = t.users.get(user.id)
            if held is None or not held.guest:  # of claims racing for one guest, one wins
                return False
            if taken(t, user):
                raise ConflictError("username or email already in use")
            t.users[user.id] = replace(
                held,
                username=user.username,
                email=user.email,
                password_hash=user.password_hash,
                guest=False,
            )
            revoke(t, old_session_id, "claimed", now)
            t.sessions[new_session.id] = new_session
            put_profile(t, profile)
            return True

        return await self._write(tx)

    async def forget_user(self, user_id: str) -> None:
        await self._write(lambda t: forget(t, user_id))

    async def get_session(self, session_id: str) -> Session | None:
        return (await self._tables()).sessions.get(session_id)

    async def create_session(self, session: Session) -> None:
        await self._write(lambda t: t.sessions.update({session.id: session}))

    async def revoke_session(self, session_id: str, reason: str, now: float) -> None:
        await self._write(lambda t: revoke(t, session_id, reason, now))

    async def rotate_session(self, old_id: str, new_session: Session, now: float) -> bool:
        def tx(t: Tables) -> bool:
            if not revoke(t, old_id, "rotated", now):
                return False
            t.sessions[new_session.id] = new_session
            return True

        return await self._write(tx)

    async def revoke_user_sessions(self, user_id: str, reason: str, now: float) -> int:
        def tx(t: Tables) -> int:
            mine = [s.id for s in t.sessions.values() if s.user_id == user_id]
            return sum(revoke(t, session_id, reason, now) for session_id in mine)

        return await self._write(tx)

    # -- ApiKeys --------------------------------------------------------------------------
    async def add_api_key(self, key: ApiKey) -> None:
        await self._write(lambda t: t.api_keys.update({key.id: key}))

    async def api_key_by_hash(self, key_hash: str) -> ApiKey | None:
        keys = (await self._tables()).api_keys.values()
        return next((k for k in keys if k.key_hash == key_hash), None)

    async def list_api_keys(self, user_id: str) -> list[ApiKey]:
        keys = (await self._tables()).api_keys.values()
        return sorted((k for k in keys if k.user_id == user_id), key=lambda k: k.created_at)

    async def delete_api_key(self, user_id: str, key_id: str) -> bool:
        def tx(t: Tables) -> bool:
            key = t.api_keys.get(key_id)
            if key is None or key.user_id != user_id:
                return False
            del t.api_keys[key_id]
            return True

        return await self._write(tx)

    async def delete_user_api_keys(self, user_id: str) -> int:
        def tx(t: Tables) -> int:
            mine = [k.id for k in t.api_keys.values() if k.user_id == user_id]
            for key_id in mine:
                del t.api_keys[key_id]
            return len(mine)

        return await self._write(tx)

    async def touch_api_key(self, key_id: str, now: float) -> None:
        def tx(t: Tables) -> None:
            key = t.api_keys.get(key_id)
            if key is not None:
                t.api_keys[key_id] = replace(key, last_used_at=now)

        await self._write(tx)

    # -- Agents, Snapshots ----------------------------------------------------------------
    async def ensure_agent(self, candidate: AgentState) -> AgentState:
        def tx(t: Tables) -> AgentState:
            # A name is one agent, whatever its mode.
            agent = next((a for a in t.agents.values() if a.name == candidate.name), None)
            if agent is None:
                agent = t.agents[candidate.id] = replace(owned(candidate), version=0)
            return owned(agent)

        return await self._write(tx)

    async def get_agent(self, name: str, mode: str) -> AgentState | None:
        return owned(agent_named(await self._tables(), name, mode))

    async def list_agents(self) -> list[tuple[str, str]]:
        return sorted((a.name, a.mode) for a in (await self._tables()).agents.values())

    async def all_agents(self) -> list[AgentState]:
        return [
            owned(a) for a in sorted((await self._tables()).agents.values(), key=lambda a: a.name)
        ]

    async def get_profile(self, agent_id: str, user_id: str) -> Profile | None:
        return owned((await self._tables()).profiles.get((agent_id, user_id)))

    async def set_visibility(self, agent_id: str, visibility: str) -> bool:
        def tx(t: Tables) -> bool:
            agent = t.agents.get(agent_id)
            if agent is None:
                return False
            t.agents[agent_id] = replace(agent, visibility=visibility, version=agent.version + 1)
            return True

        return await self._write(tx)

    async def delete_agent(self, agent_id: str) -> bool:
        def tx(t: Tables) -> bool:
            agent = t.agents.pop(agent_id, None)
            if agent is None:
                return False
            gone = {c for (name, _), c in t.conversations.items() if name == agent.name}
            t.conversations = {k: c for k, c in t.conversations.items() if c not in gone}
            said = {i for i, m in t.messages.items() if m.conversation_id in gone}
            t.messages = {i: m for i, m in t.messages.items() if i not in said}
            t.vectors = {i: v for i, v in t.vectors.items() if i not in said}
            t.profiles = {k: p for k, p in t.profiles.items() if p.agent_id != agent_id}
            t.thoughts = [x for x in t.thoughts if x.agent_id != agent_id]
            t.memories = {i: m for i, m in t.memories.items() if m.agent_id != agent_id}
            t.snapshots = {k: s for k, s in t.snapshots.items() if s.agent_id != agent_id}
            t.jobs = {i: j for i, j in t.jobs.items() if j.payload.get("agent") != agent.name}
            t.faces = {k: f for k, f in t.faces.items() if k[0] != agent_id}
            return True

        return await self._write(tx)

    # -- AgentFaces -----------------------------------------------------------------------
    async def put_faces(self, agent_id: str, faces: Mapping[str, Face]) -> None:
        def tx(t: Tables) -> None:
            t.faces = {k: f for k, f in t.faces.items() if k[0] != agent_id}
            t.faces.update({(agent_id, name): face for name, face in faces.items()})

        await self._write(tx)

    async def get_face(self, agent_id: str, expression: str) -> Face | None:
        return (await self._tables()).faces.get((agent_id, expression))

    async def face_names(self, agent_id: str) -> list[str]:
        return sorted(name for a, name in (await self._tables()).faces if a == agent_id)

    async def delete_faces(self, agent_id: str) -> None:
        def tx(t: Tables) -> None:
            t.faces = {k: f for k, f in t.faces.items() if k[0] != agent_id}

        await self._write(tx)

    async def add_snapshot(self, snapshot: AffectSnapshot) -> None:
        key = (snapshot.agent_id, snapshot.at)
        await self._write(lambda t: t.snapshots.setdefault(key, owned(snapshot)))

    async def list_snapshots(
        self, agent_id: str, since: float, until: float, limit: int
    ) -> list[AffectSnapshot]:
        inside = [
            s
            for s in (await self._tables()).snapshots.values()
            if s.agent_id == agent_id and since <= s.at <= until
        ]
        return owned(reads.latest(sorted(inside, key=lambda s: s.at), limit))

    # -- Conversations --------------------------------------------------------------------
    async def submit_message(self, job: Job, message: Message, agent_name: str) -> None:
        def tx(t: Tables) -> None:
            add_message(t, message, open_conversation(t, agent_name, job.owner_id))
            t.jobs[job.id] = owned(job)

        await self._write(tx)

    async def greet(self, agent_name: str, user_id: str, greeting: Message) -> bool:
        def tx(t: Tables) -> bool:
            conversation_id = open_conversation(t, agent_name, user_id)
            if greeting.id in t.messages or reads.said_in(t, conversation_id):
                return False
            add_message(t, owned(greeting), conversation_id)
            return True

        return await self._write(tx)

    async def get_conversation(
        self, agent_name: str, user_id: str, now: float, limit: int | None = None
    ) -> Conversation:
        def tx(t: Tables) -> Conversation:
            conversation_id = open_conversation(t, agent_name, user_id)
            said = reads.said_in(t, conversation_id)
            if limit is not None:
                said = reads.latest(said, limit)
            return Conversation(conversation_id, user_id, agent_name, tuple(said))

        return await self._write(tx)

    async def load_turn(
        self, message_id: str, agent_name: str, mode: str, user_id: str, history: int
    ) -> Turn | None:
        return reads.turn(await self._tables(), message_id, agent_name, mode, user_id, history)

    async def search_messages(
        self, agent_name: str, user_id: str, query: str, k: int, before: float | None = None
    ) -> list[tuple[Message, float]]:
        return reads.search(await self._tables(), agent_name, user_id, query, k, before)

    async def adjacent_messages(
        self,
        agent_name: str,
        user_id: str,
        message_ids: Sequence[str],
        before: float | None = None,
    ) -> dict[str, tuple[Message | None, Message | None]]:
        tables = await self._tables()
        return reads.adjacent(tables, agent_name, user_id, message_ids, before)

    async def unembedded_messages(
        self, agent_name: str, user_id: str, model: str, limit: int
    ) -> list[Message]:
        return reads.unembedded(await self._tables(), agent_name, user_id, model, limit)

    async def attach_vectors(self, model: str, vectors: Sequence[tuple[str, Vector]]) -> None:
        def tx(t: Tables) -> None:
            t.vectors.update((mid, (model, tuple(v))) for mid, v in vectors if mid in t.messages)

        await self._write(tx)

    async def nearest_messages(
        self,
        agent_name: str,
        user_id: str,
        model: str,
        vector: Vector,
        k: int,
        before: float | None = None,
    ) -> list[tuple[Message, float]]:
        tables = await self._tables()
        return reads.nearest(tables, agent_name, user_id, model, vector, k, before)

    # -- Jobs -----------------------------------------------------------------------------
    async def _change_job(
        self, job_id: str, status: str, change: Callable[[Job], Job]
    ) -> Job | None:
        """The job changed, only while it has `status`; the changed job, else None."""

        def tx(t: Tables) -> Job | None:
            job = t.jobs.get(job_id)
            if job is None or job.status != status:
                return None
            t.jobs[job_id] = change(job)
            return owned(t.jobs[job_id])

        return await self._write(tx)

    async def create_job(self, job: Job) -> None:
        await self._write(lambda t: t.jobs.update({job.id: owned(job)}))

    async def get_job(self, job_id: str) -> Job | None:
        return owned((await self._tables()).jobs.get(job_id))

    async def job_tokens(self, job_id: str) -> tuple[int, int] | None:
        mine = [(p, c) for j, p, c in (await self._tables()).calls if j == job_id]
        return (sum(p for p, _ in mine), sum(c for _, c in mine)) if mine else None

    async def start_job(self, job_id: str, now: float) -> Job | None:
        return await self._change_job(
            job_id,
            "queued",
            lambda j: replace(
                j, status="running", attempts=j.attempts + 1, progress=0.0, updated_at=now
            ),
        )

    async def set_job_progress(self, job_id: str, progress: float, now: float) -> None:
        await self._change_job(
            job_id, "running", lambda j: replace(j, progress=progress, updated_at=now)
        )

    async def finish_job(
        self,
        job_id: str,
        status: Literal["succeeded", "failed"],
        result: dict[str, Any] | None,
        error: str | None,
        now: float,
    ) -> Job | None:
        return owned(await self._write(lambda t: finish_job(t, job_id, status, result, error, now)))

    async def touch_job(self, job_id: str, now: float) -> None:
        await self._change_job(job_id, "running", lambda j: replace(j, updated_at=now))

    async def requeue_job(self, job_id: str, now: float) -> None:
        await self._change_job(
            job_id,
            "running",
            lambda j: replace(
                j, status="queued", attempts=max(0, j.attempts - 1), progress=None, updated_at=now
            ),
        )

    async def recover_jobs(self, now: float, max_attempts: int, stale_before: float) -> list[Job]:
        return await self._write(lambda t: recover(t, now, max_attempts, stale_before))

    async def count_queued(self) -> dict[str, int]:
        counts = dict.fromkeys(QUEUE_NAMES, 0)
        for j in (await self._tables()).jobs.values():
            if j.status == "queued":
                counts[j.queue] = counts.get(j.queue, 0) + 1
        return counts

    async def count_unfinished_jobs(
        self, kind: str, owner_id: str, client: str | None
    ) -> tuple[int, int]:
        unfinished = [
            j
            for j in (await self._tables()).jobs.values()
            if j.status in UNFINISHED and j.kind == kind
        ]
        mine = sum(j.owner_id == owner_id for j in unfinished)
        theirs = sum(client is not None and j.payload.get(CLIENT_KEY) == client for j in unfinished)
        return mine, theirs

    # -- Leases ---------------------------------------------------------------------------
    async def acquire_lease(self, key: str, holder: str, now: float, ttl_s: float) -> bool:
        def tx(t: Tables) -> bool:
            held = t.leases.get(key)
            if held is not None and held[0] != holder and held[1] > now:
                return False
            t.leases[key] = (holder, now + ttl_s)
            return True

        return await self._write(tx)

    async def release_lease(self, key: str, holder: str) -> None:
        def tx(t: Tables) -> None:
            if key in t.leases and t.leases[key][0] == holder:
                del t.leases[key]

        await self._write(tx)

    # -- Thoughts -------------------------------------------------------------------------
    async def latest_thought(self, agent_id: str, user_id: str) -> Thought | None:
        return latest_thought(await self._tables(), agent_id, user_id)

    async def list_thoughts(
        self, agent_id: str, user_id: str, since: float, until: float, limit: int
    ) -> list[Thought]:
        seen = [
            x
            for x in (await self._tables()).thoughts
            if x.agent_id == agent_id
            and x.user_id in (None, user_id)
            and since <= x.timestamp <= until
        ]
        return reads.latest(sorted(seen, key=lambda x: x.timestamp), limit)

    # -- Memories -------------------------------------------------------------------------
    async def add_memories(self, memories: Sequence[Memory]) -> None:
        """Adds each memory once: adding one with a known id again changes nothing."""
        for m in memories:
            scoring.check(m)
        await self._write(lambda t: add_memories(t, memories))

    async def recall_memories(
        self, agent_id: str, user_id: str | None, query: str, now: float, k: int, mark: bool = True
    ) -> list[Memory]:
        if not mark:  # a look ahead only reads
            return reads.recall(await self._tables(), agent_id, user_id, query, now, k, mark=False)
        return await self._write(
            lambda t: reads.recall(t, agent_id, user_id, query, now, k, mark=True)
        )

    async def list_memories(self, agent_id: str, user_id: str) -> list[Memory]:
        """The memories about this user (not those about no one), newest first."""
        mine = [
            m
            for m in (await self._tables()).memories.values()
            if (m.agent_id, m.user_id) == (agent_id, user_id)
        ]
        return sorted(reversed(mine), key=lambda m: m.created_at, reverse=True)

    async def delete_memory(self, agent_id: str, user_id: str, memory_id: str) -> bool:
        """Deletes the memory only if it is about this user; says whether it did."""

        def tx(t: Tables) -> bool:
            m = t.memories.get(memory_id)
            if m is None or (m.agent_id, m.user_id) != (agent_id, user_id):
                return False
            del t.memories[memory_id]
            return True

        return await self._write(tx)

    # -- MindReads, Commits ---------------------------------------------------------------
    async def load_reflection(
        self, agent_name: str, mode: str, user_id: str, limit: int
    ) -> Reflection | None:
        return reads.reflection(await self._tables(), agent_name, mode, user_id, limit)

    async def load_musing(
        self, agent_name: str, mode: str, active_since: float, day_start: float, contacts: int
    ) -> Musing | None:
        return reads.musing(
            await self._tables(), agent_name, mode, active_since, day_start, contacts
        )

    async def commit(self, plan: Plan) -> tuple[Job, ...]:
        return await self._write(lambda t: commit(t, plan))
