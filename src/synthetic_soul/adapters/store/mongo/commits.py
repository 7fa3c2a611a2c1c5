"""A job's conclusion in the MongoDB store (Commits): its plan's writes, in one transaction.

The plan says what to write (`ports.commits`); here each kind of write becomes its operations,
in the plan's order, all in one transaction, so a turn is written whole or not at all. The
sequence numbers of the plan's messages and memories are drawn before it (see
`MongoBase._next_seqs`), so concurrent commits never conflict on a counter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import assert_never

from pymongo.asynchronous.client_session import AsyncClientSession

from synthetic_soul.adapters.store.mongo.base import MongoBase, reachable
from synthetic_soul.adapters.store.mongo.memories import insert_memories
from synthetic_soul.adapters.store.mongo.statements import (
    Db,
    finish_job,
    insert_job,
    insert_message,
    insert_snapshot,
    insert_thought,
    job_to_commit,
    open_conversation,
    record_calls,
    save_agent,
    upsert_profile,
)
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
from synthetic_soul.records import Job


@dataclass
class _Seqs:
    """The next numbers of the sequences a plan's writes take, in write order (by name, as
    `MongoBase._next_seqs` draws them)."""

    next: dict[str, int]

    def take(self, name: str, n: int = 1) -> int:
        first = self.next[name]
        self.next[name] += n
        return first


async def _apply(
    db: Db, s: AsyncClientSession, plan: Plan, write: Write, seqs: _Seqs
) -> Job | None:
    """Makes one write of the plan in the caller's transaction; the job a `FinishJob` ended."""
    match write:
        case SaveAgent(agent, expected_version):
            await save_agent(db, s, agent, expected_version, plan.now)
        case PutProfile(profile):
            await upsert_profile(db, s, profile)
        case UpdateProfile(profile):
            # No upsert: a user forgotten meanwhile stays forgotten.
            await db["profiles"].update_one(
                {"agent_id": profile.agent_id, "user_id": profile.user_id},
                {"$set": {"doc": profile.doc}},
                session=s,
            )
        case MarkAnswered(message_ids, purpose, tone, job_id):
            if message_ids:
                await db["messages"].update_many(
                    {"_id": {"$in": list(message_ids)}, "answered_by": None},
                    {"$set": {"purpose": purpose, "tone": tone, "answered_by": job_id}},
                    session=s,
                )
        case AddMessage(message, opens):
            conversation_id = message.conversation_id
            if opens is not None:
                # The first message of a conversation the user may not have started yet.
                agent_name, user_id = opens
                conversation_id = await open_conversation(
                    db, s, agent_name, user_id, message.timestamp
                )
            await insert_message(db, s, message, conversation_id, seqs.take("messages"))
        case AddThought(thought):
            await insert_thought(db, s, thought)
        case AddMemories(memories):
            await insert_memories(db, s, memories, seqs.take("memories", len(memories)))
        case AddSnapshot(snapshot):
            await insert_snapshot(db, s, snapshot)
        case AddJob(job):
            await insert_job(db, s, job)
        case RecordCalls(job_id, calls):
            await record_calls(db, s, job_id, calls, plan.now)
        case FinishJob(job_id, result):
            return await finish_job(db, s, job_id, "succeeded", result, None, plan.now)
        case _:
            assert_never(write)
    return None


class CommitCollections(MongoBase):
    @reachable
    async def commit(self, plan: Plan) -> tuple[Job, ...]:
        messages = plan.count(AddMessage)
        memories = sum(len(w.memories) for w in plan.writes if isinstance(w, AddMemories))
        first_message = await self._next_seqs("messages", messages) if messages else 0
        first_memory = await self._next_seqs("memories", memories) if memories else 0

        async def tx(s: AsyncClientSession) -> tuple[Job, ...]:
            job = await job_to_commit(self.db, s, plan.job_id)
            if job.finished:
                return (job,)  # a second run of the same job writes nothing
            # Numbered from the first again on each attempt of the transaction.
            seqs = _Seqs({"messages": first_message, "memories": first_memory})
            finished = [await _apply(self.db, s, plan, w, seqs) for w in plan.writes]
            return tuple(j for j in finished if j is not None)

        return await self._transaction(tx)
